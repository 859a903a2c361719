package engine

import (
	"context"
	"crypto/tls"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/portwatch/portwatch/internal/fingerprint"
)

// slack is how much longer than its budget an identification may take in
// a test on a loaded machine; the budget itself is what is being checked.
const slack = 3 * time.Second

func identify(t *testing.T, opts Options, tgt Target) fingerprint.Service {
	t.Helper()
	if opts.Fingerprinters == nil {
		opts.Fingerprinters = fakes()
	}
	e := New(opts)
	start := time.Now()
	svc := e.Identify(context.Background(), tgt)
	if d := time.Since(start); d > e.budget+slack {
		t.Errorf("identification took %v, budget %v", d, e.budget)
	}
	return svc
}

func local(ap netip.AddrPort) Target { return Target{Addr: ap} }

func TestBanner(t *testing.T) {
	ap := serve(t, func(c net.Conn) {
		_, _ = c.Write([]byte("SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\r\n"))
		_, _ = io.Copy(io.Discard, c)
	})
	svc := identify(t, Options{}, local(ap))
	if svc.Name != "ssh" || svc.Product != "OpenSSH" || svc.Version != "9.2p1" ||
		svc.Method != fingerprint.MethodBanner || svc.Confidence != 10 || svc.TLS != nil ||
		!strings.HasPrefix(svc.Banner, `SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\r\n`) || len(svc.CPE) != 1 {
		t.Errorf("got %+v", svc)
	}
}

func newHTTP(t *testing.T, tlsCfg *tls.Config) netip.AddrPort {
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Server", "nginx/1.22.1")
		_, _ = io.WriteString(w, "hello\n")
	}))
	if tlsCfg != nil {
		srv.TLS = tlsCfg
		srv.EnableHTTP2 = true
		srv.StartTLS()
	} else {
		srv.Start()
	}
	t.Cleanup(srv.Close)
	return netip.MustParseAddrPort(srv.Listener.Addr().String())
}

func TestHTTPOnOddPort(t *testing.T) {
	svc := identify(t, Options{}, local(newHTTP(t, nil)))
	if svc.Name != "http" || svc.Product != "nginx" || svc.Version != "1.22.1" ||
		svc.Method != fingerprint.MethodProbe || svc.TLS != nil {
		t.Errorf("got %+v", svc)
	}
}

func TestHTTPSOnOddPort(t *testing.T) {
	cert := testCert(t, "www.portwatch.test")
	ap := newHTTP(t, &tls.Config{Certificates: []tls.Certificate{cert}})
	svc := identify(t, Options{}, Target{Addr: ap, ServerName: "www.portwatch.test"})
	if svc.Name != "https" || svc.Product != "nginx" || svc.Method != fingerprint.MethodProbe || svc.TLS == nil {
		t.Fatalf("got %+v", svc)
	}
	if svc.TLS.Subject != "CN=www.portwatch.test" || !svc.TLS.SelfSigned || svc.TLS.ALPN != "h2" ||
		svc.TLS.StartTLS || len(svc.TLS.SHA256) != 64 || svc.TLS.Version == "" {
		t.Errorf("tls facts %+v", *svc.TLS)
	}
}

func TestHTTPSOnItsPort(t *testing.T) {
	cert := testCert(t, "www.portwatch.test")
	tgt, r := at(443, newHTTP(t, &tls.Config{Certificates: []tls.Certificate{cert}}))
	svc := identify(t, Options{Dial: r.dial}, tgt)
	if svc.Name != "https" || svc.Product != "nginx" || svc.TLS == nil {
		t.Errorf("got %+v", svc)
	}
}

// smtpServer greets, answers EHLO with STARTTLS when cert is set, and
// upgrades on STARTTLS.
func smtpServer(cert *tls.Certificate) func(net.Conn) {
	handle := func(c net.Conn, inTLS bool) {
		upgrade := false
		lines("220 mail.portwatch.test ESMTP Postfix (Debian/GNU)\r\n", func(l string) string {
			switch {
			case strings.HasPrefix(l, "EHLO"):
				if cert != nil && !inTLS {
					return "250-mail.portwatch.test\r\n250-PIPELINING\r\n250-STARTTLS\r\n250 8BITMIME\r\n"
				}
				return "250-mail.portwatch.test\r\n250 8BITMIME\r\n"
			case l == "STARTTLS" && cert != nil && !inTLS:
				upgrade = true
				_, _ = c.Write([]byte("220 2.0.0 Ready to start TLS\r\n"))
				return ""
			}
			return "502 5.5.2 Error: command not recognized\r\n"
		})(c)
		if upgrade {
			tc := tls.Server(c, &tls.Config{Certificates: []tls.Certificate{*cert}})
			if tc.Handshake() == nil {
				lines("", func(string) string { return "250 ok\r\n" })(tc)
			}
		}
	}
	return func(c net.Conn) { handle(c, false) }
}

