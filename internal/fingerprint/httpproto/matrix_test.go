package httpproto

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/portwatch/portwatch/internal/fingerprint"
)

// TestFixtures runs every fingerprinter against every imitated product:
// each must identify what it should and rule itself out everywhere else
// (an nginx 404 for /version is not etcd).
func TestFixtures(t *testing.T) {
	fps := All()
	for _, f := range fixtures() {
		t.Run(f.Name, func(t *testing.T) {
			t.Parallel()
			var srv *httptest.Server
			if f.TLS {
				srv = httptest.NewTLSServer(f.handler())
			} else {
				srv = httptest.NewServer(f.handler())
			}
			defer srv.Close()
			addr := srv.Listener.Addr().String()
			for name := range f.Want {
				if !hasFingerprinter(fps, name) {
					t.Fatalf("fixture %s expects unknown fingerprinter %q", f.Name, name)
				}
			}
			for _, fp := range fps {
				t.Run(fp.Name(), func(t *testing.T) {
					svc, err := probe(t, fp, addr, f.TLS)
					if w, ok := f.Want[fp.Name()]; ok {
						w.check(t, svc, err)
					} else {
						wantNoMatch(t, svc, err)
					}
				})
			}
		})
	}
}

func hasFingerprinter(fps []fingerprint.Fingerprinter, name string) bool {
	for _, fp := range fps {
		if fp.Name() == name {
			return true
		}
	}
	return false
}

// TestEveryHTTPFixtureIsHTTP guards the table: the generic fingerprinter
// must name every fixture, since all of them speak HTTP.
func TestEveryHTTPFixtureIsHTTP(t *testing.T) {
	for _, f := range fixtures() {
		if _, ok := f.Want["http"]; !ok {
			t.Errorf("fixture %s has no expectation for the generic http fingerprinter", f.Name)
		}
		if f.Imitates == "" {
			t.Errorf("fixture %s does not say what it imitates", f.Name)
		}
	}
}

// TestRequest checks what goes on the wire: one GET with Host (the port
// only when it is not the scheme's default), Connection: close and a
// neutral User-Agent, in plain text and inside TLS.
func TestRequest(t *testing.T) {
	for _, useTLS := range []bool{false, true} {
		var mu sync.Mutex
		var got *http.Request
		h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			mu.Lock()
			got = r.Clone(r.Context())
			mu.Unlock()
			w.Header().Set("Server", "nginx/1.22.1")
		})
		srv := httptest.NewUnstartedServer(h)
		if useTLS {
			srv.StartTLS()
		} else {
			srv.Start()
		}
		addr := srv.Listener.Addr().String()
		svc, err := probe(t, &HTTP{}, addr, useTLS)
		srv.Close()
		if err != nil || svc.Product != "nginx" {
			t.Fatalf("TLS %v: %+v, %v", useTLS, svc, err)
		}
		mu.Lock()
		r := got
		mu.Unlock()
		if r.Method != http.MethodGet || r.URL.Path != "/" || r.Proto != "HTTP/1.1" {
			t.Errorf("request %s %s %s", r.Method, r.URL, r.Proto)
		}
		if r.Host != addr {
			t.Errorf("Host %q, want %q", r.Host, addr)
		}
		if !r.Close {
			t.Error("no Connection: close")
		}
		if ua := r.Header.Get("User-Agent"); ua != userAgent || strings.Contains(ua, "Go-http-client") {
			t.Errorf("User-Agent %q", ua)
		}
		if r.Header.Get("Accept-Encoding") != "" {
			t.Error("the generic probe must not ask for compression")
		}
	}
}

// TestHostHeader covers names, default ports, IPv6 and a hostile name.
func TestHostHeader(t *testing.T) {
	for _, c := range []struct {
		addr, name string
		tls        bool
		want       string
	}{
		{"192.0.2.1:80", "", false, "192.0.2.1"},
		{"192.0.2.1:8080", "", false, "192.0.2.1:8080"},
		{"192.0.2.1:443", "", true, "192.0.2.1"},
		{"192.0.2.1:443", "", false, "192.0.2.1:443"},
		{"192.0.2.1:8443", "www.example.org", true, "www.example.org:8443"},
		{"[2001:db8::1]:80", "", false, "[2001:db8::1]"},
		{"[2001:db8::1]:8080", "", false, "[2001:db8::1]:8080"},
		{"[fe80::1%eth0]:8080", "", false, "[fe80::1]:8080"},
		{"192.0.2.1:80", "evil\r\nX-Injected: 1", false, "192.0.2.1"},
	} {
		s := &fingerprint.Session{Addr: mustAddrPort(t, c.addr), ServerName: c.name}
		if c.tls {
			s.TLS = &fingerprint.TLSInfo{}
		}
		if got := hostHeader(s); got != c.want {
			t.Errorf("hostHeader(%s, %q, tls=%v) = %q, want %q", c.addr, c.name, c.tls, got, c.want)
		}
	}
}
