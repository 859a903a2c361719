// Package httpproto holds the HTTP-family fingerprinters, one file per
// identification: the generic web server (http.go), Elasticsearch and
// OpenSearch, etcd, Consul, the Docker Engine API, the Kubernetes API
// server and Prometheus metrics endpoints. They share one client
// (client.go): a hand-written "GET path HTTP/1.1" with Connection: close
// and a neutral User-Agent, and a response parsed by net/http.ReadResponse
// from a reader capped at fingerprint.MaxRead, so no peer can grow memory.
//
// # Round trips
//
// A Probe gets one fresh connection and sends exactly one request on it;
// redirects are never followed (a Location is reported, not fetched), so
// no probe ever talks to another host. Two things keep the number of
// round trips per port low:
//
//   - The generic HTTP probe (GET /) returns the identification of an
//     app-specific fingerprinter when its answer already reveals it:
//     Elasticsearch and OpenSearch answer GET / with their version
//     document, the Docker API names itself in its Server and Api-Version
//     headers, a Kubernetes API server answers with a metav1.Status
//     document, Consul API answers carry X-Consul-Default-Acl-Policy, and
//     the Prometheus UI redirects to /graph. On a port nobody lists, one
//     round trip is then enough for these (without a version for
//     Kubernetes, Consul and Prometheus, whose version lives on another
//     path). Go API servers that show nothing at / (etcd) are reported as
//     "Go net/http" there; their own probe names them on their ports.
//   - The app-specific probes ask the one path that carries the version
//     (/version, /v1/agent/self, /metrics, or / for Elasticsearch) and
//     list their usual ports, where the engine tries them first. Each
//     rules itself out with that single answer: a 404, a document of the
//     wrong shape or a non-HTTP reply is ErrNoMatch, so an nginx 404 for
//     /version is never called etcd.
//
// Confidence: ConfidenceCertain when the answer names the product (a known
// Server header, X-Jenkins, a version document), ConfidenceLikely when it
// is inferred (Go's stock bodies, a redirect target, an error document
// without a version). An answer saying the port wants TLS ("plain HTTP
// request was sent to HTTPS port") is returned below ConfidenceLikely so
// that the engine goes on to its TLS handshake.
//
// Service names: "http" for web servers and web applications (the engine
// renames it "https" inside TLS); "elasticsearch", "opensearch", "etcd",
// "consul", "docker", "kubernetes"; "prometheus" for the Prometheus server
// and "prometheus-exporter" for any other metrics endpoint.
//
// # Products and applications
//
// The Server header's first token gives product and version (server.go
// lists the known products and their NVD CPE names; nginx is f5:nginx),
// its comment the distro ("Apache/2.4.57 (Debian)" is debian). Without a
// Server header, Go's net/http is recognised by its stock 404, redirect and
// TLS-required bodies. Web applications (webapp.go lists them with their
// signatures) that are their own server, such as Grafana or Jenkins,
// become the product with the web server moved to Extra; applications
// hosted on a web server, such as WordPress, stay in Extra and the server
// remains the product. Every product NVD has a name for contributes a CPE
// (without a version when the answer shows none).
package httpproto