func TestSTARTTLS(t *testing.T) {
	cert := testCert(t, "mail.portwatch.test")
	tgt, r := at(25, serve(t, smtpServer(&cert)))
	svc := identify(t, Options{Dial: r.dial}, tgt)
	if svc.Name != "smtp" || svc.Product != "Postfix" || svc.Method != fingerprint.MethodBanner || svc.TLS == nil {
		t.Fatalf("got %+v", svc)
	}
	if !svc.TLS.StartTLS || svc.TLS.Subject != "CN=mail.portwatch.test" {
		t.Errorf("tls facts %+v", *svc.TLS)
	}
}

func TestNoSTARTTLS(t *testing.T) {
	svc := identify(t, Options{}, local(serve(t, smtpServer(nil))))
	if svc.Name != "smtp" || svc.TLS != nil {
		t.Errorf("got %+v", svc)
	}
}

func TestSMTPS(t *testing.T) {
	cert := testCert(t, "mail.portwatch.test")
	ap := serveTLS(t, &tls.Config{Certificates: []tls.Certificate{cert}}, smtpServer(nil))
	for _, port := range []uint16{465, 40465} {
		tgt, r := at(port, ap)
		svc := identify(t, Options{Dial: r.dial}, tgt)
		if svc.Name != "smtps" || svc.Product != "Postfix" || svc.TLS == nil || svc.TLS.StartTLS ||
			svc.Method != fingerprint.MethodBanner {
			t.Errorf("port %d: got %+v", port, svc)
		}
	}
}

func TestProbeDefaults(t *testing.T) {
	ap := serve(t, lines("", func(l string) string {
		if l == "PING" {
			return "+PONG\r\n"
		}
		return "-ERR unknown command\r\n"
	}))
	svc := identify(t, Options{}, local(ap))
	if svc.Name != "redis" || svc.Method != fingerprint.MethodProbe || svc.Confidence != fingerprint.ConfidenceLikely {
		t.Errorf("got %+v", svc)
	}
}

func TestPortHint(t *testing.T) {
	// Accepts and closes as soon as anything is written: nothing answers.
	silent := serve(t, func(c net.Conn) { _, _ = c.Read(make([]byte, 1)) })
	tgt, r := at(5432, silent)
	svc := identify(t, Options{Dial: r.dial}, tgt)
	if svc.Name != "postgresql" || svc.Method != fingerprint.MethodPortHint || svc.Confidence != 3 {
		t.Errorf("got %+v", svc)
	}
	svc = identify(t, Options{}, local(silent))
	if svc.Name != "unknown" || svc.Confidence != 0 {
		t.Errorf("got %+v", svc)
	}
}

func TestUnknownKeepsBanner(t *testing.T) {
	ap := serve(t, func(c net.Conn) {
		_, _ = c.Write([]byte("WELCOME TO THE \x00\xff MACHINE\r\n"))
		_, _ = io.Copy(io.Discard, c)
	})
	svc := identify(t, Options{PortTimeout: 2 * time.Second}, local(ap))
	if svc.Name != "unknown" || svc.Banner != `WELCOME TO THE \x00\xff MACHINE\r\n` {
		t.Errorf("got %+v", svc)
	}
}

func TestTCPWrapped(t *testing.T) {
	ap := serve(t, func(net.Conn) {}) // closes at once
	svc := identify(t, Options{}, local(ap))
	if svc.Name != "tcpwrapped" {
		t.Errorf("got %+v", svc)
	}
}

func TestTarpit(t *testing.T) {
	hold := make(chan struct{})
	ap := serve(t, func(net.Conn) { <-hold }) // accepts, never reads, never writes
	t.Cleanup(func() { close(hold) })         // before serve's cleanup waits for handlers
	tgt, r := at(80, ap)
	svc := identify(t, Options{Dial: r.dial, PortTimeout: time.Second}, tgt)
	if svc.Name != "http" || svc.Method != fingerprint.MethodPortHint {
		t.Errorf("got %+v", svc)
	}
}

