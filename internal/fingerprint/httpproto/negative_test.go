package httpproto

import (
	"bytes"
	"context"
	"errors"
	"io"
	"math/rand/v2"
	"net"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/portwatch/portwatch/internal/fingerprint"
)

// TestNotHTTP: peers that do not speak HTTP are ErrNoMatch for every
// fingerprinter, never a guess.
func TestNotHTTP(t *testing.T) {
	peers := []struct {
		name  string
		serve func(net.Conn)
	}{
		{"redis", func(c net.Conn) {
			// Redis 7 answers the request line, then drops the connection
			// at "Host:" (its cross-protocol scripting guard).
			_, _ = fingerprint.ReadUntil(c, 4096, "\r\n")
			_, _ = io.WriteString(c, "-ERR unknown command 'GET', with args beginning with: '/' 'HTTP/1.1' \r\n")
		}},
		{"ssh", func(c net.Conn) {
			_, _ = io.WriteString(c, "SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u2\r\n")
			readRequestHead(c)
			_, _ = io.WriteString(c, "Invalid SSH identification string.\r\n")
		}},
		{"garbage", func(c net.Conn) {
			readRequestHead(c)
			junk := make([]byte, 2048)
			rng := rand.New(rand.NewPCG(1, 2))
			for i := range junk {
				junk[i] = byte(rng.UintN(256))
			}
			_, _ = c.Write(junk)
		}},
		{"hangup", func(c net.Conn) {}},
		{"http-lookalike", func(c net.Conn) {
			readRequestHead(c)
			_, _ = io.WriteString(c, "HTTPS is not spoken here\r\n\r\n")
		}},
	}
	for _, p := range peers {
		addr := rawServer(t, p.serve)
		for _, fp := range All() {
			t.Run(p.name+"/"+fp.Name(), func(t *testing.T) {
				svc, err := probe(t, fp, addr, false)
				wantNoMatch(t, svc, err)
			})
		}
	}
}

// TestSilentServer: a peer that accepts and never answers is ErrNoMatch
// once the engine's deadline passes, and the timeout stays visible.
func TestSilentServer(t *testing.T) {
	addr := rawServer(t, func(c net.Conn) { _, _ = io.Copy(io.Discard, c) })
	for _, fp := range All() {
		s := dial(t, addr, false)
		if err := s.Conn.SetDeadline(time.Now().Add(200 * time.Millisecond)); err != nil {
			t.Fatal(err)
		}
		svc, err := fp.Probe(context.Background(), s)
		wantNoMatch(t, svc, err)
		var ne net.Error
		if !errors.As(err, &ne) || !ne.Timeout() {
			t.Errorf("%s: the timeout is not visible in %v", fp.Name(), err)
		}
	}
}

// TestCancel: cancelling the context ends a probe stuck on a silent peer
// even when the connection has no deadline.
func TestCancel(t *testing.T) {
	addr := rawServer(t, func(c net.Conn) { _, _ = io.Copy(io.Discard, c) })
	s := dial(t, addr, false)
	if err := s.Conn.SetDeadline(time.Time{}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	if _, err := (&HTTP{}).Probe(ctx, s); err == nil {
		t.Fatal("no error after cancel")
	}
}

// TestBoundedRead: a peer streaming headers (or a body) forever makes the
// probe read at most fingerprint.MaxRead bytes, then answer.
func TestBoundedRead(t *testing.T) {
	endless := func(prefix, chunk string) func(net.Conn) {
		return func(c net.Conn) {
			readRequestHead(c)
			if _, err := io.WriteString(c, prefix); err != nil {
				return
			}
			for {
				if _, err := io.WriteString(c, chunk); err != nil {
					return
				}
			}
		}
	}
	cases := []struct {
		name, prefix, chunk string
	}{
		{"headers", "HTTP/1.1 200 OK\r\nServer: nginx/1.22.1\r\n", "X-Filler: " + strings.Repeat("a", 1000) + "\r\n"},
		{"one-header-line", "HTTP/1.1 200 OK\r\nX-Long: ", strings.Repeat("b", 4096)},
		{"body", "HTTP/1.1 200 OK\r\nServer: nginx/1.22.1\r\nContent-Type: text/html\r\n\r\n<title>endless</title>", strings.Repeat("<p>more</p>", 100)},
		{"chunked", "HTTP/1.1 200 OK\r\nServer: nginx/1.22.1\r\nTransfer-Encoding: chunked\r\n\r\n", "400\r\n" + strings.Repeat("c", 1024) + "\r\n"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			addr := rawServer(t, endless(c.prefix, c.chunk))
			for _, fp := range All() {
				s := dial(t, addr, false)
				var n atomic.Int64
				s.Conn = countingConn{Conn: s.Conn, n: &n}
				svc, err := fp.Probe(context.Background(), s)
				if got := n.Load(); got > fingerprint.MaxRead {
					t.Errorf("%s read %d bytes, cap is %d", fp.Name(), got, fingerprint.MaxRead)
				}
				if fp.Name() != "http" {
					wantNoMatch(t, svc, err)
					continue
				}
				if err != nil || svc.Name != "http" {
					t.Errorf("http: %+v, %v", svc, err)
				}
				if len(svc.Extra) > 200 || len(svc.Banner) > fingerprint.MaxBanner+8 {
					t.Errorf("http: unbounded service text: extra %d, banner %d bytes", len(svc.Extra), len(svc.Banner))
				}
			}
		})
	}
}

