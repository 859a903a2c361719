package dbproto

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/netip"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/portwatch/portwatch/internal/fingerprint"
)

// probeTimeout bounds one probe in tests.
const probeTimeout = 5 * time.Second

// probeAddr dials addr and runs fp's Probe on the fresh connection, the
// way the engine does.
func probeAddr(t *testing.T, fp fingerprint.Fingerprinter, addr string, timeout time.Duration) (fingerprint.Service, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), timeout)
	defer cancel()
	// No t.Fatal here: probes run in goroutines too.
	var d net.Dialer
	c, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return fingerprint.Service{}, fmt.Errorf("test dial %s: %w", addr, err)
	}
	defer c.Close()
	dl, _ := ctx.Deadline()
	if err := c.SetDeadline(dl); err != nil {
		return fingerprint.Service{}, err
	}
	return fp.Probe(ctx, &fingerprint.Session{Addr: netip.MustParseAddrPort(addr), Conn: c})
}

// serve runs handle for each connection to a loopback listener.
func serve(t *testing.T, handle func(net.Conn)) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	t.Cleanup(func() { ln.Close(); wg.Wait() })
	wg.Go(func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			wg.Go(func() { defer c.Close(); handle(c) })
		}
	})
	return ln.Addr().String()
}

// silentServer accepts connections and never answers.
func silentServer(t *testing.T) string {
	return serve(t, func(c net.Conn) {
		_ = c.SetDeadline(time.Now().Add(probeTimeout))
		_, _ = io.Copy(io.Discard, c)
	})
}

// wantService compares the fields a test cares about; empty fields of
// want are not checked except Version, Product and Name.
func wantService(t *testing.T, got, want fingerprint.Service) {
	t.Helper()
	if got.Name != want.Name || got.Product != want.Product || got.Version != want.Version {
		t.Errorf("got %q %q %q, want %q %q %q", got.Name, got.Product, got.Version, want.Name, want.Product, want.Version)
	}
	if want.Extra != "" && got.Extra != want.Extra {
		t.Errorf("extra %q, want %q", got.Extra, want.Extra)
	}
	if want.CPE != nil && strings.Join(got.CPE, " ") != strings.Join(want.CPE, " ") {
		t.Errorf("cpe %q, want %q", got.CPE, want.CPE)
	}
	if want.Confidence != 0 && got.Confidence != want.Confidence {
		t.Errorf("confidence %d, want %d", got.Confidence, want.Confidence)
	}
	if want.Method != "" && got.Method != want.Method {
		t.Errorf("method %q, want %q", got.Method, want.Method)
	}
	if want.Distro != nil && (got.Distro == nil || *got.Distro != *want.Distro) {
		t.Errorf("distro %+v, want %+v", got.Distro, want.Distro)
	}
	if want.OS != "" && got.OS != want.OS {
		t.Errorf("os %q, want %q", got.OS, want.OS)
	}
	if want.Hostname != "" && got.Hostname != want.Hostname {
		t.Errorf("hostname %q, want %q", got.Hostname, want.Hostname)
	}
	if got.Banner == "" {
		t.Error("no banner kept")
	}
}

// startTLSAddr dials addr, runs st's StartTLS and the TLS handshake after
// it, and returns the server certificate's common name.
func startTLSAddr(t *testing.T, st fingerprint.StartTLSer, addr string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), probeTimeout)
	defer cancel()
	var d net.Dialer
	c, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		t.Fatalf("dial %s: %v", addr, err)
	}
	defer c.Close()
	dl, _ := ctx.Deadline()
	_ = c.SetDeadline(dl)
	if err := st.StartTLS(ctx, &fingerprint.Session{Addr: netip.MustParseAddrPort(addr), Conn: c}); err != nil {
		t.Fatalf("StartTLS: %v", err)
	}
	return handshakeAfter(t, c)
}

// netConn is a server-side connection in test handlers.
type netConn = net.Conn

// waitClose holds a test server's connection until the client closes it.
func waitClose(c net.Conn) {
	_ = c.SetDeadline(time.Now().Add(probeTimeout))
	_, _ = io.Copy(io.Discard, c)
}

// dialSession connects to addr for a test that drives a fingerprinter by hand.
func dialSession(t *testing.T, addr string) *fingerprint.Session {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, probeTimeout)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	_ = c.SetDeadline(time.Now().Add(probeTimeout))
	return &fingerprint.Session{Addr: netip.MustParseAddrPort(addr), Conn: c}
}

// putLE32 writes a little-endian uint32.
func putLE32(b []byte, v uint32) {
	b[0], b[1], b[2], b[3] = byte(v), byte(v>>8), byte(v>>16), byte(v>>24)
}
