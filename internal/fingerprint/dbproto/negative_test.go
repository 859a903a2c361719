package dbproto

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/portwatch/portwatch/internal/fingerprint"
)

// Every fingerprinter must say ErrNoMatch, not hang and not claim the
// service, when the peer is an HTTP server (one that waits for a request
// line, one that answers any bytes at once) or says nothing at all.
func TestNoMatch(t *testing.T) {
	web := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte("<html>hello</html>"))
	}))
	t.Cleanup(web.Close)
	eager := serve(t, func(c netConn) {
		_ = c.SetDeadline(time.Now().Add(probeTimeout))
		if _, err := c.Read(make([]byte, 1024)); err != nil {
			return
		}
		_, _ = c.Write([]byte("HTTP/1.1 400 Bad Request\r\nContent-Type: text/html\r\nContent-Length: 11\r\n\r\nBad Request"))
	})
	servers := map[string]string{"http": strings.TrimPrefix(web.URL, "http://"), "eager http": eager, "silent": silentServer(t)}
	// The probes mostly wait for deadlines: run them all at once.
	var wg sync.WaitGroup
	for _, fp := range All() {
		for name, addr := range servers {
			wg.Go(func() {
				svc, err := probeAddr(t, fp, addr, time.Second)
				if !errors.Is(err, fingerprint.ErrNoMatch) {
					t.Errorf("%s against the %s server: got %+v, %v; want ErrNoMatch", fp.Name(), name, svc, err)
				}
			})
		}
	}
	wg.Wait()
}

// A client-first protocol's Probe must refuse a peer that sent a banner
// without writing anything.
func TestNoMatchAfterBanner(t *testing.T) {
	for _, fp := range All() {
		if p, ok := fp.(fingerprint.Passive); ok && p.ServerSpeaksFirst() {
			continue
		}
		s := &fingerprint.Session{Banner: []byte("SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\r\n")}
		if _, err := fp.Probe(t.Context(), s); !errors.Is(err, fingerprint.ErrNoMatch) {
			t.Errorf("%s: %v", fp.Name(), err)
		}
	}
}

// MatchBanner claims only its own protocol's banners.
func TestMatchBannerForeign(t *testing.T) {
	foreign := map[string][]byte{
		"empty":    nil,
		"ssh":      []byte("SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\r\n"),
		"smtp":     []byte("220 mail.example.org ESMTP Postfix (Debian/GNU)\r\n"),
		"ftp":      []byte("220 (vsFTPd 3.0.3)\r\n"),
		"pop3":     []byte("+OK Dovecot (Debian) ready.\r\n"),
		"imap":     []byte("* OK [CAPABILITY IMAP4rev1] Dovecot (Debian) ready.\r\n"),
		"http":     []byte("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n"),
		"vnc":      []byte("RFB 003.008\n"),
		"binary":   {0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0x00, 0x01},
		"tiny":     {0x05, 0x00, 0x00, 0x00, 0x0a},
		"nats-bad": []byte("INFO {not json}\r\n"),
	}
	// Banners of this package's server-first protocols, from transcripts.
	own := map[string][]byte{
		"mysql": loadTranscript(t, "mariadb-10.11.19.transcript").firstServer(),
		"nats":  loadTranscript(t, "nats-server-2.9.10.transcript").firstServer(),
	}
	for _, fp := range All() {
		for name, b := range foreign {
			if svc, ok := fp.MatchBanner(b); ok {
				t.Errorf("%s claimed the %s banner: %+v", fp.Name(), name, svc)
			}
		}
		for owner, b := range own {
			if _, ok := fp.MatchBanner(b); ok != (owner == fp.Name()) {
				t.Errorf("%s on the %s banner: matched=%v", fp.Name(), owner, ok)
			}
		}
	}
}

func TestRegistry(t *testing.T) {
	seen := map[string]bool{}
	for _, fp := range All() {
		if seen[fp.Name()] {
			t.Errorf("%s registered twice", fp.Name())
		}
		seen[fp.Name()] = true
		if len(fp.Ports()) == 0 {
			t.Errorf("%s has no ports", fp.Name())
		}
	}
	for _, name := range []string{"redis", "memcached", "mysql", "postgresql", "mongodb", "kafka", "zookeeper", "amqp", "mqtt", "nats"} {
		if !seen[name] {
			t.Errorf("%s not registered", name)
		}
	}
}
