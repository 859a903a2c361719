package nmapprobe

import (
	"bufio"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"net"
	"net/netip"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/portwatch/portwatch/internal/fingerprint"
)

// server is a loopback service: banner first (if any), then for each line
// the answer from replies, closing on a line it does not know.
func server(t *testing.T, wrap func(net.Conn) net.Conn, banner string, replies map[string]string) netip.AddrPort {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	t.Cleanup(func() { ln.Close(); wg.Wait() })
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer c.Close()
				_ = c.SetDeadline(time.Now().Add(5 * time.Second))
				if wrap != nil {
					c = wrap(c)
				}
				if banner != "" {
					if _, err := c.Write([]byte(banner)); err != nil {
						return
					}
				}
				rd := bufio.NewReader(c)
				for {
					l, err := rd.ReadString('\n')
					if err != nil {
						return
					}
					out, ok := replies[strings.TrimRight(l, "\r\n")]
					if !ok {
						return
					}
					if _, err := c.Write([]byte(out)); err != nil {
						return
					}
				}
			}()
		}
	}()
	return netip.MustParseAddrPort(ln.Addr().String())
}

// redirect dials real whatever address is asked for, and counts dials.
func redirect(real netip.AddrPort, dials *atomic.Int64) DialFunc {
	return func(ctx context.Context, network, _ string) (net.Conn, error) {
		dials.Add(1)
		var d net.Dialer
		return d.DialContext(ctx, network, real.String())
	}
}

// identifyAt runs s.Identify as if the server listened on port.
func identifyAt(t *testing.T, s *Set, port uint16, useTLS bool, real netip.AddrPort) (fingerprint.Service, bool) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	var dials atomic.Int64
	return s.Identify(ctx, redirect(real, &dials), real.Addr(), port, useTLS)
}

func TestIdentifyBanner(t *testing.T) {
	s := loadTest(t)
	ap := server(t, nil, "PWTEST 1.2.3 (debian)\r\n", nil)
	svc, ok := identifyAt(t, s, ap.Port(), false, ap)
	want := "cpe:2.3:a:portwatch:test_daemon:1.2.3:*:*:*:*:*:*:*"
	if !ok || svc.Name != "pwtest" || svc.Product != "Portwatch test daemon" || svc.Version != "1.2.3" ||
		svc.Extra != "debian" || len(svc.CPE) != 1 || svc.CPE[0] != want ||
		svc.Method != fingerprint.MethodNmapProbe || svc.Confidence != fingerprint.ConfidenceCertain ||
		svc.Banner != `PWTEST 1.2.3 (debian)\r\n` {
		t.Errorf("got %+v", svc)
	}
}

func TestIdentifyBinaryAndPossessive(t *testing.T) {
	s := loadTest(t)
	for banner, want := range map[string]string{
		"\x01\x02\x01\x00":           "pwbin Binary thing 256",
		"POSS word abc 42\r\n":       "pwposs Possessive 42",
		"POSS word abcx 42\r\n":      "pwposs Possessive 42",
		"PWTEST 1 (\xff\xfe)\r\n":    "pwtest Portwatch test daemon 1",
		"SOFT\r\nnothing more here ": "pwsoft  ",
	} {
		ap := server(t, nil, banner, nil)
		svc, ok := identifyAt(t, s, ap.Port(), false, ap)
		if got := svc.Name + " " + svc.Product + " " + svc.Version; !ok || got != want {
			t.Errorf("%q: got %q (%+v)", banner, got, svc)
		}
	}
}

func TestIdentifyProbeAndSoftmatch(t *testing.T) {
	s := loadTest(t)
	hello := server(t, nil, "", map[string]string{"HELLO": "hi World\r\nVER 1_2_3\r\n"})
	svc, ok := identifyAt(t, s, 80, false, hello)
	if !ok || svc.Name != "pwhello" || svc.Product != "World" || svc.Version != "1.2.3" || svc.Hostname != "hello.host" ||
		svc.OS != "Linux" || len(svc.CPE) != 1 || svc.CPE[0] != "cpe:2.3:o:linux:linux_kernel:*:*:*:*:*:*:*:*" {
		t.Errorf("got %+v", svc)
	}
	soft := server(t, nil, "SOFT\r\n", map[string]string{"HELLO": "SOFT ok v3\r\n"})
	svc, ok = identifyAt(t, s, 80, false, soft)
	if !ok || svc.Name != "pwsoft" || svc.Product != "Soft confirmed" || svc.Version != "3" || svc.Confidence != 10 {
		t.Errorf("got %+v", svc)
	}
}

