package textproto

import (
	"io"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/miekg/dns"

	"github.com/portwatch/portwatch/internal/fingerprint"
)

// dnsServer runs a miekg/dns TCP server on loopback with handler h.
func dnsServer(t *testing.T, h dns.HandlerFunc) *net.TCPAddr {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &dns.Server{Listener: ln, Handler: h}
	done := make(chan struct{})
	go func() { _ = srv.ActivateAndServe(); close(done) }()
	t.Cleanup(func() { _ = srv.Shutdown(); <-done })
	return ln.Addr().(*net.TCPAddr)
}

// versionBind answers version.bind with text, or refuses CHAOS when text
// is empty; other questions get an empty NOERROR answer with RA set.
func versionBind(text string) dns.HandlerFunc {
	return func(w dns.ResponseWriter, q *dns.Msg) {
		r := new(dns.Msg)
		r.SetReply(q)
		r.RecursionAvailable = true
		if q.Question[0].Qclass == dns.ClassCHAOS {
			if text == "" {
				r.SetRcode(q, dns.RcodeRefused)
			} else {
				r.Answer = append(r.Answer, &dns.TXT{
					Hdr: dns.RR_Header{Name: q.Question[0].Name, Rrtype: dns.TypeTXT, Class: dns.ClassCHAOS},
					Txt: []string{text},
				})
			}
		}
		_ = w.WriteMsg(r)
	}
}

func TestDNSVersionBind(t *testing.T) {
	for _, c := range []struct {
		text string
		want fingerprint.Service
	}{
		{"9.18.28-1~deb12u2-Debian", fingerprint.Service{Name: "domain", Product: "ISC BIND", Version: "9.18.28",
			Distro: &fingerprint.Distro{Name: "debian", Release: "12", Revision: "1~deb12u2"},
			CPE:    []string{"cpe:2.3:a:isc:bind:9.18.28:*:*:*:*:*:*:*"}, Confidence: 10, Method: fingerprint.MethodProbe}},
		{"dnsmasq-2.89", fingerprint.Service{Name: "domain", Product: "dnsmasq", Version: "2.89",
			CPE: []string{"cpe:2.3:a:thekelleys:dnsmasq:2.89:*:*:*:*:*:*:*"}, Confidence: 10, Method: fingerprint.MethodProbe}},
		{"unbound 1.17.1", fingerprint.Service{Name: "domain", Product: "Unbound", Version: "1.17.1",
			CPE: []string{"cpe:2.3:a:nlnetlabs:unbound:1.17.1:*:*:*:*:*:*:*"}, Confidence: 10, Method: fingerprint.MethodProbe}},
		{"go away", fingerprint.Service{Name: "domain", Extra: "version.bind: go away", Confidence: 7, Method: fingerprint.MethodProbe}},
		{"", fingerprint.Service{Name: "domain", Extra: "recursion available", Confidence: 7, Method: fingerprint.MethodProbe}},
	} {
		addr := dnsServer(t, versionBind(c.text))
		svc, err := probe(t, &DNS{}, addr.AddrPort(), nil)
		if err != nil {
			t.Fatalf("%q: %v", c.text, err)
		}
		checkService(t, svc, c.want)
	}
}

func TestDNSTranscript(t *testing.T) {
	// Replay the recorded answers with the IDs of the new queries.
	steps := loadTranscript(t, "dns-dnsmasq-2.90-debian12.txt")
	addr := serve(t, func(c net.Conn) {
		for _, st := range steps {
			if !st.server {
				continue
			}
			q := make([]byte, 4)
			if _, err := io.ReadFull(c, q); err != nil {
				return
			}
			if _, err := io.ReadFull(c, make([]byte, int(q[0])<<8|int(q[1])-2)); err != nil {
				return
			}
			answer := append([]byte(nil), st.data...)
			copy(answer[2:4], q[2:4])
			if _, err := c.Write(answer); err != nil {
				return
			}
		}
		_, _ = io.Copy(io.Discard, c)
	})
	svc, err := probe(t, &DNS{}, addr, nil)
	if err != nil {
		t.Fatal(err)
	}
	if svc.Product != "dnsmasq" || svc.Version != "2.90" {
		t.Errorf("got %+v", svc)
	}
}

func TestDNSNegative(t *testing.T) {
	t.Parallel()
	if _, ok := (&DNS{}).MatchBanner([]byte{0, 12}); ok {
		t.Error("banner matched")
	}
	wantNoMatch(t, &DNS{}, httpServer(t), true)
	wantNoMatch(t, &DNS{}, canned(t, "SSH-2.0-OpenSSH_9.2p1\r\n"), true)
	wantNoMatch(t, &DNS{}, silentServer(t), false)
}

// TestDNSLive runs Debian's dnsmasq on a random loopback port with no
// upstream servers and no hosts file.
func TestDNSLive(t *testing.T) {
	const bin = "/usr/sbin/dnsmasq"
	if _, err := os.Stat(bin); err != nil {
		t.Skip("dnsmasq not installed: apt-get install dnsmasq-base")
	}
	dir := t.TempDir()
	port := freePort(t)
	daemon(t, bin, "--keep-in-foreground", "--conf-file=/dev/null", "--no-resolv", "--no-hosts",
		"--listen-address=127.0.0.1", "--bind-interfaces", "--port="+strconv.Itoa(int(port)),
		"--pid-file="+filepath.Join(dir, "dnsmasq.pid"), "--user=nobody", "--log-facility=-")
	addr := netipLoopback(port)
	waitListening(t, addr)
	svc := liveProbe(t, &DNS{}, addr, "dns-dnsmasq-2.90-debian12.txt",
		"Debian 12 dnsmasq-base "+debVersion("dnsmasq-base")+", dnsmasq -k --no-resolv on 127.0.0.1, captured by TestDNSLive -update")
	if svc.Product != "dnsmasq" || svc.Version == "" {
		t.Errorf("got %+v", svc)
	}
}
