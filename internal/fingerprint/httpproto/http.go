package httpproto

import (
	"bytes"
	"context"
	"fmt"
	"html"
	"net/http"
	"strings"

	"github.com/portwatch/portwatch/internal/fingerprint"
)

// HTTP is the generic HTTP fingerprinter: one GET / names the web server
// (Server header, or Go net/http by its stock answers), the distro its
// comment reveals, X-Powered-By, the page title and the well-known web
// applications of webapp.go. When the answer already identifies a service
// with a fingerprinter of its own (Elasticsearch, Docker, Kubernetes,
// Consul, Prometheus), that identification is returned instead.
type HTTP struct{}

var _ fingerprint.Fingerprinter = (*HTTP)(nil)

// Name is "http"; the engine renames it "https" inside TLS.
func (*HTTP) Name() string { return "http" }

// Ports are the usual plaintext and TLS web ports, and the web UIs of
// Grafana (3000), Kibana (5601) and RabbitMQ (15672).
func (*HTTP) Ports() []uint16 {
	return []uint16{80, 81, 443, 591, 3000, 5601, 8000, 8001, 8008, 8080, 8081, 8082, 8088, 8443, 8888, 9443, 15672}
}

// MatchBanner recognises an HTTP response the server sent unprompted
// (some servers answer a connection that stays silent with a 400 or 408).
func (*HTTP) MatchBanner(banner []byte) (fingerprint.Service, bool) {
	if !looksHTTP(banner) {
		return fingerprint.Service{}, false
	}
	resp, err := readResponse(bytes.NewReader(banner), http.MethodGet)
	if err != nil {
		return fingerprint.Service{}, false
	}
	svc := identifyHTTP(resp)
	svc.Method = fingerprint.MethodBanner
	return svc, true
}

// Probe asks GET / and identifies what answered.
func (*HTTP) Probe(ctx context.Context, s *fingerprint.Session) (fingerprint.Service, error) {
	resp, err := get(ctx, s, "/")
	if err != nil {
		return fingerprint.Service{}, fmt.Errorf("http: %w", err)
	}
	return identifyHTTP(resp), nil
}

// identifyHTTP names what answered a GET /.
func identifyHTTP(r *response) fingerprint.Service {
	for _, id := range []func(*response) (fingerprint.Service, bool){
		identifyElasticsearch, identifyDockerHeaders, identifyKubernetesStatus, identifyConsulHeaders,
	} {
		if svc, ok := id(r); ok {
			return svc
		}
	}
	svc := fingerprint.Service{Name: "http", Confidence: fingerprint.ConfidenceLikely,
		Method: fingerprint.MethodProbe, Banner: fingerprint.EscapeBanner(r.Raw)}
	if r.Malformed {
		svc.Extra = "malformed response"
		return svc
	}
	ws, hasServer := identifyServer(r.Header.Get("Server"))
	if !hasServer && goNetHTTP(r) {
		// Inferred from stock bodies, not named: Known stays false.
		ws = webServer{Product: "Go net/http", CPE: fingerprint.CPE("a", "golang", "go", "")}
		hasServer = true
	}
	title := ""
	if isHTML(r) {
		title = htmlTitle(r.Body)
	}
	app, hasApp := identifyWebApp(r, title)

	var extra, cpes []string
	if hasApp && !app.Hosted {
		if app.Service != "" {
			svc.Name = app.Service
		}
		svc.Product, svc.Version = app.Product, app.Version
		cpes = appendCPE(cpes, app)
		if app.Certain {
			svc.Confidence = fingerprint.ConfidenceCertain
		}
		if hasServer {
			extra = append(extra, strings.TrimSpace(ws.Product+" "+ws.Version))
		}
	} else if hasServer {
		svc.Product, svc.Version = ws.Product, ws.Version
		if ws.Known {
			svc.Confidence = fingerprint.ConfidenceCertain
		}
	}
	if hasServer {
		extra = append(extra, ws.Extra...)
		svc.Distro, svc.OS = ws.Distro, ws.OS
		if ws.CPE != "" {
			cpes = append(cpes, ws.CPE)
		}
	}
	if pb := r.Header.Get("X-Powered-By"); pb != "" {
		extra = append(extra, printable(pb, 40))
		if cpe, d := phpPoweredBy(pb); cpe != "" {
			cpes = append(cpes, cpe)
			if svc.Distro == nil {
				svc.Distro = d
			}
		}
	}
	if hasApp && app.Hosted {
		extra = append(extra, strings.TrimSpace(app.Product+" "+app.Version))
		cpes = appendCPE(cpes, app)
	}
	if !hasApp {
		extra = append(extra, pageNotes(r, title)...)
	}
	svc.Extra = strings.Join(extra, "; ")
	svc.CPE = cpes
	if tlsRequired(r) {
		// The server says the port wants TLS: below ConfidenceLikely the
		// engine keeps looking (its TLS handshake finds what is inside)
		// and falls back to this answer only if nothing better comes.
		svc.Confidence = fingerprint.ConfidenceLikely - 2
	}
	return svc
}

