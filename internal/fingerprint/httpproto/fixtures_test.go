package httpproto

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"net/http"
	"strings"
)

// route is one canned answer of a fixture.
type route struct {
	Status  int
	Header  []string // name, value, name, value, ...
	Body    string
	Handler http.HandlerFunc // when set, answers instead (Go net/http's own helpers)
}

// fixture imitates one product closely enough to be identified: headers
// and bodies were written by hand after the real product's answers (the
// version imitated is in Imitates), trimmed where the rest is irrelevant.
type fixture struct {
	Name, Imitates string
	TLS            bool
	Common         []string // headers on every answer
	Routes         map[string]route
	NotFound       route // default: Go's http.NotFound
	// Want is the outcome per fingerprinter Name(); a fingerprinter not
	// listed must return ErrNoMatch.
	Want map[string]want
}

// handler serves the fixture.
func (f fixture) handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		addHeaders(w, f.Common)
		rt, ok := f.Routes[r.URL.Path]
		if !ok {
			rt = f.NotFound
		}
		switch {
		case rt.Handler != nil:
			rt.Handler(w, r)
		case rt.Status == 0:
			http.NotFound(w, r)
		default:
			addHeaders(w, rt.Header)
			w.WriteHeader(rt.Status)
			_, _ = io.WriteString(w, rt.Body)
		}
	})
}

func addHeaders(w http.ResponseWriter, kv []string) {
	for i := 0; i+1 < len(kv); i += 2 {
		w.Header().Add(kv[i], kv[i+1])
	}
}

// redirect answers like a Go server calling http.Redirect, after setting
// the headers given.
func redirect(to string, code int, header ...string) route {
	return route{Handler: func(w http.ResponseWriter, r *http.Request) {
		addHeaders(w, header)
		http.Redirect(w, r, to, code)
	}}
}

// metricsRoute serves a Prometheus text exposition, gzipped when the
// client accepts it (as client_golang's promhttp does).
func metricsRoute(body string) route {
	return route{Handler: func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
		if !strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") {
			_, _ = io.WriteString(w, body)
			return
		}
		w.Header().Set("Content-Encoding", "gzip")
		zw := gzip.NewWriter(w)
		_, _ = io.WriteString(zw, body)
		_ = zw.Close()
	}}
}

const goInfo = "# HELP go_goroutines Number of goroutines that currently exist.\n" +
	"# TYPE go_goroutines gauge\ngo_goroutines 38\n" +
	"# HELP go_info Information about the Go environment.\n" +
	"# TYPE go_info gauge\ngo_info{version=\"go1.21.5\"} 1\n" +
	"# HELP go_memstats_alloc_bytes Number of bytes allocated and still in use.\n" +
	"# TYPE go_memstats_alloc_bytes gauge\ngo_memstats_alloc_bytes 3.1538872e+07\n"

// nodeExporterMetrics imitates node_exporter 1.7.0 on a many-core host:
// the build info comes after more than fingerprint.MaxRead bytes of text.
func nodeExporterMetrics() string {
	var b strings.Builder
	b.WriteString(goInfo)
	b.WriteString("# HELP node_cpu_seconds_total Seconds the CPUs spent in each mode.\n# TYPE node_cpu_seconds_total counter\n")
	for cpu := 0; cpu < 256; cpu++ {
		for _, mode := range []string{"idle", "iowait", "irq", "nice", "softirq", "steal", "system", "user"} {
			fmt.Fprintf(&b, "node_cpu_seconds_total{cpu=\"%d\",mode=\"%s\"} %d.%02d\n", cpu, mode, 1000+cpu*7, cpu%100)
		}
	}
	b.WriteString("# HELP node_exporter_build_info A metric with a constant '1' value labeled by version, revision, branch, goversion from which node_exporter was built, and the goos and goarch for the build.\n" +
		"# TYPE node_exporter_build_info gauge\n" +
		"node_exporter_build_info{branch=\"HEAD\",goarch=\"amd64\",goos=\"linux\",goversion=\"go1.21.4\",revision=\"7333465abf9efba81876303bb57e6fadb946041b\",tags=\"netgo osusergo static_build\",version=\"1.7.0\"} 1\n" +
		"# HELP node_load1 1m load average.\n# TYPE node_load1 gauge\nnode_load1 0.21\n")
	return b.String()
}

func gzipped(s string) string {
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	_, _ = io.WriteString(zw, s)
	_ = zw.Close()
	return b.String()
}

// Shared page bodies.
const (
	nginx404  = "<html>\r\n<head><title>404 Not Found</title></head>\r\n<body>\r\n<center><h1>404 Not Found</h1></center>\r\n<hr><center>nginx/1.22.1</center>\r\n</body>\r\n</html>\r\n"
	apache404 = "<!DOCTYPE HTML PUBLIC \"-//IETF//DTD HTML 2.0//EN\">\n<html><head>\n<title>404 Not Found</title>\n</head><body>\n<h1>Not Found</h1>\n<p>The requested URL was not found on this server.</p>\n<hr>\n<address>Apache/2.4.57 (Debian) Server at 127.0.0.1 Port 80</address>\n</body></html>\n"
)

