package textproto

import (
	"bytes"
	"context"
	"fmt"
	"strings"

	"github.com/portwatch/portwatch/internal/fingerprint"
)

// POP3 identifies POP3 servers from their +OK greeting (RFC 1939) and the
// IMPLEMENTATION capability (RFC 2449).
type POP3 struct{}

var (
	_ fingerprint.Fingerprinter = (*POP3)(nil)
	_ fingerprint.Passive       = (*POP3)(nil)
	_ fingerprint.StartTLSer    = (*POP3)(nil)
)

// Name implements fingerprint.Fingerprinter.
func (*POP3) Name() string { return "pop3" }

// Ports implements fingerprint.Fingerprinter.
func (*POP3) Ports() []uint16 { return []uint16{110} }

// ServerSpeaksFirst implements fingerprint.Passive.
func (*POP3) ServerSpeaksFirst() bool { return true }

// MatchBanner implements fingerprint.Fingerprinter.
func (*POP3) MatchBanner(banner []byte) (fingerprint.Service, bool) {
	return parsePOP3Greeting(banner)
}

// Probe implements fingerprint.Fingerprinter: greeting, CAPA, QUIT.
func (*POP3) Probe(ctx context.Context, s *fingerprint.Session) (fingerprint.Service, error) {
	release, err := bind(ctx, s.Conn)
	if err != nil {
		return fingerprint.Service{}, fmt.Errorf("pop3: %w", err)
	}
	defer release()
	greet, err := greeting(ctx, s, lineDone)
	if err != nil {
		return fingerprint.Service{}, fmt.Errorf("pop3: %w", err)
	}
	svc, ok := parsePOP3Greeting(greet)
	if !ok {
		return fingerprint.Service{}, fmt.Errorf("pop3: greeting %q: %w", firstLine(greet), fingerprint.ErrNoMatch)
	}
	if err := send(ctx, s.Conn, "CAPA\r\n"); err != nil {
		return overTLS(svc, s, "pop3s"), nil
	}
	reply, err := readReply(ctx, s.Conn, pop3MultiDone)
	if err == nil && bytes.HasPrefix(reply, []byte("+OK")) {
		for _, l := range splitLines(reply, false)[1:] {
			if impl, ok := strings.CutPrefix(l, "IMPLEMENTATION "); ok && svc.Product == "" {
				implementationProduct(&svc, impl, "")
				svc.Method = fingerprint.MethodProbe
			}
		}
	}
	_ = send(ctx, s.Conn, "QUIT\r\n") // courtesy only
	return overTLS(svc, s, "pop3s"), nil
}

// StartTLS implements fingerprint.StartTLSer with STLS (RFC 2595).
func (*POP3) StartTLS(ctx context.Context, s *fingerprint.Session) error {
	release, err := bind(ctx, s.Conn)
	if err != nil {
		return fmt.Errorf("pop3: %w", err)
	}
	defer release()
	greet, err := greeting(ctx, s, lineDone)
	if err != nil {
		return fmt.Errorf("pop3: %w", err)
	}
	if !bytes.HasPrefix(greet, []byte("+OK")) {
		return fmt.Errorf("pop3: greeting %q: %w", firstLine(greet), fingerprint.ErrNoMatch)
	}
	if err := send(ctx, s.Conn, "STLS\r\n"); err != nil {
		return fmt.Errorf("pop3: STLS: %w", err)
	}
	reply, err := readReply(ctx, s.Conn, lineDone)
	if err != nil {
		return fmt.Errorf("pop3: STLS: %w", err)
	}
	if !bytes.HasPrefix(reply, []byte("+OK")) {
		return fmt.Errorf("pop3: STLS refused: %q", firstLine(reply))
	}
	return nil
}

// pop3MultiDone reports whether buf holds a whole multi-line answer
// ("+OK ..." lines "." ) or a one-line error.
func pop3MultiDone(buf []byte) bool {
	if bytes.HasPrefix(buf, []byte("-ERR")) || (len(buf) > 0 && buf[0] != '+') {
		return lineDone(buf)
	}
	return bytes.HasSuffix(buf, []byte("\n.\r\n")) || bytes.HasSuffix(buf, []byte("\n.\n"))
}

// implementationProduct recognises a server from POP3's IMPLEMENTATION
// capability or IMAP's ID name; version is the one stated apart, if any.
func implementationProduct(svc *fingerprint.Service, impl, version string) {
	if version == "" {
		version = versionPrefix(strings.TrimPrefix(firstVersionWord(impl), "v"))
	}
	switch {
	case strings.Contains(impl, "Dovecot"):
		product(svc, "Dovecot "+svc.Name+"d", version, "dovecot", "dovecot")
	case strings.Contains(impl, "Cyrus"):
		product(svc, "Cyrus "+svc.Name+"d", version, "cyrusimap", "cyrus_imap")
	case strings.Contains(impl, "Courier"):
		product(svc, "Courier "+svc.Name+"d", version, "courier-mta", "courier-imap")
	default:
		product(svc, impl, version, "", "")
		svc.Confidence = fingerprint.ConfidenceLikely
	}
}

// firstVersionWord returns the first word of s that starts with a digit,
// or with "v" and a digit, e.g. "v3.6.1-Debian-3.6.1-4".
func firstVersionWord(s string) string {
	for _, w := range strings.Fields(s) {
		if (w[0] == 'v' && len(w) > 1 && isDigit(w[1])) || isDigit(w[0]) {
			return w
		}
	}
	return ""
}

// parsePOP3Greeting reads "+OK Dovecot (Debian) ready.".
func parsePOP3Greeting(banner []byte) (fingerprint.Service, bool) {
	svc := fingerprint.Service{
		Name:       "pop3",
		Confidence: fingerprint.ConfidenceLikely,
		Method:     fingerprint.MethodBanner,
		Banner:     fingerprint.EscapeBanner(banner),
	}
	line := firstLine(banner)
	if !lineDone(banner) || (line != "+OK" && !strings.HasPrefix(line, "+OK ")) {
		return svc, false
	}
	switch {
	case strings.Contains(line, "Dovecot"):
		product(&svc, "Dovecot pop3d", "", "dovecot", "dovecot")
		svc.Distro = fingerprint.ParseDistro(line)
	case strings.Contains(line, "Cyrus POP3"):
		w, _ := wordAfter(line, "Cyrus POP3 ")
		product(&svc, "Cyrus pop3d", versionPrefix(strings.TrimPrefix(w, "v")), "cyrusimap", "cyrus_imap")
		svc.Distro = fingerprint.ParseDistro(w)
	case line == "+OK Hello there.":
		product(&svc, "Courier pop3d", "", "courier-mta", "courier-imap")
	case strings.Contains(line, "Microsoft Exchange"):
		product(&svc, "Microsoft Exchange pop3d", "", "microsoft", "exchange_server")
		svc.OS = "Windows"
	}
	return svc, true
}
