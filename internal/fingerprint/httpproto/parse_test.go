package httpproto

import (
	"bytes"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/portwatch/portwatch/internal/fingerprint"
)

func TestParseServerHeader(t *testing.T) {
	for _, c := range []struct {
		in   string
		want serverHeader
	}{
		{"nginx/1.22.1", serverHeader{Tokens: []serverToken{{"nginx", "1.22.1"}}}},
		{"nginx", serverHeader{Tokens: []serverToken{{"nginx", ""}}}},
		{"Apache/2.4.57 (Debian) OpenSSL/3.0.11 mod_wsgi/4.9.4 Python/3.11",
			serverHeader{Tokens: []serverToken{{"Apache", "2.4.57"}, {"OpenSSL", "3.0.11"}, {"mod_wsgi", "4.9.4"}, {"Python", "3.11"}}, Comments: []string{"Debian"}}},
		{"Jetty(9.4.53.v20231009)", serverHeader{Tokens: []serverToken{{"Jetty", "9.4.53.v20231009"}}}},
		{"Apache/2.4.37 (Red Hat Enterprise Linux)", serverHeader{Tokens: []serverToken{{"Apache", "2.4.37"}}, Comments: []string{"Red Hat Enterprise Linux"}}},
		{"Docker/24.0.7 (linux)", serverHeader{Tokens: []serverToken{{"Docker", "24.0.7"}}, Comments: []string{"linux"}}},
		{"Apache (Unix", serverHeader{Tokens: []serverToken{{"Apache", ""}}, Comments: []string{"Unix"}}},
		{"x/<script>", serverHeader{Tokens: []serverToken{{"x", ""}}}},
		{"", serverHeader{}},
	} {
		if got := parseServerHeader(c.in); !reflect.DeepEqual(got, c.want) {
			t.Errorf("parseServerHeader(%q) = %+v, want %+v", c.in, got, c.want)
		}
	}
}

func TestIdentifyServer(t *testing.T) {
	for _, c := range []struct {
		in                    string
		product, version, cpe string
		distro, os            string
		extra                 []string
	}{
		{"Jetty(9.4.53.v20231009)", "Jetty", "9.4.53.v20231009", cpe("eclipse", "jetty", "9.4.53"), "", "", nil},
		{"Apache/2.4.6 (CentOS) OpenSSL/1.0.2k-fips", "Apache httpd", "2.4.6", cpe("apache", "http_server", "2.4.6"), "centos", "Linux", []string{"CentOS", "OpenSSL/1.0.2k-fips"}},
		{"Apache/2.4.58 (Win64) OpenSSL/3.1.3 PHP/8.2.12", "Apache httpd", "2.4.58", cpe("apache", "http_server", "2.4.58"), "", "Windows", []string{"Win64", "OpenSSL/3.1.3", "PHP/8.2.12"}},
		{"Apache-Coyote/1.1", "Apache Tomcat", "", cpe("apache", "tomcat", ""), "", "", nil},
		{"Microsoft-HTTPAPI/2.0", "Microsoft HTTPAPI httpd", "2.0", "", "", "Windows", nil},
		{"SimpleHTTP/0.6 Python/3.11.2", "Python http.server", "0.6", "", "", "", []string{"Python/3.11.2"}},
		{"MyAppliance/7.1", "MyAppliance", "7.1", "", "", "", nil},
		{"nginx/1.24.0 (Ubuntu)", "nginx", "1.24.0", cpe("f5", "nginx", "1.24.0"), "ubuntu", "Linux", []string{"Ubuntu"}},
	} {
		ws, ok := identifyServer(c.in)
		if !ok || ws.Product != c.product || ws.Version != c.version || ws.CPE != c.cpe || ws.OS != c.os {
			t.Errorf("identifyServer(%q) = %+v", c.in, ws)
		}
		if got := ""; ws.Distro != nil {
			got = ws.Distro.Name
			if got != c.distro {
				t.Errorf("identifyServer(%q): distro %q, want %q", c.in, got, c.distro)
			}
		} else if c.distro != "" {
			t.Errorf("identifyServer(%q): no distro, want %q", c.in, c.distro)
		}
		if !reflect.DeepEqual(ws.Extra, c.extra) {
			t.Errorf("identifyServer(%q): extra %q, want %q", c.in, ws.Extra, c.extra)
		}
	}
	if _, ok := identifyServer(""); ok {
		t.Error("an empty Server header identified something")
	}
}