// TestBoundedReadMemory: parsing an endless header stream allocates a
// small multiple of the cap, not what the peer sends.
func TestBoundedReadMemory(t *testing.T) {
	head := "HTTP/1.1 200 OK\r\n"
	line := "X-Filler: " + strings.Repeat("a", 100) + "\r\n"
	endless := io.MultiReader(strings.NewReader(head), &repeatReader{s: line})
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	resp, err := readResponse(endless, "GET")
	runtime.ReadMemStats(&after)
	if err != nil || !resp.Malformed || resp.Status != 200 {
		t.Fatalf("%+v, %v", resp, err)
	}
	if grew := after.TotalAlloc - before.TotalAlloc; grew > 64*fingerprint.MaxRead {
		t.Errorf("allocated %d bytes for a %d-byte cap", grew, fingerprint.MaxRead)
	}
}

// repeatReader yields s forever.
type repeatReader struct {
	s   string
	off int
}

func (r *repeatReader) Read(b []byte) (int, error) {
	n := 0
	for n < len(b) {
		c := copy(b[n:], r.s[r.off:])
		n += c
		r.off = (r.off + c) % len(r.s)
	}
	return n, nil
}

// TestMatchBanner: only the generic fingerprinter recognises an
// unsolicited HTTP response; no fingerprinter claims other banners.
func TestMatchBanner(t *testing.T) {
	banner := []byte("HTTP/1.1 408 Request Time-out\r\nServer: nginx/1.22.1\r\nContent-Type: text/html\r\nContent-Length: 176\r\nConnection: close\r\n\r\n<html>\r\n<head><title>408 Request Time-out</title></head>")
	for _, fp := range All() {
		svc, ok := fp.MatchBanner(banner)
		if fp.Name() != "http" {
			if ok {
				t.Errorf("%s claims an HTTP banner: %+v", fp.Name(), svc)
			}
			continue
		}
		if !ok || svc.Name != "http" || svc.Product != "nginx" || svc.Version != "1.22.1" || svc.Method != fingerprint.MethodBanner {
			t.Errorf("http banner: %+v, %v", svc, ok)
		}
	}
	for _, b := range [][]byte{
		[]byte("SSH-2.0-OpenSSH_9.2p1\r\n"), []byte("220 mail ESMTP Postfix\r\n"), []byte("HTTP/"), {0x16, 0x03, 0x01}, nil,
		bytes.Repeat([]byte("HTTP/1.1 200 OK\r\n"), 1),
	} {
		for _, fp := range All() {
			if svc, ok := fp.MatchBanner(b); ok && (fp.Name() != "http" || !bytes.HasPrefix(b, []byte("HTTP/1.1 200"))) {
				t.Errorf("%s matched %q: %+v", fp.Name(), b, svc)
			}
		}
	}
}
