package server

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"time"
)

// TLSFiles names a certificate and key. Both empty: plain HTTP, allowed
// only on loopback.
type TLSFiles struct {
	Cert, Key string
}

// Listener is what Listen opened.
type Listener struct {
	net.Listener
	// URL is the base URL to print ("https://127.0.0.1:7070").
	URL string
	// Generated is the path of a self-signed certificate made at start
	// ("" when none was).
	Generated string
}

// Listen opens addr. A non-loopback address requires TLS: with files
// they are used, without them a self-signed certificate is generated (or
// reused) in genDir as portwatch-selfsigned.crt/.key and Generated says
// where, so the caller can warn loudly. A loopback address serves plain
// HTTP unless files are given.
func Listen(ctx context.Context, addr string, files TLSFiles, genDir string) (*Listener, error) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, fmt.Errorf("listen %q: %w", addr, err)
	}
	loopback := isLoopback(ctx, host)
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("listen: %w", err)
	}
	out := &Listener{Listener: ln, URL: "http://" + ln.Addr().String()}
	if files.Cert == "" && loopback {
		return out, nil
	}
	if files.Cert == "" {
		files.Cert = filepath.Join(genDir, "portwatch-selfsigned.crt")
		files.Key = filepath.Join(genDir, "portwatch-selfsigned.key")
		if err := ensureSelfSigned(files, host); err != nil {
			ln.Close()
			return nil, err
		}
		out.Generated = files.Cert
	}
	cert, err := tls.LoadX509KeyPair(files.Cert, files.Key)
	if err != nil {
		ln.Close()
		return nil, fmt.Errorf("TLS certificate %s / key %s: %w", files.Cert, files.Key, err)
	}
	out.Listener = tls.NewListener(ln, &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12})
	out.URL = "https://" + ln.Addr().String()
	return out, nil
}

// isLoopback reports whether host is a loopback address, or "localhost"
// resolving only to loopback. An empty host (all interfaces) is not.
func isLoopback(ctx context.Context, host string) bool {
	if a, err := netip.ParseAddr(host); err == nil {
		return a.Unmap().IsLoopback()
	}
	if host != "localhost" {
		return false
	}
	addrs, err := net.DefaultResolver.LookupNetIP(ctx, "ip", host)
	if err != nil || len(addrs) == 0 {
		return false
	}
	for _, a := range addrs {
		if !a.Unmap().IsLoopback() {
			return false
		}
	}
	return true
}

// ensureSelfSigned writes a self-signed ECDSA certificate for host (and
// localhost) valid for a year, unless a valid one is already there.
func ensureSelfSigned(f TLSFiles, host string) error {
	if c, err := tls.LoadX509KeyPair(f.Cert, f.Key); err == nil && c.Leaf != nil && time.Now().Before(c.Leaf.NotAfter.Add(-24*time.Hour)) {
		return nil
	} else if err != nil && !errors.Is(err, os.ErrNotExist) {
		// A damaged pair is replaced below.
		_ = err
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return fmt.Errorf("self-signed key: %w", err)
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 120))
	if err != nil {
		return fmt.Errorf("self-signed serial: %w", err)
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber: serial,
		Subject:      pkix.Name{CommonName: "portwatch self-signed", Organization: []string{"portwatch"}},
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     now.Add(365 * 24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		DNSNames:     []string{"localhost"},
	}
	if a, err := netip.ParseAddr(host); err == nil && !a.IsUnspecified() {
		tmpl.IPAddresses = append(tmpl.IPAddresses, a.AsSlice())
	} else if host != "" && err != nil {
		tmpl.DNSNames = append(tmpl.DNSNames, host)
	}
	if hn, err := os.Hostname(); err == nil && hn != "" {
		tmpl.DNSNames = append(tmpl.DNSNames, hn)
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return fmt.Errorf("self-signed certificate: %w", err)
	}
	kb, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		return fmt.Errorf("self-signed key: %w", err)
	}
	if err := os.WriteFile(f.Key, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kb}), 0o600); err != nil {
		return fmt.Errorf("write %s: %w", f.Key, err)
	}
	if err := os.WriteFile(f.Cert, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644); err != nil {
		return fmt.Errorf("write %s: %w", f.Cert, err)
	}
	return nil
}