func TestPHPPoweredBy(t *testing.T) {
	cpeName, d := phpPoweredBy("PHP/8.2.7-1~deb12u1")
	if cpeName != cpe("php", "php", "8.2.7") || d == nil || d.Name != "debian" || d.Release != "12" {
		t.Errorf("got %s %+v", cpeName, d)
	}
	if cpeName, d := phpPoweredBy("Express"); cpeName != "" || d != nil {
		t.Errorf("Express: %s %+v", cpeName, d)
	}
}

func TestHTMLTitle(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"<html><head><TITLE>Hello &amp; welcome</TITLE></head>", "Hello & welcome"},
		{"<title lang=en>\n   spaced\t\tout  \n</title>", "spaced out"},
		{"<title>unterminated", "unterminated"},
		{"<title>" + strings.Repeat("x", 500) + "</title>", strings.Repeat("x", maxTitle) + "..."},
		{"<title>bad\x00\x1b[31mbytes\xff</title>", "bad[31mbytes"},
		{"no title", ""},
		{"<title", ""},
	} {
		if got := htmlTitle([]byte(c.in)); got != c.want {
			t.Errorf("htmlTitle(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestMetaGenerator(t *testing.T) {
	body := `<meta charset="utf-8"><meta name="viewport" content="x"><META NAME="generator" CONTENT="Drupal 10 (https://www.drupal.org)" />`
	if got := metaGenerator([]byte(body)); got != "Drupal 10 (https://www.drupal.org)" {
		t.Errorf("got %q", got)
	}
	if got := metaGenerator([]byte(`<meta name="generator">`)); got != "" {
		t.Errorf("got %q", got)
	}
}

func TestGoNetHTTP(t *testing.T) {
	redirectBody := "<a href=\"/a?b=1&amp;c=2\">See Other</a>.\n\n"
	r := &response{Status: 303, Header: http.Header{"Content-Type": {"text/html; charset=utf-8"}, "Location": {"/a?b=1&c=2"}}, Body: []byte(redirectBody)}
	if !goNetHTTP(r) {
		t.Error("Go redirect not recognised")
	}
	r.Header.Set("Location", "/elsewhere")
	if goNetHTTP(r) {
		t.Error("a body for another Location recognised")
	}
	tlsPort := &response{Status: 400, Header: http.Header{}, Body: []byte("Client sent an HTTP request to an HTTPS server.\n")}
	if !goNetHTTP(tlsPort) || !tlsRequired(tlsPort) {
		t.Error("Go's answer to plain HTTP on a TLS port not recognised")
	}
}

func TestScanExposition(t *testing.T) {
	good := "# HELP up x\n# TYPE up gauge\nup 1\n" +
		"http_requests_total{code=\"200\",path=\"/a \\\"quoted\\\" \\\\ b\"} 1027 1395066363000\n" +
		"rpc_duration_seconds{quantile=\"0.5\"} NaN\n" +
		"# EOF\n" +
		"foo_build_info{version=\"v1.2.3\",goversion=\"go1.22.0\",revision=\"abc\"} 1\n" +
		"latency_bucket{le=\"+Inf\"} 3 # {trace_id=\"KOO5S4vxi0o\"} 0.67\n"
	exp, ok := scanExposition(strings.NewReader(good))
	if !ok || exp.Build == nil || exp.Build.Component != "foo" || exp.Build.Version != "1.2.3" || exp.Build.GoVersion != "go1.22.0" {
		t.Fatalf("good exposition: %+v %v", exp, ok)
	}
	for _, bad := range []string{
		"<html><title>x</title></html>\n",
		"404 page not found\n",
		"{\"status\":\"ok\"}\n",
		"# TYPE up gauge\nup\n",
		"# TYPE up wibble\nup 1\n",
		"up{a=\"1\" 1\n",
		"up 1 2 3\n",
		"# just comments\n",
		"",
	} {
		if exp, ok := scanExposition(strings.NewReader(bad)); ok {
			t.Errorf("scanExposition(%q) accepted: %+v", bad, exp)
		}
	}
	// An overlong line is skipped, not a verdict; memory stays bounded.
	long := "# TYPE up gauge\nbig{l=\"" + strings.Repeat("x", 3*maxExpositionLine) + "\"} 1\nup 1\n"
	if _, ok := scanExposition(strings.NewReader(long)); !ok {
		t.Error("an overlong line rejected the exposition")
	}
}

// TestExpositionPlainCap shows why /metrics is asked for gzipped: in plain
// text node_exporter's build info lies beyond the read cap.
func TestExpositionPlainCap(t *testing.T) {
	body := nodeExporterMetrics()
	if len(body) <= fingerprint.MaxRead {
		t.Fatalf("fixture too small: %d bytes", len(body))
	}
	plain := &response{Status: 200, Header: http.Header{}, Body: []byte(body[:fingerprint.MaxRead]), Truncated: true}
	svc, ok := identifyExposition(plain)
	if !ok || svc.Product != "" {
		t.Errorf("plain, capped: %+v %v", svc, ok)
	}
	z := gzipped(body)
	if len(z) > fingerprint.MaxRead {
		t.Fatalf("gzipped fixture exceeds the cap: %d bytes", len(z))
	}
	zipped := &response{Status: 200, Header: http.Header{"Content-Encoding": {"gzip"}}, Body: []byte(z)}
	if svc, ok := identifyExposition(zipped); !ok || svc.Product != "node_exporter" || svc.Version != "1.7.0" {
		t.Errorf("gzipped: %+v %v", svc, ok)
	}
	// A gzip stream cut by the cap decodes as far as it arrived.
	cut := &response{Status: 200, Header: http.Header{"Content-Encoding": {"gzip"}}, Body: []byte(z[:len(z)/4]), Truncated: true}
	if _, ok := identifyExposition(cut); !ok {
		t.Error("a truncated gzip stream was not recognised")
	}
}

func TestCleanText(t *testing.T) {
	if got := cleanText("  é\u00a0ü \u202e x ", 10); !utf8.ValidString(got) || got != "é ü x" {
		t.Errorf("got %q", got)
	}
	if got := printable("a\r\nb\x00ç", 40); got != "a??b???" {
		t.Errorf("printable = %q", got)
	}
}

func TestReadResponseClassifies(t *testing.T) {
	for _, c := range []struct {
		in        string
		noMatch   bool
		malformed bool
	}{
		{"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi", false, false},
		{"HTTP/1.0 200 OK\r\n\r\nto the end", false, false},
		{"HTTP/1.1 200 OK\r\nbroken header line\r\n\r\n", false, true},
		{"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nshort", false, false},
		{"-ERR unknown command\r\n", true, false},
		{"", true, false},
		{"\x16\x03\x03\x00\x02\x02\x28", true, false},
	} {
		resp, err := readResponse(strings.NewReader(c.in), http.MethodGet)
		switch {
		case c.noMatch:
			if !bytes.Contains([]byte(errString(err)), []byte(fingerprint.ErrNoMatch.Error())) {
				t.Errorf("%q: want ErrNoMatch, got %+v, %v", c.in, resp, err)
			}
		case err != nil:
			t.Errorf("%q: %v", c.in, err)
		case resp.Malformed != c.malformed:
			t.Errorf("%q: malformed %v", c.in, resp.Malformed)
		}
	}
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}
