package httpproto

import (
	"bytes"
	"net/http"
	"testing"

	"github.com/portwatch/portwatch/internal/fingerprint"
)

// FuzzReadResponse feeds arbitrary bytes to the response parser and every
// identification built on it: no panic, nothing beyond the caps.
func FuzzReadResponse(f *testing.F) {
	for _, s := range []string{
		"HTTP/1.1 200 OK\r\nServer: nginx/1.22.1\r\nContent-Type: text/html\r\nContent-Length: 28\r\n\r\n<title>Welcome to nginx!</title>",
		"HTTP/1.1 302 Found\r\nLocation: /graph\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<a href=\"/graph\">Found</a>.\n\n",
		"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n{\"version\":{\"number\":\"8.11.3\"},\"tagline\":\"You Know, for Search\"}",
		"HTTP/1.1 200 OK\r\nContent-Type: text/plain; version=0.0.4\r\n\r\n# TYPE up gauge\nup{a=\"b\"} 1\nx_build_info{version=\"1\"} 1\n",
		"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
		"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\n\r\n\x1f\x8b\x08\x00\x00\x00\x00\x00",
		"HTTP/1.1 403 Forbidden\r\nServer: Docker/24.0.7 (linux)\r\nApi-Version: 1.43\r\n\r\n",
		"HTTP/1.0 200\r\nServer: Jetty(9.4.53.v20231009)\r\n\r\n",
		"-ERR unknown command\r\n",
		"HTTP/1.1 200 OK\r\nX: (",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		resp, err := readResponse(bytes.NewReader(data), http.MethodGet)
		if err != nil {
			return
		}
		if len(resp.Body) > fingerprint.MaxRead || len(resp.Raw) > rawKeep {
			t.Fatalf("body %d, raw %d bytes", len(resp.Body), len(resp.Raw))
		}
		svc := identifyHTTP(resp)
		if svc.Name == "" || len(svc.Banner) > fingerprint.MaxBanner+8 || len(svc.Extra) > 1024 {
			t.Fatalf("bad service %+v", svc)
		}
		for _, id := range []func(*response) (fingerprint.Service, bool){
			identifyElasticsearch, identifyEtcd, identifyConsulSelf, identifyConsulHeaders,
			identifyDockerVersion, identifyDockerHeaders, identifyKubernetesVersion,
			identifyKubernetesStatus, identifyExposition,
		} {
			if svc, ok := id(resp); ok && svc.Name == "" {
				t.Fatalf("identified without a name: %+v", svc)
			}
		}
	})
}
