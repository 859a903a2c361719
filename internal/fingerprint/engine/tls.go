package engine

import (
	"context"
	"crypto/tls"
	"fmt"
	"net"
	"strings"
	"time"

	"github.com/portwatch/portwatch/internal/fingerprint"
)

// detectALPN is offered in the TLS detection handshake: the server's pick
// says it speaks HTTP (and which version) without another round trip.
func detectALPN() []string { return []string{"h2", "http/1.1"} }

// tlsConfig is the client configuration of every handshake the engine
// makes: certificates are recorded, not verified, and old protocol
// versions and cipher suites are offered so that old servers are seen too.
func (r *portRun) tlsConfig(alpn []string) *tls.Config {
	var suites []uint16
	for _, s := range tls.CipherSuites() {
		suites = append(suites, s.ID)
	}
	for _, s := range tls.InsecureCipherSuites() {
		suites = append(suites, s.ID)
	}
	return &tls.Config{
		InsecureSkipVerify: true, //nolint:gosec // a scanner reports certificates; it does not trust them
		ServerName:         r.t.ServerName,
		MinVersion:         tls.VersionTLS10,
		CipherSuites:       suites,
		NextProtos:         alpn,
		ClientSessionCache: r.sessions,
	}
}

// handshake dials and completes a TLS handshake within wait. If the
// server refuses every offered ALPN protocol, it retries without ALPN.
func (r *portRun) handshake(ctx context.Context, wait time.Duration, alpn []string) (*tls.Conn, error) {
	tc, err := r.handshakeOnce(ctx, wait, alpn)
	if err != nil && alpn != nil && strings.Contains(err.Error(), "no application protocol") {
		tc, err = r.handshakeOnce(ctx, wait, nil)
	}
	return tc, err
}

func (r *portRun) handshakeOnce(ctx context.Context, wait time.Duration, alpn []string) (*tls.Conn, error) {
	hctx, cancel := context.WithTimeout(ctx, wait)
	defer cancel()
	raw, err := r.dial(hctx)
	if err != nil {
		return nil, err
	}
	d, _ := hctx.Deadline()
	_ = raw.SetDeadline(d)
	tc := tls.Client(raw, r.tlsConfig(alpn))
	if err := tc.HandshakeContext(hctx); err != nil {
		_ = raw.Close()
		return nil, fmt.Errorf("tls handshake with %s: %w", r.t.Addr, err)
	}
	return tc, nil
}

// startTLS upgrades a fresh plaintext connection through fp's STARTTLS
// and returns the TLS facts, or nil when the server does not offer it.
func (r *portRun) startTLS(ctx context.Context, fp fingerprint.Fingerprinter) *fingerprint.TLSInfo {
	st, ok := fp.(fingerprint.StartTLSer)
	if !ok {
		return nil
	}
	sctx, cancel := context.WithTimeout(ctx, r.w.likely)
	defer cancel()
	raw, err := r.dial(sctx)
	if err != nil {
		return nil
	}
	bc := bound(sctx, raw, 0)
	defer bc.Close()
	s := r.session(bc, r.banner, nil)
	if err := r.guard(fp, "StartTLS", func() error { return st.StartTLS(sctx, s) }); err != nil {
		return nil
	}
	tc := tls.Client(bc, r.tlsConfig(nil))
	if err := tc.HandshakeContext(sctx); err != nil {
		return nil
	}
	info := fingerprint.TLSFacts(tc.ConnectionState())
	info.StartTLS = true
	return info
}

// isHTTPALPN reports whether a negotiated ALPN protocol is HTTP.
func isHTTPALPN(p string) bool {
	return p == "h2" || strings.HasPrefix(p, "http/")
}

// connectTLS dials a fresh connection and completes a handshake without
// ALPN, for a probe inside TLS.
func (r *portRun) connectTLS(ctx context.Context) (net.Conn, error) {
	raw, err := r.dial(ctx)
	if err != nil {
		return nil, err
	}
	d, _ := ctx.Deadline()
	_ = raw.SetDeadline(d)
	tc := tls.Client(raw, r.tlsConfig(nil))
	if err := tc.HandshakeContext(ctx); err != nil {
		_ = raw.Close()
		return nil, fmt.Errorf("tls handshake with %s: %w", r.t.Addr, err)
	}
	return tc, nil
}