func TestIdentifyFallback(t *testing.T) {
	s := loadTest(t)
	// Answers only the Echoish probe, with text only Hello's lines know.
	ap := server(t, nil, "", map[string]string{"ECHO?": "HI fallback\r\nVER 7\r\n"})
	svc, ok := identifyAt(t, s, 40000, false, ap)
	if !ok || svc.Name != "pwhello" || svc.Product != "fallback" {
		t.Errorf("got %+v, %v", svc, ok)
	}
}

func TestIdentifyRarity(t *testing.T) {
	s := loadTest(t)
	ap := server(t, nil, "", map[string]string{"RARE": "RARE\r\n"})
	if svc, ok := identifyAt(t, s, 40000, false, ap); ok {
		t.Errorf("rarity 9 probe sent at intensity 7: %+v", svc)
	}
	all := *s
	all.Intensity = 9
	if svc, ok := identifyAt(t, &all, 40000, false, ap); !ok || svc.Name != "pwrare" {
		t.Errorf("intensity 9: got %+v, %v", svc, ok)
	}
}

func TestIdentifyExcludeAndWrapped(t *testing.T) {
	s := loadTest(t)
	ap := server(t, nil, "PWTEST 1 (x)\r\n", nil)
	if _, ok := identifyAt(t, s, 9, false, ap); ok {
		t.Error("excluded port probed")
	}
	closer := server(t, func(c net.Conn) net.Conn { c.Close(); return c }, "", nil)
	if svc, ok := identifyAt(t, s, closer.Port(), false, closer); !ok || svc.Name != "tcpwrapped" {
		t.Errorf("got %+v %v", svc, ok)
	}
}

func TestIdentifyTLS(t *testing.T) {
	s := loadTest(t)
	cert := selfSigned(t)
	wrap := func(c net.Conn) net.Conn {
		tc := tls.Server(c, &tls.Config{Certificates: []tls.Certificate{cert}})
		if tc.Handshake() != nil {
			c.Close()
		}
		return tc
	}
	ap := server(t, wrap, "", map[string]string{"HELLO": "HI tls\r\nVER 2\r\n"})
	svc, ok := identifyAt(t, s, 7443, true, ap)
	if !ok || svc.Name != "pwhello" || svc.Product != "tls" {
		t.Errorf("got %+v %v", svc, ok)
	}
}

func TestIdentifyAfterSkipsNULL(t *testing.T) {
	s := loadTest(t)
	ap := server(t, nil, "", nil)
	var dials atomic.Int64
	svc, ok := s.IdentifyAfter(context.Background(), redirect(ap, &dials), ap.Addr(), 40000, false, []byte("PWTEST 4.5 (given)\r\n"))
	if !ok || svc.Version != "4.5" || dials.Load() != 0 {
		t.Errorf("got %+v %v after %d dials", svc, ok, dials.Load())
	}
}

func TestIdentifyBudget(t *testing.T) {
	s := loadTest(t)
	hold := make(chan struct{})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	defer close(hold)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() { <-hold; c.Close() }()
		}
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
	defer cancel()
	start := time.Now()
	var d net.Dialer
	ap := netip.MustParseAddrPort(ln.Addr().String())
	if _, ok := s.Identify(ctx, d.DialContext, ap.Addr(), ap.Port(), false); ok {
		t.Error("a tarpit matched")
	}
	if el := time.Since(start); el > 3*time.Second {
		t.Errorf("took %v with a 500ms budget", el)
	}
}

func selfSigned(t *testing.T) tls.Certificate {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "probe.test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
}