func TestEndlessStream(t *testing.T) {
	chunk := []byte(strings.Repeat("\x00garbage", 1024))
	ap := serve(t, func(c net.Conn) {
		for {
			if _, err := c.Write(chunk); err != nil {
				return
			}
		}
	})
	tgt, r := at(6379, ap)
	svc := identify(t, Options{Dial: r.dial, PortTimeout: 2 * time.Second}, tgt)
	if svc.Name != "redis" || svc.Method != fingerprint.MethodPortHint {
		t.Errorf("got %+v", svc)
	}
	if len(svc.Banner) > fingerprint.MaxBanner+8 {
		t.Errorf("banner of %d characters", len(svc.Banner))
	}
	if n := r.maxRead.Load(); n > maxConnRead+maxBanner {
		t.Errorf("one connection read %d bytes", n)
	}
}

func TestGarbageTLS(t *testing.T) {
	for name, reply := range map[string][]byte{
		"random":      []byte("\x16\x03\x03\x00\x10\xde\xad\xbe\xef garbage garbage garbage"),
		"huge record": []byte("\x16\x03\x03\xff\xff" + strings.Repeat("\x01", 3000)),
		"alert":       []byte("\x15\x03\x03\x00\x02\x02\x28"),
		"bad hello":   []byte("\x16\x03\x03\x00\x08\x02\x00\x00\x04\x03\x03\x00\x00"),
	} {
		t.Run(name, func(t *testing.T) {
			ap := serve(t, func(c net.Conn) {
				buf := make([]byte, 512)
				if n, _ := c.Read(buf); n > 0 && buf[0] == 0x16 {
					_, _ = c.Write(reply)
				}
			})
			tgt, r := at(443, ap)
			svc := identify(t, Options{Dial: r.dial, PortTimeout: 2 * time.Second}, tgt)
			if svc.TLS != nil || svc.Name != "https" || svc.Method != fingerprint.MethodPortHint {
				t.Errorf("got %+v", svc)
			}
		})
	}
}

func TestPanickingFingerprinter(t *testing.T) {
	ap := serve(t, func(c net.Conn) {
		_, _ = c.Write([]byte("SSH-2.0-OpenSSH_9.6\r\n"))
		_, _ = io.Copy(io.Discard, c)
	})
	svc := identify(t, Options{Fingerprinters: append(fakes(), panicky{})}, local(ap))
	if svc.Name != "ssh" {
		t.Errorf("got %+v", svc)
	}
	svc = identify(t, Options{Fingerprinters: []fingerprint.Fingerprinter{panicky{}}, PortTimeout: 2 * time.Second}, local(ap))
	if svc.Name != "unknown" {
		t.Errorf("got %+v", svc)
	}
}

func TestCancelled(t *testing.T) {
	hold := make(chan struct{})
	ap := serve(t, func(net.Conn) { <-hold })
	t.Cleanup(func() { close(hold) })
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(200*time.Millisecond, cancel)
	start := time.Now()
	New(Options{Fingerprinters: fakes(), PortTimeout: time.Minute}).Identify(ctx, local(ap))
	if d := time.Since(start); d > slack {
		t.Errorf("cancelled identification took %v", d)
	}
}

func TestIdentifyAll(t *testing.T) {
	ssh := serve(t, func(c net.Conn) {
		_, _ = c.Write([]byte("SSH-2.0-OpenSSH_9.2p1\r\n"))
		_, _ = io.Copy(io.Discard, c)
	})
	web := newHTTP(t, nil)
	e := New(Options{Fingerprinters: fakes(), Concurrency: 2})
	in := make(chan Target)
	go func() {
		defer close(in)
		for range 3 {
			in <- local(ssh)
			in <- local(web)
		}
	}()
	got := map[string]int{}
	for r := range e.IdentifyAll(context.Background(), in) {
		got[r.Target.Addr.String()+" "+r.Service.Name]++
	}
	if got[ssh.String()+" ssh"] != 3 || got[web.String()+" http"] != 3 || len(got) != 2 {
		t.Errorf("got %v", got)
	}
}

func TestDefaults(t *testing.T) {
	e := New(Options{})
	if e.budget != DefaultPortTimeout || e.workers != DefaultConcurrency || e.dial == nil || e.fps == nil {
		t.Errorf("defaults not applied: %+v", e)
	}
}
