package syslog

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"os"
	"runtime/debug"
	"strings"
	"time"
)

// Networks.
const (
	NetworkUDP = "udp" // one datagram per notification (RFC 5426)
	NetworkTCP = "tcp" // octet-counted frames (RFC 6587)
	NetworkTLS = "tls" // octet-counted frames over TLS (RFC 5425)
)

// Formats.
const (
	FormatRFC5424 = "rfc5424" // the title as MSG, details in STRUCTURED-DATA
	FormatCEF     = "cef"     // an ArcSight CEF record as MSG, for SIEMs
)

// DefaultTimeout bounds one delivery when Config.Timeout is zero.
const DefaultTimeout = 10 * time.Second

// Config configures one syslog receiver.
type Config struct {
	// Network is "udp" (default), "tcp" or "tls".
	Network string
	// Address is host:port of the receiver; the port defaults to 514
	// (udp, tcp) or 6514 (tls).
	Address string
	// Facility is a syslog facility name: kern, user, mail, daemon (the
	// default), auth, syslog, lpr, news, uucp, cron, authpriv, ftp,
	// local0 ... local7.
	Facility string
	// Format is "rfc5424" (default) or "cef".
	Format string
	// Hostname is the HOSTNAME field (default: this machine's host name).
	Hostname string
	// RootCAs is an optional PEM file of CA certificates to trust for
	// tls instead of the system pool.
	RootCAs string
	// InsecureSkipVerify accepts any server certificate. Lab use only.
	InsecureSkipVerify bool
	// Timeout bounds one delivery when the context has no earlier
	// deadline (default 10s).
	Timeout time.Duration
	// ProductVersion is the CEF Device Version (default: the module
	// version of the binary, else "dev").
	ProductVersion string
}

// settings is a validated Config with defaults applied.
type settings struct {
	Config
	facility int
	tls      *tls.Config
}

// facilities lists the RFC 5424 facility names by code.
func facilities() []string {
	return []string{"kern", "user", "mail", "daemon", "auth", "syslog", "lpr", "news",
		"uucp", "cron", "authpriv", "ftp", "ntp", "security", "console", "solaris-cron",
		"local0", "local1", "local2", "local3", "local4", "local5", "local6", "local7"}
}

// validate applies defaults and checks cfg.
func validate(cfg Config) (*settings, error) {
	if cfg.Network == "" {
		cfg.Network = NetworkUDP
	}
	if cfg.Format == "" {
		cfg.Format = FormatRFC5424
	}
	if cfg.Facility == "" {
		cfg.Facility = "daemon"
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.Hostname == "" {
		if h, err := os.Hostname(); err == nil {
			cfg.Hostname = h
		}
	}
	if cfg.ProductVersion == "" {
		cfg.ProductVersion = "dev"
		if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
			cfg.ProductVersion = bi.Main.Version
		}
	}
	s := &settings{Config: cfg, facility: -1}
	var defPort string
	switch cfg.Network {
	case NetworkUDP, NetworkTCP:
		defPort = "514"
	case NetworkTLS:
		defPort = "6514"
	default:
		return nil, fmt.Errorf("syslog: network %q: want %q, %q or %q", cfg.Network, NetworkUDP, NetworkTCP, NetworkTLS)
	}
	if cfg.Address == "" {
		return nil, errors.New("syslog: address is required")
	}
	host, port, err := net.SplitHostPort(cfg.Address)
	if err != nil {
		host, port = strings.TrimSuffix(strings.TrimPrefix(cfg.Address, "["), "]"), defPort
		s.Address = net.JoinHostPort(host, port)
	}
	if host == "" {
		return nil, fmt.Errorf("syslog: address %q has no host", cfg.Address)
	}
	if p, err := net.LookupPort("tcp", port); err != nil || p < 1 {
		return nil, fmt.Errorf("syslog: address %q: bad port %q", cfg.Address, port)
	}
	for i, f := range facilities() {
		if f == cfg.Facility {
			s.facility = i
		}
	}
	if s.facility < 0 {
		return nil, fmt.Errorf("syslog: facility %q unknown (want kern, user, mail, daemon, auth, ..., local0-local7)", cfg.Facility)
	}
	switch cfg.Format {
	case FormatRFC5424, FormatCEF:
	default:
		return nil, fmt.Errorf("syslog: format %q: want %q or %q", cfg.Format, FormatRFC5424, FormatCEF)
	}
	if cfg.Timeout < 0 {
		return nil, fmt.Errorf("syslog: timeout %v is negative", cfg.Timeout)
	}
	if cfg.Network != NetworkTLS && (cfg.RootCAs != "" || cfg.InsecureSkipVerify) {
		return nil, fmt.Errorf("syslog: root_cas and insecure_skip_verify need network %q", NetworkTLS)
	}
	if cfg.Network == NetworkTLS {
		tc := &tls.Config{ServerName: host, InsecureSkipVerify: cfg.InsecureSkipVerify, MinVersion: tls.VersionTLS12}
		if cfg.RootCAs != "" {
			pem, err := os.ReadFile(cfg.RootCAs)
			if err != nil {
				return nil, fmt.Errorf("syslog: root_cas: %w", err)
			}
			pool := x509.NewCertPool()
			if !pool.AppendCertsFromPEM(pem) {
				return nil, fmt.Errorf("syslog: root_cas: %s: no PEM certificate found", cfg.RootCAs)
			}
			tc.RootCAs = pool
		}
		s.tls = tc
	}
	return s, nil
}
