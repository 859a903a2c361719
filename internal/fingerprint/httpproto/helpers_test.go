package httpproto

import (
	"context"
	"crypto/tls"
	"errors"
	"net"
	"net/netip"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/portwatch/portwatch/internal/fingerprint"
)

// probeTimeout stands in for the engine's per-probe deadline.
const probeTimeout = 5 * time.Second

// countingConn counts the bytes read through it.
type countingConn struct {
	net.Conn
	n *atomic.Int64
}

func (c countingConn) Read(b []byte) (int, error) {
	n, err := c.Conn.Read(b)
	c.n.Add(int64(n))
	return n, err
}

// dial opens a session to addr the way the engine does: a fresh
// connection with a deadline, wrapped in TLS when useTLS is set.
func dial(t *testing.T, addr string, useTLS bool) *fingerprint.Session {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, probeTimeout)
	if err != nil {
		t.Fatalf("dial %s: %v", addr, err)
	}
	t.Cleanup(func() { c.Close() })
	if err := c.SetDeadline(time.Now().Add(probeTimeout)); err != nil {
		t.Fatal(err)
	}
	s := &fingerprint.Session{Addr: netip.MustParseAddrPort(addr), Conn: c}
	if useTLS {
		tc := tls.Client(c, &tls.Config{InsecureSkipVerify: true}) //nolint:gosec // a test server's own certificate
		if err := tc.Handshake(); err != nil {
			t.Fatalf("TLS handshake with %s: %v", addr, err)
		}
		s.Conn = tc
		s.TLS = fingerprint.TLSFacts(tc.ConnectionState())
	}
	return s
}

// probe runs fp against addr on a fresh session.
func probe(t *testing.T, fp fingerprint.Fingerprinter, addr string, useTLS bool) (fingerprint.Service, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), probeTimeout)
	defer cancel()
	return fp.Probe(ctx, dial(t, addr, useTLS))
}

// rawServer listens on 127.0.0.1 and runs serve for every connection, for
// peers that are not (well-behaved) HTTP servers.
func rawServer(t *testing.T, serve func(net.Conn)) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	t.Cleanup(func() {
		close(done)
		ln.Close()
	})
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				_ = c.SetDeadline(time.Now().Add(2 * probeTimeout))
				serve(c)
			}()
		}
	}()
	return ln.Addr().String()
}

// readRequestHead consumes a request head, as any server would first.
func readRequestHead(c net.Conn) string {
	head, _ := fingerprint.ReadUntil(c, 8192, "\r\n\r\n")
	return string(head)
}

// want is the expected outcome of one fingerprinter on one fixture.
type want struct {
	Name, Product, Version string
	Confidence             int      // 0: not checked
	CPE                    []string // nil: not checked; else the exact list
	Extra                  []string // substrings Extra must contain
	Distro, OS             string   // "": not checked
}

// check compares a Probe's outcome with w.
func (w want) check(t *testing.T, svc fingerprint.Service, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("want %s %s %s, got error %v", w.Name, w.Product, w.Version, err)
	}
	if svc.Name != w.Name || svc.Product != w.Product || svc.Version != w.Version {
		t.Errorf("got %q %q %q, want %q %q %q", svc.Name, svc.Product, svc.Version, w.Name, w.Product, w.Version)
	}
	if w.Confidence != 0 && svc.Confidence != w.Confidence {
		t.Errorf("confidence %d, want %d", svc.Confidence, w.Confidence)
	}
	if w.CPE != nil && !slices.Equal(svc.CPE, w.CPE) {
		t.Errorf("CPE %q, want %q", svc.CPE, w.CPE)
	}
	for _, e := range w.Extra {
		if !strings.Contains(svc.Extra, e) {
			t.Errorf("extra %q lacks %q", svc.Extra, e)
		}
	}
	if w.Distro != "" && (svc.Distro == nil || svc.Distro.Name != w.Distro) {
		t.Errorf("distro %+v, want %s", svc.Distro, w.Distro)
	}
	if w.OS != "" && svc.OS != w.OS {
		t.Errorf("OS %q, want %q", svc.OS, w.OS)
	}
	if svc.Method != fingerprint.MethodProbe || svc.Banner == "" {
		t.Errorf("method %q banner %q", svc.Method, svc.Banner)
	}
}

// wantNoMatch asserts a Probe ruled itself out.
func wantNoMatch(t *testing.T, svc fingerprint.Service, err error) {
	t.Helper()
	if !errors.Is(err, fingerprint.ErrNoMatch) {
		t.Errorf("want ErrNoMatch, got %+v, %v", svc, err)
	}
}

// cpe is fingerprint.CPE for applications, to keep tables short.
func cpe(vendor, product, version string) string {
	return fingerprint.CPE("a", vendor, product, version)
}

func mustAddrPort(t *testing.T, s string) netip.AddrPort {
	t.Helper()
	ap, err := netip.ParseAddrPort(s)
	if err != nil {
		t.Fatal(err)
	}
	return ap
}
