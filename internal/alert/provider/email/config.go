package email

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/mail"
	"os"
	"strings"
	"time"
)

// TLS modes.
const (
	TLSStartTLS = "starttls" // plain connection upgraded with STARTTLS (port 587); required, never skipped
	TLSImplicit = "tls"      // TLS from the first byte (SMTPS, port 465)
	TLSNone     = "none"     // no encryption; only to a loopback host, without AUTH
)

// DefaultTimeout bounds one delivery when Config.Timeout is zero.
const DefaultTimeout = 30 * time.Second

// Config configures one e-mail receiver.
type Config struct {
	// Host is the SMTP server (name or address).
	Host string
	// Port is the SMTP port (default 587 for starttls, 465 for tls, 25 for none).
	Port int
	// Username enables SMTP AUTH (PLAIN, else LOGIN); only over TLS.
	Username string
	// Password is the AUTH password (a secret).
	Password string
	// From is the sender address, e.g. "portwatch <portwatch@example.org>".
	From string
	// To are the recipient addresses (at least one).
	To []string
	// TLS is "starttls" (default), "tls" or "none" (loopback only).
	TLS string
	// InsecureSkipVerify accepts any server certificate. Lab use only:
	// it lets anybody on the path read the mail and the password.
	InsecureSkipVerify bool
	// RootCAs is an optional PEM file of CA certificates to trust instead
	// of the system pool.
	RootCAs string
	// Timeout bounds one delivery (dial to QUIT) when the context has no
	// earlier deadline (default 30s).
	Timeout time.Duration
	// SubjectPrefix is put before every subject, e.g. "[portwatch]".
	SubjectPrefix string
	// LocalName is the name sent with EHLO (default: this machine's
	// host name, else "localhost").
	LocalName string
}

// settings is a validated Config with defaults applied.
type settings struct {
	Config
	from *mail.Address
	to   []*mail.Address
	tls  *tls.Config
}

// defaults fills zero fields.
func (c *Config) defaults() {
	if c.TLS == "" {
		c.TLS = TLSStartTLS
	}
	if c.Port == 0 {
		switch c.TLS {
		case TLSImplicit:
			c.Port = 465
		case TLSNone:
			c.Port = 25
		default:
			c.Port = 587
		}
	}
	if c.Timeout == 0 {
		c.Timeout = DefaultTimeout
	}
	if c.LocalName == "" {
		if h, err := os.Hostname(); err == nil && h != "" {
			c.LocalName = h
		} else {
			c.LocalName = "localhost"
		}
	}
}

// validate checks cfg (defaults applied) and prepares addresses and TLS.
func validate(cfg Config) (*settings, error) {
	cfg.defaults()
	s := &settings{Config: cfg}
	if cfg.Host == "" {
		return nil, errors.New("email: host is required")
	}
	if strings.ContainsAny(cfg.Host, " \r\n/") {
		return nil, fmt.Errorf("email: host %q is not a host name or address", cfg.Host)
	}
	if cfg.Port < 1 || cfg.Port > 65535 {
		return nil, fmt.Errorf("email: port %d out of range 1-65535", cfg.Port)
	}
	switch cfg.TLS {
	case TLSStartTLS, TLSImplicit:
	case TLSNone:
		if !isLoopback(cfg.Host) {
			return nil, fmt.Errorf("email: tls %q is only allowed to a loopback host, not %q", cfg.TLS, cfg.Host)
		}
		if cfg.Username != "" {
			return nil, fmt.Errorf("email: username needs tls %q or %q: AUTH is never sent in clear", TLSStartTLS, TLSImplicit)
		}
	default:
		return nil, fmt.Errorf("email: tls %q: want %q, %q or %q", cfg.TLS, TLSStartTLS, TLSImplicit, TLSNone)
	}
	if cfg.Username != "" && cfg.Password == "" {
		return nil, errors.New("email: password is required with username")
	}
	if cfg.Timeout < 0 {
		return nil, fmt.Errorf("email: timeout %v is negative", cfg.Timeout)
	}
	if strings.ContainsAny(cfg.SubjectPrefix, "\r\n") {
		return nil, errors.New("email: subject_prefix contains a line break")
	}
	if strings.ContainsAny(cfg.LocalName, " \r\n") {
		return nil, fmt.Errorf("email: local_name %q contains a space or line break", cfg.LocalName)
	}
	if cfg.From == "" {
		return nil, errors.New("email: from is required")
	}
	from, err := parseAddress(cfg.From)
	if err != nil {
		return nil, fmt.Errorf("email: from %q: %w", cfg.From, err)
	}
	s.from = from
	if len(cfg.To) == 0 {
		return nil, errors.New("email: to needs at least one recipient")
	}
	for i, t := range cfg.To {
		a, err := parseAddress(t)
		if err != nil {
			return nil, fmt.Errorf("email: to[%d] %q: %w", i, t, err)
		}
		s.to = append(s.to, a)
	}
	if cfg.TLS != TLSNone {
		tc := &tls.Config{ServerName: cfg.Host, InsecureSkipVerify: cfg.InsecureSkipVerify, MinVersion: tls.VersionTLS12}
		if cfg.RootCAs != "" {
			pool, err := loadPool(cfg.RootCAs)
			if err != nil {
				return nil, fmt.Errorf("email: root_cas: %w", err)
			}
			tc.RootCAs = pool
		}
		s.tls = tc
	}
	return s, nil
}

// parseAddress parses one RFC 5322 address and refuses line breaks.
func parseAddress(v string) (*mail.Address, error) {
	if strings.ContainsAny(v, "\r\n") {
		return nil, errors.New("contains a line break")
	}
	a, err := mail.ParseAddress(v)
	if err != nil {
		return nil, err
	}
	if strings.ContainsAny(a.Address, "<> ") {
		return nil, errors.New("invalid address")
	}
	return a, nil
}

// isLoopback reports whether host is localhost or a loopback address.
func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// loadPool reads a PEM file of CA certificates.
func loadPool(path string) (*x509.CertPool, error) {
	pem, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("%s: no PEM certificate found", path)
	}
	return pool, nil
}
