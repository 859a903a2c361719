package httpproto

import (
	"strings"

	"github.com/portwatch/portwatch/internal/fingerprint"
)

// serverToken is one product token of a Server header ("Apache/2.4.57").
type serverToken struct {
	Name, Version string
}

// serverHeader is a parsed Server header (RFC 9110 section 10.2.4): product
// tokens and the comments between them.
type serverHeader struct {
	Tokens   []serverToken
	Comments []string
}

// maxServerHeader bounds the part of a Server header that is parsed.
const maxServerHeader = 256

// parseServerHeader splits "Apache/2.4.57 (Debian) OpenSSL/3.0.11" into
// tokens and comments. Jetty's "Jetty(9.4.53.v20231009)", a comment glued
// to a name, is read as name and version.
func parseServerHeader(v string) serverHeader {
	v = v[:min(len(v), maxServerHeader)]
	var h serverHeader
	glued := false // the last token ended at '(' with no space
	for i := 0; i < len(v); {
		switch c := v[i]; {
		case c == ' ' || c == '\t':
			glued = false
			i++
		case c == '(':
			end := strings.IndexByte(v[i:], ')')
			if end < 0 {
				end = len(v) - i
			}
			comment := strings.TrimSpace(v[i+1 : i+end])
			last := len(h.Tokens) - 1
			if glued && last >= 0 && h.Tokens[last].Version == "" && startsWithDigit(comment) {
				h.Tokens[last].Version = cleanVersion(comment)
			} else if comment != "" {
				h.Comments = append(h.Comments, comment)
			}
			glued = false
			i += end + 1
		default:
			end := strings.IndexAny(v[i:], " \t(")
			if end < 0 {
				end = len(v) - i
			}
			name, version, _ := strings.Cut(v[i:i+end], "/")
			h.Tokens = append(h.Tokens, serverToken{Name: name, Version: cleanVersion(version)})
			glued = i+end < len(v) && v[i+end] == '('
			i += end
		}
	}
	return h
}

// serverProduct is what portwatch knows about a web server product name.
type serverProduct struct {
	Product    string // display name
	Vendor     string // CPE vendor; empty when NVD has no name for it
	CPEProduct string
	OS         string // implied operating system, if any
	// IgnoreVersion is set when the token's version is not the product's
	// (Apache-Coyote/1.1 is the connector, not the Tomcat release).
	IgnoreVersion bool
}

// knownServer maps the lower-cased first token of a Server header to a
// product. CPE vendor:product pairs are the ones NVD uses; nginx has been
// f5:nginx since NVD moved all versions there in 2021.
func knownServer(name string) (serverProduct, bool) {
	switch strings.ToLower(name) {
	case "nginx":
		return serverProduct{Product: "nginx", Vendor: "f5", CPEProduct: "nginx"}, true
	case "apache":
		return serverProduct{Product: "Apache httpd", Vendor: "apache", CPEProduct: "http_server"}, true
	case "lighttpd":
		return serverProduct{Product: "lighttpd", Vendor: "lighttpd", CPEProduct: "lighttpd"}, true
	case "caddy":
		return serverProduct{Product: "Caddy", Vendor: "caddyserver", CPEProduct: "caddy"}, true
	case "microsoft-iis":
		return serverProduct{Product: "Microsoft IIS httpd", Vendor: "microsoft", CPEProduct: "internet_information_services", OS: "Windows"}, true
	case "microsoft-httpapi":
		return serverProduct{Product: "Microsoft HTTPAPI httpd", OS: "Windows"}, true
	case "jetty":
		return serverProduct{Product: "Jetty", Vendor: "eclipse", CPEProduct: "jetty"}, true
	case "openresty":
		return serverProduct{Product: "OpenResty", Vendor: "openresty", CPEProduct: "openresty"}, true
	case "gunicorn":
		return serverProduct{Product: "gunicorn", Vendor: "gunicorn", CPEProduct: "gunicorn"}, true
	case "werkzeug":
		return serverProduct{Product: "Werkzeug httpd", Vendor: "palletsprojects", CPEProduct: "werkzeug"}, true
	case "envoy", "istio-envoy":
		return serverProduct{Product: "Envoy", Vendor: "envoyproxy", CPEProduct: "envoy"}, true
	case "apache-coyote":
		return serverProduct{Product: "Apache Tomcat", Vendor: "apache", CPEProduct: "tomcat", IgnoreVersion: true}, true
	case "litespeed":
		return serverProduct{Product: "LiteSpeed", Vendor: "litespeedtech", CPEProduct: "litespeed_web_server"}, true
	case "openlitespeed":
		return serverProduct{Product: "OpenLiteSpeed", Vendor: "litespeedtech", CPEProduct: "openlitespeed"}, true
	case "cowboy":
		return serverProduct{Product: "Cowboy", Vendor: "ninenines", CPEProduct: "cowboy"}, true
	case "tornadoserver":
		return serverProduct{Product: "Tornado httpd", Vendor: "tornadoweb", CPEProduct: "tornado"}, true
	case "uvicorn":
		return serverProduct{Product: "Uvicorn", Vendor: "encode", CPEProduct: "uvicorn"}, true
	case "simplehttp":
		return serverProduct{Product: "Python http.server"}, true
	case "squid":
		return serverProduct{Product: "Squid http proxy", Vendor: "squid-cache", CPEProduct: "squid"}, true
	case "minio":
		return serverProduct{Product: "MinIO", Vendor: "minio", CPEProduct: "minio"}, true
	case "goahead-webs":
		return serverProduct{Product: "GoAhead WebServer", Vendor: "embedthis", CPEProduct: "goahead"}, true
	case "kestrel":
		return serverProduct{Product: "Kestrel httpd"}, true
	}
	return serverProduct{}, false
}

