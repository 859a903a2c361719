package engine

import (
	"bufio"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// testCert is a self-signed certificate for name, made for one test.
func testCert(t *testing.T, name string) tls.Certificate {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()),
		Subject:      pkix.Name{CommonName: name},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(24 * time.Hour),
		DNSNames:     []string{name},
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
}

// serve runs handle for every connection to a fresh 127.0.0.1 listener
// until the test ends; connections still open then are closed.
func serve(t *testing.T, handle func(net.Conn)) netip.AddrPort {
	t.Helper()
	return serveOn(t, "127.0.0.1:0", handle)
}

// serve6 is serve on the IPv6 loopback.
func serve6(t *testing.T, handle func(net.Conn)) netip.AddrPort {
	t.Helper()
	return serveOn(t, "[::1]:0", handle)
}

func serveOn(t *testing.T, laddr string, handle func(net.Conn)) netip.AddrPort {
	t.Helper()
	ln, err := net.Listen("tcp", laddr)
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var conns []net.Conn
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer c.Close()
				handle(c)
			}()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		for _, c := range conns {
			c.Close()
		}
		mu.Unlock()
		wg.Wait()
	})
	return netip.MustParseAddrPort(ln.Addr().String())
}

// serveTLS is serve with an implicit-TLS handshake first.
func serveTLS(t *testing.T, cfg *tls.Config, handle func(net.Conn)) netip.AddrPort {
	return serve(t, func(c net.Conn) {
		tc := tls.Server(c, cfg)
		_ = tc.SetDeadline(time.Now().Add(10 * time.Second))
		if err := tc.Handshake(); err != nil {
			return
		}
		_ = tc.SetDeadline(time.Time{})
		handle(tc)
	})
}

// lines answers a line protocol: greeting first (if any), then reply
// for each line read, until reply returns "" or the peer leaves.
func lines(greeting string, reply func(line string) string) func(net.Conn) {
	return func(c net.Conn) {
		if greeting != "" {
			if _, err := c.Write([]byte(greeting)); err != nil {
				return
			}
		}
		rd := bufio.NewReader(c)
		for {
			l, err := rd.ReadString('\n')
			if err != nil {
				return
			}
			out := reply(strings.TrimRight(l, "\r\n"))
			if out == "" {
				return
			}
			if _, err := c.Write([]byte(out)); err != nil {
				return
			}
		}
	}
}

// redirect is a DialFunc that sends every connection to real instead of
// the address asked for, so a test can put a service "on" any port
// number without binding it. It counts the bytes each connection reads.
type redirect struct {
	real    netip.AddrPort
	dials   atomic.Int64
	maxRead atomic.Int64
}

func (r *redirect) dial(ctx context.Context, network, _ string) (net.Conn, error) {
	r.dials.Add(1)
	var d net.Dialer
	c, err := d.DialContext(ctx, network, r.real.String())
	if err != nil {
		return nil, err
	}
	return &countingConn{Conn: c, r: r}, nil
}

type countingConn struct {
	net.Conn
	r    *redirect
	read int64
}

func (c *countingConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	c.read += int64(n)
	for {
		m := c.r.maxRead.Load()
		if c.read <= m || c.r.maxRead.CompareAndSwap(m, c.read) {
			break
		}
	}
	return n, err
}

// at makes a loopback target on port whose connections go to real.
func at(port uint16, real netip.AddrPort) (Target, *redirect) {
	r := &redirect{real: real}
	return Target{Addr: netip.AddrPortFrom(netip.MustParseAddr("127.0.0.1"), port)}, r
}

// writeCertFiles writes a fresh self-signed certificate for
// svc.portwatch.test and its key as PEM files in dir.
func writeCertFiles(t *testing.T, dir string) (crt, key string) {
	t.Helper()
	cert := testCert(t, "svc.portwatch.test")
	der, err := x509.MarshalPKCS8PrivateKey(cert.PrivateKey)
	if err != nil {
		t.Fatal(err)
	}
	crt, key = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	if err := os.WriteFile(crt, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Certificate[0]}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(key, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	return crt, key
}