func appendCPE(cpes []string, app webApp) []string {
	if app.Vendor == "" {
		return cpes
	}
	return append(cpes, fingerprint.CPE("a", app.Vendor, app.CPEProduct, app.Version))
}

// pageNotes describes a page no application was recognised in: its title,
// where it redirects, the realm it asks credentials for, and whether it
// says that it wants TLS.
func pageNotes(r *response, title string) []string {
	var notes []string
	if tlsRequired(r) {
		notes = append(notes, "plain HTTP sent to an HTTPS port")
	}
	if isRedirect(r) {
		if loc := r.Header.Get("Location"); loc != "" {
			notes = append(notes, "redirect to "+printable(loc, 80))
		}
	}
	if r.Status == http.StatusUnauthorized {
		if realm := authRealm(r.Header.Get("Www-Authenticate")); realm != "" {
			notes = append(notes, fmt.Sprintf("auth realm %q", realm))
		}
	}
	if title != "" {
		notes = append(notes, fmt.Sprintf("title %q", title))
	}
	if gen := metaGenerator(r.Body); gen != "" {
		notes = append(notes, "generator "+gen)
	}
	return notes
}

// goNetHTTP recognises Go's net/http by the answers its library functions
// write when the application sets no Server header: http.NotFound,
// http.Redirect, and the reply to plain HTTP on a TLS listener.
func goNetHTTP(r *response) bool {
	ct := r.Header.Get("Content-Type")
	body := string(r.Body)
	switch {
	case r.Status == http.StatusNotFound:
		return body == "404 page not found\n" && ct == "text/plain; charset=utf-8" &&
			r.Header.Get("X-Content-Type-Options") == "nosniff"
	case r.Status == http.StatusBadRequest:
		return body == "Client sent an HTTP request to an HTTPS server.\n"
	}
	return goRedirect(r)
}

// goRedirect recognises the body http.Redirect writes for a GET.
func goRedirect(r *response) bool {
	if !isRedirect(r) || r.Header.Get("Content-Type") != "text/html; charset=utf-8" {
		return false
	}
	want := `<a href="` + html.EscapeString(r.Header.Get("Location")) + `">` + http.StatusText(r.Status) + "</a>.\n\n"
	return string(r.Body) == want
}

// tlsRequired recognises the 400 that nginx, Apache and Go send to plain
// HTTP on a TLS port.
func tlsRequired(r *response) bool {
	if r.Status != http.StatusBadRequest {
		return false
	}
	b := r.Body[:min(len(r.Body), 4096)]
	return bytes.Contains(b, []byte("The plain HTTP request was sent to HTTPS port")) ||
		bytes.Contains(b, []byte("speaking plain HTTP to an SSL-enabled server port")) ||
		bytes.Contains(b, []byte("Client sent an HTTP request to an HTTPS server"))
}

// authRealm returns the realm of a WWW-Authenticate challenge.
func authRealm(h string) string {
	i := strings.Index(strings.ToLower(h), `realm="`)
	if i < 0 {
		return ""
	}
	v := h[i+len(`realm="`):]
	if j := strings.IndexByte(v, '"'); j >= 0 {
		v = v[:j]
	}
	return cleanText(v, 64)
}

// isHTML reports whether the body is (probably) HTML.
func isHTML(r *response) bool {
	ct := strings.ToLower(r.Header.Get("Content-Type"))
	return strings.Contains(ct, "html") || ct == "" && bytes.Contains(r.Body[:min(len(r.Body), 1024)], []byte("<"))
}

// phpPoweredBy reads "PHP/7.4.3-4ubuntu2.19": a CPE for PHP and the distro
// its package revision names.
func phpPoweredBy(v string) (string, *fingerprint.Distro) {
	h := parseServerHeader(v)
	if len(h.Tokens) == 0 || !strings.EqualFold(h.Tokens[0].Name, "PHP") || h.Tokens[0].Version == "" {
		return "", nil
	}
	upstream, _, _ := strings.Cut(h.Tokens[0].Version, "-")
	return fingerprint.CPE("a", "php", "php", upstream), fingerprint.ParseDistro(h.Tokens[0].Version)
}