// webServer is the software named by a Server header, with what its
// comments reveal.
type webServer struct {
	Product, Version string
	CPE              string   // empty when unknown to NVD
	Extra            []string // comments and secondary tokens, as stated
	Distro           *fingerprint.Distro
	OS               string
	Known            bool // the product is one portwatch knows
}

// identifyServer reads a Server header. ok is false when there is none.
func identifyServer(raw string) (ws webServer, ok bool) {
	h := parseServerHeader(raw)
	if len(h.Tokens) == 0 {
		return webServer{}, false
	}
	first := h.Tokens[0]
	ws.Product, ws.Version = printable(first.Name, 40), first.Version
	if p, known := knownServer(first.Name); known {
		ws.Known = true
		ws.Product, ws.OS = p.Product, p.OS
		if p.IgnoreVersion {
			ws.Version = ""
		}
		if p.Vendor != "" {
			ws.CPE = fingerprint.CPE("a", p.Vendor, p.CPEProduct, cpeVersion(ws.Version))
		}
	}
	ws.Distro = fingerprint.ParseDistro(raw[:min(len(raw), maxServerHeader)])
	if ws.OS == "" {
		ws.OS = osOf(ws.Distro, h.Comments)
	}
	for _, c := range h.Comments {
		ws.Extra = append(ws.Extra, printable(c, 40))
	}
	for _, t := range h.Tokens[1:] {
		s := t.Name
		if t.Version != "" {
			s += "/" + t.Version
		}
		ws.Extra = append(ws.Extra, printable(s, 40))
	}
	return ws, true
}

// osOf is the operating system a distro or a Server comment such as
// "(Win64)" implies.
func osOf(d *fingerprint.Distro, comments []string) string {
	if d != nil {
		switch d.Name {
		case "freebsd":
			return "FreeBSD"
		case "openbsd":
			return "OpenBSD"
		case "netbsd":
			return "NetBSD"
		}
		return "Linux"
	}
	for _, c := range comments {
		if strings.EqualFold(c, "Win32") || strings.EqualFold(c, "Win64") {
			return "Windows"
		}
	}
	return ""
}

// cleanVersion keeps a version made of version characters, else "".
func cleanVersion(v string) string {
	v = strings.TrimSpace(v)
	if v == "" || len(v) > 40 {
		return ""
	}
	for _, c := range v {
		ok := c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' ||
			c == '.' || c == '-' || c == '_' || c == '+' || c == '~'
		if !ok {
			return ""
		}
	}
	return v
}

// cpeVersion is the version as NVD writes it: Jetty's "9.4.53.v20231009"
// is version 9.4.53 (the build date is the CPE update field).
func cpeVersion(v string) string {
	if i := strings.Index(v, ".v"); i > 0 && startsWithDigit(v[i+2:]) {
		return v[:i]
	}
	return v
}

func startsWithDigit(s string) bool { return s != "" && s[0] >= '0' && s[0] <= '9' }

// printable renders untrusted header text safe for display: control and
// non-ASCII bytes become '?', cut to max bytes.
func printable(s string, max int) string {
	b := []byte(strings.TrimSpace(s))
	if len(b) > max {
		b = b[:max]
	}
	for i, c := range b {
		if c < 0x20 || c >= 0x7f {
			b[i] = '?'
		}
	}
	return string(b)
}