// fixtures returns every imitated product with what each fingerprinter
// must make of it.
func fixtures() []fixture {
	nginxHTML := []string{"Server", "nginx/1.22.1", "Content-Type", "text/html"}
	apacheHTML := []string{"Server", "Apache/2.4.57 (Debian)", "Content-Type", "text/html; charset=iso-8859-1"}
	dockerCommon := []string{"Api-Version", "1.43", "Docker-Experimental", "false", "Ostype", "linux", "Server", "Docker/24.0.7 (linux)"}
	k8sCommon := []string{"Audit-Id", "6f4b7c4e-2a43-4f55-a6a5-0d1c44a2c0b1", "Cache-Control", "no-cache, private",
		"X-Kubernetes-Pf-Flowschema-Uid", "c0a5b4f2-1d7e-4d8b-9b8e-3f2e0e1a7c11", "X-Kubernetes-Pf-Prioritylevel-Uid", "5e0f1b2c-3a4d-4e5f-8a9b-0c1d2e3f4a5b"}
	k8sForbidden := route{Status: 403, Header: []string{"Content-Type", "application/json", "X-Content-Type-Options", "nosniff"},
		Body: `{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"forbidden: User \"system:anonymous\" cannot get path \"/\"","reason":"Forbidden","details":{},"code":403}` + "\n"}
	k8sHTTP := want{Name: "kubernetes", Product: "Kubernetes API server", Confidence: 7, CPE: []string{cpe("kubernetes", "kubernetes", "")}}

	return []fixture{
		{
			Name: "nginx", Imitates: "nginx 1.22.1 (Debian 12 package), default site",
			Routes: map[string]route{"/": {Status: 200, Header: append(nginxHTML, "ETag", `"64a3f1c2-267"`, "Accept-Ranges", "bytes"),
				Body: "<!DOCTYPE html>\n<html>\n<head>\n<title>Welcome to nginx!</title>\n</head>\n<body>\n<h1>Welcome to nginx!</h1>\n</body>\n</html>\n"}},
			NotFound: route{Status: 404, Header: nginxHTML, Body: nginx404},
			Want: map[string]want{"http": {Name: "http", Product: "nginx", Version: "1.22.1", Confidence: 10,
				CPE: []string{cpe("f5", "nginx", "1.22.1")}, Extra: []string{`title "Welcome to nginx!"`}}},
		},
		{
			Name: "apache", Imitates: "Apache httpd 2.4.57 (Debian 12 package), default page",
			Routes: map[string]route{"/": {Status: 200, Header: []string{"Server", "Apache/2.4.57 (Debian)", "Content-Type", "text/html", "Vary", "Accept-Encoding"},
				Body: "<!DOCTYPE html PUBLIC \"-//W3C//DTD XHTML 1.0 Transitional//EN\">\n<html xmlns=\"http://www.w3.org/1999/xhtml\">\n  <head>\n    <meta http-equiv=\"Content-Type\" content=\"text/html; charset=UTF-8\" />\n    <title>Apache2 Debian Default Page: It works</title>\n  </head>\n  <body><div class=\"main_page\">It works!</div></body>\n</html>\n"}},
			NotFound: route{Status: 404, Header: apacheHTML, Body: apache404},
			Want: map[string]want{"http": {Name: "http", Product: "Apache httpd", Version: "2.4.57", Confidence: 10, Distro: "debian", OS: "Linux",
				CPE: []string{cpe("apache", "http_server", "2.4.57")}, Extra: []string{"Debian", `title "Apache2 Debian Default Page: It works"`}}},
		},
		{
			Name: "lighttpd", Imitates: "lighttpd 1.4.69, no index page",
			NotFound: route{Status: 404, Header: []string{"Server", "lighttpd/1.4.69", "Content-Type", "text/html"},
				Body: "<?xml version=\"1.0\" encoding=\"iso-8859-1\"?>\n<!DOCTYPE html PUBLIC \"-//W3C//DTD XHTML 1.0 Transitional//EN\">\n<html xmlns=\"http://www.w3.org/1999/xhtml\" xml:lang=\"en\" lang=\"en\">\n <head>\n  <title>404 Not Found</title>\n </head>\n <body>\n  <h1>404 Not Found</h1>\n </body>\n</html>\n"},
			Want: map[string]want{"http": {Name: "http", Product: "lighttpd", Version: "1.4.69", Confidence: 10,
				CPE: []string{cpe("lighttpd", "lighttpd", "1.4.69")}, Extra: []string{`title "404 Not Found"`}}},
		},
		{
			Name: "caddy", Imitates: "Caddy 2.7.6 with an empty Caddyfile site",
			NotFound: route{Status: 200, Header: []string{"Server", "Caddy"}},
			Want: map[string]want{"http": {Name: "http", Product: "Caddy", Confidence: 10,
				CPE: []string{cpe("caddyserver", "caddy", "")}}},
		},
		{
			Name: "iis", Imitates: "IIS 10.0 on Windows Server 2019, default site",
			Routes: map[string]route{"/": {Status: 200, Header: []string{"Content-Type", "text/html", "Server", "Microsoft-IIS/10.0", "X-Powered-By", "ASP.NET", "Accept-Ranges", "bytes"},
				Body: "<!DOCTYPE html PUBLIC \"-//W3C//DTD XHTML 1.0 Strict//EN\">\r\n<html xmlns=\"http://www.w3.org/1999/xhtml\">\r\n<head>\r\n<meta http-equiv=\"Content-Type\" content=\"text/html; charset=iso-8859-1\" />\r\n<title>IIS Windows Server</title>\r\n</head>\r\n<body><div id=\"container\"><a href=\"http://go.microsoft.com/fwlink/?linkid=66138&amp;clcid=0x409\"><img src=\"iisstart.png\" alt=\"IIS\" width=\"960\" height=\"600\" /></a></div></body>\r\n</html>"}},
			Want: map[string]want{"http": {Name: "http", Product: "Microsoft IIS httpd", Version: "10.0", Confidence: 10, OS: "Windows",
				CPE: []string{cpe("microsoft", "internet_information_services", "10.0")}, Extra: []string{"ASP.NET", `title "IIS Windows Server"`}}},
		},
		{
			Name: "jenkins", Imitates: "Jenkins 2.426.1 LTS (embedded Jetty 10.0.17), security enabled",
			Common: []string{"Server", "Jetty(10.0.17)", "X-Content-Type-Options", "nosniff"},
			Routes: map[string]route{"/": {Status: 403, Header: []string{"Content-Type", "text/html;charset=utf-8",
				"X-Hudson", "1.395", "X-Jenkins", "2.426.1", "X-Jenkins-Session", "8d5cd0b5", "Set-Cookie", "JSESSIONID.5d7a5f0e=node01abcdefghijk.node0; Path=/; HttpOnly"},
				Body: "<html><head><meta http-equiv='refresh' content='1;url=/login?from=%2F'/><script>window.location.replace('/login?from=%2F');</script></head><body style='background-color:white; color:white;'>\n\nAuthentication required\n</body></html>"}},
			NotFound: route{Status: 404, Header: []string{"Content-Type", "text/html;charset=utf-8"}, Body: "<html><head><title>Error 404 Not Found</title></head><body><h2>HTTP ERROR 404 Not Found</h2></body></html>"},
			Want: map[string]want{"http": {Name: "http", Product: "Jenkins", Version: "2.426.1", Confidence: 10,
				CPE: []string{cpe("jenkins", "jenkins", "2.426.1"), cpe("eclipse", "jetty", "10.0.17")}, Extra: []string{"Jetty 10.0.17"}}},
		},
		{
			Name: "openresty", Imitates: "OpenResty 1.21.4.3 default page",
			Routes: map[string]route{"/": {Status: 200, Header: []string{"Server", "openresty/1.21.4.3", "Content-Type", "text/html"},
				Body: "<!DOCTYPE html>\n<html>\n<head>\n<meta content=\"text/html;charset=utf-8\" http-equiv=\"Content-Type\">\n<title>Welcome to OpenResty!</title>\n</head>\n<body><h1>Welcome to OpenResty!</h1></body>\n</html>\n"}},
			Want: map[string]want{"http": {Name: "http", Product: "OpenResty", Version: "1.21.4.3", Confidence: 10,
				CPE: []string{cpe("openresty", "openresty", "1.21.4.3")}, Extra: []string{`title "Welcome to OpenResty!"`}}},
		},
		{
			Name: "gunicorn", Imitates: "gunicorn 19.9.0 serving a Flask app",
			Routes: map[string]route{"/": {Status: 200, Header: []string{"Server", "gunicorn/19.9.0", "Content-Type", "text/html; charset=utf-8"},
				Body: "<!doctype html><html><head><title>Inventory &amp; Stock</title></head><body>...</body></html>"}},
			Want: map[string]want{"http": {Name: "http", Product: "gunicorn", Version: "19.9.0", Confidence: 10,
				CPE: []string{cpe("gunicorn", "gunicorn", "19.9.0")}, Extra: []string{`title "Inventory & Stock"`}}},
		},
		{
			Name: "werkzeug", Imitates: "Flask development server (Werkzeug 3.0.1, Python 3.11.6), no / route",
			NotFound: route{Status: 404, Header: []string{"Server", "Werkzeug/3.0.1 Python/3.11.6", "Content-Type", "text/html; charset=utf-8"},
				Body: "<!doctype html>\n<html lang=en>\n<title>404 Not Found</title>\n<h1>Not Found</h1>\n<p>The requested URL was not found on the server. If you entered the URL manually please check your spelling and try again.</p>\n"},
			Want: map[string]want{"http": {Name: "http", Product: "Werkzeug httpd", Version: "3.0.1", Confidence: 10,
				CPE: []string{cpe("palletsprojects", "werkzeug", "3.0.1")}, Extra: []string{"Python/3.11.6"}}},
		},
		{
			Name: "envoy", Imitates: "Envoy 1.28 listener without a matching route",
			NotFound: route{Status: 404, Header: []string{"Server", "envoy"}},
			Want:     map[string]want{"http": {Name: "http", Product: "Envoy", Confidence: 10, CPE: []string{cpe("envoyproxy", "envoy", "")}}},
		},
		{
			Name: "grafana", Imitates: "Grafana 10.2.3, anonymous access off",
			Routes: map[string]route{
				"/": redirect("/login", http.StatusFound, "Cache-Control", "no-store", "X-Content-Type-Options", "nosniff",
					"X-Frame-Options", "deny", "X-Xss-Protection", "1; mode=block", "Set-Cookie", "redirect_to=%2F; Path=/; HttpOnly; SameSite=Lax"),
				"/metrics": metricsRoute(goInfo + "# HELP grafana_build_info A metric with a constant '1' value labeled by version, revision, branch, and goversion from which Grafana was built\n" +
					"# TYPE grafana_build_info gauge\ngrafana_build_info{branch=\"HEAD\",edition=\"oss\",goversion=\"go1.21.5\",revision=\"1e84fede54\",version=\"10.2.3\"} 1\n"),
			},
			Want: map[string]want{
				"http":                {Name: "http", Product: "Grafana", Confidence: 7, CPE: []string{cpe("grafana", "grafana", ""), cpe("golang", "go", "")}},
				"prometheus-exporter": {Name: "prometheus-exporter", Product: "Grafana", Version: "10.2.3", Confidence: 10, CPE: []string{cpe("grafana", "grafana", "10.2.3")}},
			},
		},
		{
			Name: "gitlab", Imitates: "GitLab 16.7 Omnibus (bundled nginx), signed out",
			Routes: map[string]route{"/": {Status: 302, Header: []string{"Server", "nginx", "Content-Type", "text/html; charset=utf-8",
				"Location", "http://gitlab.example/users/sign_in", "X-Gitlab-Meta", `{"correlation_id":"01HJ6Q0W7Z3KQ8T4M5N6P7R8S9","version":"1"}`,
				"X-Request-Id", "01HJ6Q0W7Z3KQ8T4M5N6P7R8S9", "X-Runtime", "0.031234"},
				Body: "<html><body>You are being <a href=\"http://gitlab.example/users/sign_in\">redirected</a>.</body></html>"}},
			NotFound: route{Status: 404, Header: []string{"Server", "nginx", "Content-Type", "text/html; charset=utf-8"}, Body: "<!DOCTYPE html><html><head><title>The page you're looking for could not be found (404)</title></head><body></body></html>"},
			Want: map[string]want{"http": {Name: "http", Product: "GitLab", Confidence: 10,
				CPE: []string{cpe("gitlab", "gitlab", ""), cpe("f5", "nginx", "")}, Extra: []string{"nginx"}}},
		},
		{
			Name: "kibana", Imitates: "Kibana 8.11.3",
			Common:   []string{"Kbn-Name", "kibana", "Kbn-License-Sig", "da420c53321c02c93e2a18a4dd1f2c8a2c4a2b5e0f4b1b6fb7c8d9e0f1a2b3c4", "Referrer-Policy", "strict-origin-when-cross-origin"},
			Routes:   map[string]route{"/": {Status: 302, Header: []string{"Location", "/spaces/enter", "Cache-Control", "private, no-cache, no-store, must-revalidate"}}},
			NotFound: route{Status: 404, Header: []string{"Content-Type", "application/json; charset=utf-8"}, Body: `{"statusCode":404,"error":"Not Found","message":"Not Found"}`},
			Want:     map[string]want{"http": {Name: "http", Product: "Kibana", Confidence: 10, CPE: []string{cpe("elastic", "kibana", "")}}},
		},
		{
			Name: "prometheus", Imitates: "Prometheus 2.48.1",
			Routes: map[string]route{
				"/": redirect("/graph", http.StatusFound),
				"/metrics": metricsRoute(goInfo + "# HELP prometheus_build_info A metric with a constant '1' value labeled by version, revision, branch, goversion from which prometheus was built, and the goos and goarch for the build.\n" +
					"# TYPE prometheus_build_info gauge\n" +
					"prometheus_build_info{branch=\"HEAD\",goarch=\"amd64\",goos=\"linux\",goversion=\"go1.21.5\",revision=\"63894216648f0d6be310c9d16fb48293c45c9310\",tags=\"netgo,builtinassets,stringlabels\",version=\"2.48.1\"} 1\n" +
					"# HELP prometheus_http_request_duration_seconds Histogram of latencies for HTTP requests.\n# TYPE prometheus_http_request_duration_seconds histogram\n" +
					"prometheus_http_request_duration_seconds_bucket{handler=\"/metrics\",le=\"0.1\"} 12\n" +
					"prometheus_http_request_duration_seconds_bucket{handler=\"/metrics\",le=\"+Inf\"} 12\n"),
			},
			Want: map[string]want{
				"http":                {Name: "prometheus", Product: "Prometheus", Confidence: 7, CPE: []string{cpe("prometheus", "prometheus", ""), cpe("golang", "go", "")}},
				"prometheus-exporter": {Name: "prometheus", Product: "Prometheus", Version: "2.48.1", Confidence: 10, CPE: []string{cpe("prometheus", "prometheus", "2.48.1")}, Extra: []string{"go1.21.5"}},
			},
		},
		{
			Name: "alertmanager", Imitates: "Alertmanager 0.26.0",
			Routes: map[string]route{
				"/": {Status: 200, Header: []string{"Content-Type", "text/html; charset=utf-8", "Cache-Control", "no-cache, no-store, must-revalidate"},
					Body: "<!DOCTYPE html>\n<html lang=\"en\">\n    <head>\n        <meta charset=\"utf-8\">\n        <title>Alertmanager</title>\n    </head>\n    <body><script src=\"script.js\"></script></body>\n</html>\n"},
				"/metrics": metricsRoute(goInfo + "# HELP alertmanager_build_info A metric with a constant '1' value labeled by version, revision, branch, goversion from which alertmanager was built, and the goos and goarch for the build.\n" +
					"# TYPE alertmanager_build_info gauge\nalertmanager_build_info{branch=\"HEAD\",goarch=\"amd64\",goos=\"linux\",goversion=\"go1.20.7\",revision=\"d7b4f0c7322e7151d6e3b1e31cbc15361e295d8d\",tags=\"netgo\",version=\"0.26.0\"} 1\n"),
			},
			Want: map[string]want{
				"http":                {Name: "http", Product: "Alertmanager", Confidence: 10, CPE: []string{cpe("prometheus", "alertmanager", "")}},
				"prometheus-exporter": {Name: "prometheus-exporter", Product: "Alertmanager", Version: "0.26.0", Confidence: 10, CPE: []string{cpe("prometheus", "alertmanager", "0.26.0")}, Extra: []string{"go1.20.7"}},
			},
		},
		{
			Name: "node_exporter", Imitates: "node_exporter 1.7.0 (exporter-toolkit landing page) on a 256-CPU host",
			Routes: map[string]route{
				"/": {Status: 200, Header: []string{"Content-Type", "text/html; charset=UTF-8"},
					Body: "<!DOCTYPE html>\n<html lang=\"en\">\n  <head>\n    <meta charset=\"UTF-8\">\n    <title>Node Exporter</title>\n  </head>\n  <body>\n    <header><h1>Node Exporter</h1></header>\n    <main>\n      <h2>Prometheus Node Exporter</h2>\n      <div>Version: (version=1.7.0, branch=HEAD, revision=7333465abf9efba81876303bb57e6fadb946041b)</div>\n      <ul><li><a href=\"metrics\">Metrics</a></li></ul>\n    </main>\n  </body>\n</html>\n"},
				"/metrics": metricsRoute(nodeExporterMetrics()),
			},
			Want: map[string]want{
				"http":                {Name: "prometheus-exporter", Product: "node_exporter", Version: "1.7.0", Confidence: 10, CPE: []string{}},
				"prometheus-exporter": {Name: "prometheus-exporter", Product: "node_exporter", Version: "1.7.0", Confidence: 10, Extra: []string{"revision 7333465abf9efba81876303bb57e6fadb946041b", "go1.21.4"}},
			},
		},
		{
			Name: "traefik", Imitates: "Traefik 2.10.7 API/dashboard entry point",
			Routes: map[string]route{"/": redirect("/dashboard/", http.StatusFound)},
			Want:   map[string]want{"http": {Name: "http", Product: "Traefik", Confidence: 7, CPE: []string{cpe("traefik", "traefik", ""), cpe("golang", "go", "")}}},
		},
		{
			Name: "rabbitmq", Imitates: "RabbitMQ 3.12.10 management plugin",
			Routes: map[string]route{"/": {Status: 200, Header: []string{"Content-Type", "text/html", "Content-Security-Policy", "script-src 'self' 'unsafe-eval' 'unsafe-inline'; object-src 'self'", "Vary", "origin"},
				Body: "<!DOCTYPE html>\n<html>\n  <head>\n    <title>RabbitMQ Management</title>\n    <script src=\"js/ejs-1.0.min.js\" type=\"text/javascript\"></script>\n  </head>\n  <body><div id=\"outer\"></div></body>\n</html>\n"}},
			Want: map[string]want{"http": {Name: "http", Product: "RabbitMQ management", Confidence: 10, CPE: []string{cpe("vmware", "rabbitmq", "")}}},
		},
		{
			Name: "tomcat", Imitates: "Apache Tomcat 10.1.16 default ROOT app",
			Routes: map[string]route{"/": {Status: 200, Header: []string{"Content-Type", "text/html;charset=UTF-8"},
				Body: "<!DOCTYPE html>\n<html lang=\"en\">\n    <head>\n        <meta charset=\"UTF-8\" />\n        <title>Apache Tomcat/10.1.16</title>\n    </head>\n    <body><h1>If you're seeing this, you've successfully installed Tomcat. Congratulations!</h1></body>\n</html>\n"}},
			Want: map[string]want{"http": {Name: "http", Product: "Apache Tomcat", Version: "10.1.16", Confidence: 10, CPE: []string{cpe("apache", "tomcat", "10.1.16")}}},
		},
		{
			Name: "phpmyadmin", Imitates: "phpMyAdmin 5.2.1 on Apache 2.4.57 (Debian 12) with PHP 8.2.7",
			Routes: map[string]route{"/": {Status: 200, Header: []string{"Server", "Apache/2.4.57 (Debian)", "X-Powered-By", "PHP/8.2.7",
				"Set-Cookie", "phpMyAdmin=0c1d2e3f4a5b6c7d8e9f; path=/; HttpOnly; SameSite=Strict", "Set-Cookie", "pma_lang=en; expires=Sat, 20-Jan-2024 10:00:00 GMT; path=/; HttpOnly",
				"Content-Type", "text/html; charset=utf-8"},
				Body: "<!DOCTYPE HTML>\n<html lang=\"en\" dir=\"ltr\">\n<head>\n  <meta charset=\"utf-8\">\n  <title>phpMyAdmin</title>\n  <link rel=\"stylesheet\" type=\"text/css\" href=\"./themes/pmahomme/css/theme.css?v=5.2.1\">\n  <script src=\"js/vendor/jquery/jquery.min.js?v=5.2.1\"></script>\n</head>\n<body><form method=\"post\" id=\"login_form\"></form></body>\n</html>\n"}},
			NotFound: route{Status: 404, Header: apacheHTML, Body: apache404},
			Want: map[string]want{"http": {Name: "http", Product: "Apache httpd", Version: "2.4.57", Confidence: 10, Distro: "debian",
				CPE:   []string{cpe("apache", "http_server", "2.4.57"), cpe("php", "php", "8.2.7"), cpe("phpmyadmin", "phpmyadmin", "5.2.1")},
				Extra: []string{"PHP/8.2.7", "phpMyAdmin 5.2.1"}}},
		},
		{
			Name: "wordpress", Imitates: "WordPress 6.4.2 on nginx 1.18.0 (Ubuntu 20.04) with PHP 7.4.3",
			Routes: map[string]route{"/": {Status: 200, Header: []string{"Server", "nginx/1.18.0 (Ubuntu)", "Content-Type", "text/html; charset=UTF-8",
				"X-Powered-By", "PHP/7.4.3-4ubuntu2.19", "Link", `<http://blog.example/wp-json/>; rel="https://api.w.org/"`},
				Body: "<!DOCTYPE html>\n<html lang=\"en-US\">\n<head>\n<meta charset=\"UTF-8\" />\n<title>Example Blog &#8211; Just another WordPress site</title>\n<link rel='stylesheet' href='http://blog.example/wp-includes/css/dist/block-library/style.min.css?ver=6.4.2' media='all' />\n<meta name=\"generator\" content=\"WordPress 6.4.2\" />\n</head>\n<body class=\"home blog\"></body>\n</html>\n"}},
			Want: map[string]want{"http": {Name: "http", Product: "nginx", Version: "1.18.0", Confidence: 10, Distro: "ubuntu", OS: "Linux",
				CPE:   []string{cpe("f5", "nginx", "1.18.0"), cpe("php", "php", "7.4.3"), cpe("wordpress", "wordpress", "6.4.2")},
				Extra: []string{"Ubuntu", "PHP/7.4.3-4ubuntu2.19", "WordPress 6.4.2"}}},
		},
		{
			Name: "elasticsearch", Imitates: "Elasticsearch 8.11.3 (Docker image, security disabled)",
			Common: []string{"X-Elastic-Product", "Elasticsearch"},
			Routes: map[string]route{"/": {Status: 200, Header: []string{"Content-Type", "application/json"},
				Body: "{\n  \"name\" : \"es01\",\n  \"cluster_name\" : \"docker-cluster\",\n  \"cluster_uuid\" : \"dGhlIGNsdXN0ZXIgdXVpZA\",\n  \"version\" : {\n    \"number\" : \"8.11.3\",\n    \"build_flavor\" : \"default\",\n    \"build_type\" : \"docker\",\n    \"build_hash\" : \"64cf052f3b56b1fd4449f5454cb88aca7e739d9a\",\n    \"build_date\" : \"2023-12-08T11:33:53.634979452Z\",\n    \"build_snapshot\" : false,\n    \"lucene_version\" : \"9.8.0\",\n    \"minimum_wire_compatibility_version\" : \"7.17.0\",\n    \"minimum_index_compatibility_version\" : \"7.0.0\"\n  },\n  \"tagline\" : \"You Know, for Search\"\n}\n"}},
			NotFound: route{Status: 400, Header: []string{"Content-Type", "application/json"},
				Body: `{"error":"no handler found for uri [/version] and method [GET]"}`},
			Want: map[string]want{
				"http":          {Name: "elasticsearch", Product: "Elasticsearch", Version: "8.11.3", Confidence: 10, CPE: []string{cpe("elastic", "elasticsearch", "8.11.3")}, Extra: []string{`cluster "docker-cluster"`, `node "es01"`, "Lucene 9.8.0"}},
				"elasticsearch": {Name: "elasticsearch", Product: "Elasticsearch", Version: "8.11.3", Confidence: 10, CPE: []string{cpe("elastic", "elasticsearch", "8.11.3")}},
			},
		},
		{
			Name: "elasticsearch-secured", Imitates: "Elasticsearch 8.11.3 with security on (the default), no credentials",
			Common: []string{"X-Elastic-Product", "Elasticsearch"},
			NotFound: route{Status: 401, Header: []string{"Www-Authenticate", `Basic realm="security" charset="UTF-8"`, "Www-Authenticate", `Bearer realm="security"`, "Www-Authenticate", "ApiKey", "Content-Type", "application/json"},
				Body: `{"error":{"root_cause":[{"type":"security_exception","reason":"missing authentication credentials for REST request [/]","header":{"WWW-Authenticate":["Basic realm=\"security\" charset=\"UTF-8\"","Bearer realm=\"security\"","ApiKey"]}}],"type":"security_exception","reason":"missing authentication credentials for REST request [/]","header":{"WWW-Authenticate":["Basic realm=\"security\" charset=\"UTF-8\"","Bearer realm=\"security\"","ApiKey"]}},"status":401}`},
			Want: map[string]want{
				"http":          {Name: "elasticsearch", Product: "Elasticsearch", Confidence: 7, CPE: []string{cpe("elastic", "elasticsearch", "")}},
				"elasticsearch": {Name: "elasticsearch", Product: "Elasticsearch", Confidence: 7},
			},
		},
		{
			Name: "opensearch", Imitates: "OpenSearch 2.11.1 (tarball, security plugin disabled)",
			Routes: map[string]route{"/": {Status: 200, Header: []string{"Content-Type", "application/json; charset=UTF-8"},
				Body: "{\n  \"name\" : \"opensearch-node1\",\n  \"cluster_name\" : \"opensearch-cluster\",\n  \"cluster_uuid\" : \"b3BlbnNlYXJjaCB1dWlk\",\n  \"version\" : {\n    \"distribution\" : \"opensearch\",\n    \"number\" : \"2.11.1\",\n    \"build_type\" : \"tar\",\n    \"build_hash\" : \"6b1986e964d440be9137eba1413015c31c5a7752\",\n    \"build_date\" : \"2023-11-29T21:43:10.135035992Z\",\n    \"build_snapshot\" : false,\n    \"lucene_version\" : \"9.7.0\",\n    \"minimum_wire_compatibility_version\" : \"7.10.0\",\n    \"minimum_index_compatibility_version\" : \"7.0.0\"\n  },\n  \"tagline\" : \"The OpenSearch Project: https://opensearch.org/\"\n}\n"}},
			NotFound: route{Status: 400, Header: []string{"Content-Type", "application/json; charset=UTF-8"}, Body: `{"error":"no handler found for uri [/version] and method [GET]"}`},
			Want: map[string]want{
				"http":          {Name: "opensearch", Product: "OpenSearch", Version: "2.11.1", Confidence: 10, CPE: []string{cpe("amazon", "opensearch", "2.11.1")}},
				"elasticsearch": {Name: "opensearch", Product: "OpenSearch", Version: "2.11.1", Confidence: 10, Extra: []string{`cluster "opensearch-cluster"`}},
			},
		},
		{
			Name: "etcd", Imitates: "etcd 3.5.11 client port",
			Routes: map[string]route{"/version": {Status: 200, Header: []string{"Content-Type", "application/json"}, Body: `{"etcdserver":"3.5.11","etcdcluster":"3.5.0"}`}},
			Want: map[string]want{
				"http": {Name: "http", Product: "Go net/http", Confidence: 7, CPE: []string{cpe("golang", "go", "")}},
				"etcd": {Name: "etcd", Product: "etcd", Version: "3.5.11", Confidence: 10, CPE: []string{cpe("etcd", "etcd", "3.5.11")}, Extra: []string{"cluster version 3.5.0"}},
			},
		},
		{
			Name: "consul", Imitates: "Consul 1.17.1 server agent, ACLs off",
			Routes: map[string]route{
				"/": redirect("/ui/", http.StatusMovedPermanently),
				"/v1/agent/self": {Status: 200, Header: []string{"Content-Type", "application/json", "Vary", "Accept-Encoding", "X-Consul-Default-Acl-Policy", "allow"},
					Body: `{"Config":{"Datacenter":"dc1","PrimaryDatacenter":"dc1","NodeName":"consul-server-1","NodeID":"4c3a2b1d-0e9f-8a7b-6c5d-4e3f2a1b0c9d","Partition":"","Revision":"2a9f1fd4","Server":true,"Version":"1.17.1","BuildDate":"2023-12-13T16:59:14Z"},"DebugConfig":{},"Coord":{"Vec":[0,0,0,0,0,0,0,0],"Error":1.5,"Adjustment":0,"Height":0.00001},"Member":{"Name":"consul-server-1","Addr":"10.0.0.5","Port":8301,"Tags":{"build":"1.17.1:2a9f1fd4","dc":"dc1","role":"consul"},"Status":1},"Stats":{},"Meta":{"consul-network-segment":"","consul-version":"1.17.1"},"xDS":{"SupportedProxies":{"envoy":["1.27.2"]},"Port":8502,"Ports":{"Plaintext":8502,"TLS":-1}}}`},
			},
			Want: map[string]want{
				"http":   {Name: "http", Product: "Go net/http", Confidence: 7, Extra: []string{"redirect to /ui/"}},
				"consul": {Name: "consul", Product: "Consul", Version: "1.17.1", Confidence: 10, CPE: []string{cpe("hashicorp", "consul", "1.17.1")}, Extra: []string{`datacenter "dc1"`, "server"}},
			},
		},
		{
			Name: "consul-acl", Imitates: "Consul 1.17.1 with acl.default_policy = deny, no token",
			Routes: map[string]route{
				"/": redirect("/ui/", http.StatusMovedPermanently),
				"/v1/agent/self": {Status: 403, Header: []string{"Content-Type", "text/plain; charset=utf-8", "Vary", "Accept-Encoding", "X-Consul-Default-Acl-Policy", "deny"},
					Body: "Permission denied: token with AccessorID '00000000-0000-0000-0000-000000000002' lacks permission 'agent:read' on \"consul-server-1\""},
			},
			Want: map[string]want{
				"http":   {Name: "http", Product: "Go net/http", Confidence: 7},
				"consul": {Name: "consul", Product: "Consul", Confidence: 7, CPE: []string{cpe("hashicorp", "consul", "")}, Extra: []string{"default ACL policy deny"}},
			},
		},
		{
			Name: "docker", Imitates: "Docker Engine 24.0.7 API on tcp://0.0.0.0:2375",
			Common: dockerCommon,
			Routes: map[string]route{"/version": {Status: 200, Header: []string{"Content-Type", "application/json"},
				Body: `{"Platform":{"Name":"Docker Engine - Community"},"Components":[{"Name":"Engine","Version":"24.0.7","Details":{"ApiVersion":"1.43","Arch":"amd64","BuildTime":"2023-10-26T09:07:41.000000000+00:00","Experimental":"false","GitCommit":"311b9ff","GoVersion":"go1.20.10","KernelVersion":"6.1.0-13-amd64","MinAPIVersion":"1.12","Os":"linux"}},{"Name":"containerd","Version":"1.6.26","Details":{"GitCommit":"3dd1e886e55dd695541fdcd67420c2888645a495"}},{"Name":"runc","Version":"1.1.10","Details":{"GitCommit":"v1.1.10-0-g18a0cb0"}},{"Name":"docker-init","Version":"0.19.0","Details":{"GitCommit":"de40ad0"}}],"Version":"24.0.7","ApiVersion":"1.43","MinAPIVersion":"1.12","GitCommit":"311b9ff","GoVersion":"go1.20.10","Os":"linux","Arch":"amd64","KernelVersion":"6.1.0-13-amd64","BuildTime":"2023-10-26T09:07:41.000000000+00:00"}` + "\n"}},
			NotFound: route{Status: 404, Header: []string{"Content-Type", "application/json"}, Body: `{"message":"page not found"}` + "\n"},
			Want: map[string]want{
				"http":   {Name: "docker", Product: "Docker Engine", Version: "24.0.7", Confidence: 10, OS: "Linux", Extra: []string{"API 1.43"}},
				"docker": {Name: "docker", Product: "Docker Engine", Version: "24.0.7", Confidence: 10, OS: "Linux", CPE: []string{cpe("docker", "engine", "24.0.7"), cpe("mobyproject", "moby", "24.0.7")}, Extra: []string{"API 1.43", "linux/amd64", "kernel 6.1.0-13-amd64", "Docker Engine - Community"}},
			},
		},
		{
			Name: "kubernetes", Imitates: "kube-apiserver v1.28.4 (kubeadm), anonymous auth on", TLS: true,
			Common: k8sCommon,
			Routes: map[string]route{"/version": {Status: 200, Header: []string{"Content-Type", "application/json"},
				Body: "{\n  \"major\": \"1\",\n  \"minor\": \"28\",\n  \"gitVersion\": \"v1.28.4\",\n  \"gitCommit\": \"bae2c62678db2b5053817bc97181fcc2e8388103\",\n  \"gitTreeState\": \"clean\",\n  \"buildDate\": \"2023-11-15T16:48:54Z\",\n  \"goVersion\": \"go1.20.11\",\n  \"compiler\": \"gc\",\n  \"platform\": \"linux/amd64\"\n}"}},
			NotFound: k8sForbidden,
			Want: map[string]want{
				"http":       k8sHTTP,
				"kubernetes": {Name: "kubernetes", Product: "Kubernetes API server", Version: "1.28.4", Confidence: 10, OS: "Linux", CPE: []string{cpe("kubernetes", "kubernetes", "1.28.4")}, Extra: []string{"linux/amd64", "go1.20.11"}},
			},
		},
		{
			Name: "k3s", Imitates: "k3s v1.28.4+k3s2 API server", TLS: true,
			Common: k8sCommon,
			Routes: map[string]route{"/version": {Status: 200, Header: []string{"Content-Type", "application/json"},
				Body: "{\n  \"major\": \"1\",\n  \"minor\": \"28\",\n  \"gitVersion\": \"v1.28.4+k3s2\",\n  \"gitCommit\": \"6ba6c1b65f2c3e8b1f0c5c2e1c43f1b59c1e3f1b\",\n  \"gitTreeState\": \"clean\",\n  \"buildDate\": \"2023-12-06T03:01:13Z\",\n  \"goVersion\": \"go1.20.11\",\n  \"compiler\": \"gc\",\n  \"platform\": \"linux/arm64\"\n}"}},
			NotFound: k8sForbidden,
			Want: map[string]want{
				"http":       k8sHTTP,
				"kubernetes": {Name: "kubernetes", Product: "Kubernetes API server", Version: "1.28.4", Confidence: 10, Extra: []string{"k3s", "v1.28.4+k3s2", "linux/arm64"}},
			},
		},
	}
}
