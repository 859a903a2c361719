// Package fingerprint identifies the service behind an open port: name,
// product, version, extra information, CPE names and TLS facts. This file
// holds the shared contract; the engine lives in fingerprint/engine and the
// protocol fingerprinters in one subpackage per family (textproto, dbproto,
// httpproto), one file per protocol, each exporting All().
package fingerprint

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"time"
)

// Method says how a service was identified.
type Method string

// Identification methods.
const (
	MethodBanner    Method = "banner"     // from what the server sent unprompted
	MethodProbe     Method = "probe"      // from the answer to a protocol request
	MethodTLS       Method = "tls"        // from the TLS handshake alone
	MethodPortHint  Method = "port-hint"  // only the port number suggests it
	MethodNmapProbe Method = "nmap-probe" // matched by the optional nmap-service-probes engine
)

// Confidence levels, 0-10 (nmap's conf is 0-10 too).
const (
	ConfidencePortHint = 3  // guessed from the port number
	ConfidenceLikely   = 7  // the protocol answered, product or version uncertain
	ConfidenceCertain  = 10 // the protocol answered and named itself
)

// TLSInfo are the facts of a TLS handshake.
type TLSInfo struct {
	Version    string    `json:"version"` // "TLS 1.3"
	Cipher     string    `json:"cipher"`  // IANA name, e.g. "TLS_AES_128_GCM_SHA256"
	ALPN       string    `json:"alpn,omitempty"`
	Subject    string    `json:"subject"` // leaf certificate subject, RFC 2253 form
	SANs       []string  `json:"sans,omitempty"`
	Issuer     string    `json:"issuer"`
	NotBefore  time.Time `json:"not_before"`
	NotAfter   time.Time `json:"not_after"`
	SelfSigned bool      `json:"self_signed"`
	SHA256     string    `json:"sha256"`             // hex SHA-256 of the leaf certificate (DER)
	StartTLS   bool      `json:"starttls,omitempty"` // reached through the protocol's STARTTLS
}

// Distro is what a banner reveals about the operating system package.
type Distro struct {
	Name     string `json:"name"`               // "debian", "ubuntu", "rhel", "alpine", ...
	Release  string `json:"release,omitempty"`  // "12", "22.04", "bookworm" when known
	Revision string `json:"revision,omitempty"` // package revision, e.g. "2+deb12u10"
}

// Service is what runs behind an open port.
type Service struct {
	// Name is the service name in IANA/nmap style: ssh, http, https, smtp,
	// imap, imaps, postgresql, mysql, redis, ... A protocol inside implicit
	// TLS takes its TLS name (https, imaps, pop3s, smtps, ldaps, ftps) when
	// one exists; TLS is then non-nil.
	Name    string `json:"name"`
	Product string `json:"product,omitempty"` // "OpenSSH", "nginx", "MariaDB"
	Version string `json:"version,omitempty"` // upstream version only: "9.2p1", "1.22.1"
	// Extra is free-form detail as the server states it, e.g.
	// "Debian 2+deb12u10" or "protocol 2.0".
	Extra    string   `json:"extra,omitempty"`
	Distro   *Distro  `json:"distro,omitempty"`
	OS       string   `json:"os,omitempty"`
	Hostname string   `json:"hostname,omitempty"`
	CPE      []string `json:"cpe,omitempty"` // CPE 2.3 formatted strings
	TLS      *TLSInfo `json:"tls,omitempty"`
	// Confidence is 0-10; Method says what it rests on.
	Confidence int    `json:"confidence"`
	Method     Method `json:"method"`
	// Banner is the first bytes the server sent, escaped (\xNN for
	// non-printable bytes) and bounded; always kept for unidentified services.
	Banner string `json:"banner,omitempty"`
}

// ErrNoMatch means the peer does not speak the fingerprinter's protocol.
var ErrNoMatch = errors.New("protocol not recognised")

// Session is one live connection to an open port, handed to a
// fingerprinter's Probe. The engine sets the connection's deadline from the
// context and caps every read; fingerprinters read and write Conn only.
type Session struct {
	Addr netip.AddrPort
	// Conn is the plain or TLS connection, fresh for this probe.
	Conn net.Conn
	// Banner is what the server sent unprompted on this or an earlier
	// connection to the same port before anything was written (may be empty).
	Banner []byte
	// TLS is non-nil when Conn runs inside TLS.
	TLS *TLSInfo
	// ServerName is the hostname the user gave for the address, if any
	// (for HTTP Host headers and SNI).
	ServerName string
}

// Fingerprinter identifies one protocol. Implementations are stateless and
// safe for concurrent use.
type Fingerprinter interface {
	// Name is the protocol identified, as in Service.Name ("ssh").
	Name() string
	// Ports are the ports where the protocol is usually found; the engine
	// tries this fingerprinter first there.
	Ports() []uint16
	// MatchBanner identifies the protocol from an unprompted banner alone,
	// without I/O. ok is false when the banner is not this protocol's.
	MatchBanner(banner []byte) (svc Service, ok bool)
	// Probe talks the protocol over s.Conn and identifies the service. It
	// returns ErrNoMatch (possibly wrapped) when the peer does not speak it.
	Probe(ctx context.Context, s *Session) (Service, error)
}

// StartTLSer is implemented by fingerprinters of protocols with an in-band
// upgrade (SMTP, IMAP, POP3, FTP, PostgreSQL, LDAP). StartTLS runs the
// protocol's upgrade on a fresh plaintext s.Conn up to the point where the
// TLS handshake must begin; the engine then performs the handshake.
type StartTLSer interface {
	StartTLS(ctx context.Context, s *Session) error
}

// Passive is implemented by fingerprinters whose protocol speaks first
// (SSH, FTP, SMTP, ...): when the banner matched, the engine does not need
// to probe further unless Probe can add detail.
type Passive interface {
	ServerSpeaksFirst() bool
}
