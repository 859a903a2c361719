package textproto

import (
	"context"
	"fmt"
	"strings"

	"github.com/portwatch/portwatch/internal/fingerprint"
)

// IMAP identifies IMAP servers from their untagged greeting (RFC 9051),
// CAPABILITY and, where offered, ID (RFC 2971).
type IMAP struct{}

var (
	_ fingerprint.Fingerprinter = (*IMAP)(nil)
	_ fingerprint.Passive       = (*IMAP)(nil)
	_ fingerprint.StartTLSer    = (*IMAP)(nil)
)

// Name implements fingerprint.Fingerprinter.
func (*IMAP) Name() string { return "imap" }

// Ports implements fingerprint.Fingerprinter.
func (*IMAP) Ports() []uint16 { return []uint16{143} }

// ServerSpeaksFirst implements fingerprint.Passive.
func (*IMAP) ServerSpeaksFirst() bool { return true }

// MatchBanner implements fingerprint.Fingerprinter.
func (*IMAP) MatchBanner(banner []byte) (fingerprint.Service, bool) {
	return parseIMAPGreeting(banner)
}

// Probe implements fingerprint.Fingerprinter: greeting, then CAPABILITY
// and ID pipelined, then LOGOUT.
func (*IMAP) Probe(ctx context.Context, s *fingerprint.Session) (fingerprint.Service, error) {
	release, err := bind(ctx, s.Conn)
	if err != nil {
		return fingerprint.Service{}, fmt.Errorf("imap: %w", err)
	}
	defer release()
	greet, err := greeting(ctx, s, lineDone)
	if err != nil {
		return fingerprint.Service{}, fmt.Errorf("imap: %w", err)
	}
	svc, ok := parseIMAPGreeting(greet)
	if !ok {
		return fingerprint.Service{}, fmt.Errorf("imap: greeting %q: %w", firstLine(greet), fingerprint.ErrNoMatch)
	}
	if err := send(ctx, s.Conn, "pw1 CAPABILITY\r\npw2 ID NIL\r\n"); err != nil {
		return overTLS(svc, s, "imaps"), nil
	}
	reply, err := readReply(ctx, s.Conn, taggedDone("pw2"))
	if err == nil {
		for _, l := range splitLines(reply, false) {
			if id, ok := strings.CutPrefix(l, "* ID "); ok {
				imapID(&svc, id)
			}
		}
	}
	_ = send(ctx, s.Conn, "pw3 LOGOUT\r\n") // courtesy only
	return overTLS(svc, s, "imaps"), nil
}

// StartTLS implements fingerprint.StartTLSer (RFC 9051 section 6.2.1).
func (*IMAP) StartTLS(ctx context.Context, s *fingerprint.Session) error {
	release, err := bind(ctx, s.Conn)
	if err != nil {
		return fmt.Errorf("imap: %w", err)
	}
	defer release()
	greet, err := greeting(ctx, s, lineDone)
	if err != nil {
		return fmt.Errorf("imap: %w", err)
	}
	if _, ok := parseIMAPGreeting(greet); !ok {
		return fmt.Errorf("imap: greeting %q: %w", firstLine(greet), fingerprint.ErrNoMatch)
	}
	if err := send(ctx, s.Conn, "pw1 STARTTLS\r\n"); err != nil {
		return fmt.Errorf("imap: STARTTLS: %w", err)
	}
	reply, err := readReply(ctx, s.Conn, taggedDone("pw1"))
	if err != nil {
		return fmt.Errorf("imap: STARTTLS: %w", err)
	}
	lines := splitLines(reply, false)
	if last := lines[len(lines)-1]; !strings.HasPrefix(last, "pw1 OK") {
		return fmt.Errorf("imap: STARTTLS refused: %q", last)
	}
	return nil
}

// taggedDone returns a completion test for the tagged answer to tag.
func taggedDone(tag string) func([]byte) bool {
	return func(buf []byte) bool {
		for _, l := range splitLines(buf, false) {
			if strings.HasPrefix(l, tag+" ") {
				return true
			}
		}
		return false
	}
}

// imapID takes the server's name and version from an ID answer such as
// ("name" "Cyrus IMAPD" "version" "3.6.1-Debian-3.6.1-4").
func imapID(svc *fingerprint.Service, list string) {
	var fields []string
	for rest := list; ; {
		i := strings.IndexByte(rest, '"')
		if i < 0 {
			break
		}
		j := strings.IndexByte(rest[i+1:], '"')
		if j < 0 {
			break
		}
		fields = append(fields, rest[i+1:i+1+j])
		rest = rest[i+2+j:]
	}
	var name, version string
	for i := 0; i+1 < len(fields); i += 2 {
		switch strings.ToLower(fields[i]) {
		case "name":
			name = fields[i+1]
		case "version":
			version = fields[i+1]
		}
	}
	if name == "" {
		return
	}
	// The greeting's product stands; ID may add the version of a server
	// this package knows.
	known := strings.Contains(name, "Dovecot") || strings.Contains(name, "Cyrus") || strings.Contains(name, "Courier")
	if svc.Product != "" && (svc.Version != "" || version == "" || !known) {
		return
	}
	if svc.Product == "" {
		svc.Method = fingerprint.MethodProbe
	}
	implementationProduct(svc, name, versionPrefix(version))
	if svc.Distro == nil {
		svc.Distro = fingerprint.ParseDistro(version)
	}
}

// parseIMAPGreeting reads "* OK [CAPABILITY ...] Dovecot (Debian) ready.".
func parseIMAPGreeting(banner []byte) (fingerprint.Service, bool) {
	svc := fingerprint.Service{
		Name:       "imap",
		Confidence: fingerprint.ConfidenceLikely,
		Method:     fingerprint.MethodBanner,
		Banner:     fingerprint.EscapeBanner(banner),
	}
	line := firstLine(banner)
	if !lineDone(banner) || !(strings.HasPrefix(line, "* OK") || strings.HasPrefix(line, "* PREAUTH") || strings.HasPrefix(line, "* BYE")) {
		return svc, false
	}
	text := line
	if i := strings.LastIndexByte(line, ']'); i >= 0 {
		text = line[i+1:] // skip the [CAPABILITY ...] response code
	}
	switch {
	case strings.Contains(text, "Dovecot"):
		product(&svc, "Dovecot imapd", "", "dovecot", "dovecot")
		svc.Distro = fingerprint.ParseDistro(text)
	case strings.Contains(text, "Courier-IMAP"):
		product(&svc, "Courier imapd", "", "courier-mta", "courier-imap")
	case strings.Contains(text, "Cyrus IMAP"):
		w, _ := wordAfter(text, "Cyrus IMAP ")
		product(&svc, "Cyrus imapd", versionPrefix(strings.TrimPrefix(w, "v")), "cyrusimap", "cyrus_imap")
		svc.Distro = fingerprint.ParseDistro(w)
	case strings.Contains(text, "Microsoft Exchange"):
		product(&svc, "Microsoft Exchange imapd", "", "microsoft", "exchange_server")
		svc.OS = "Windows"
	}
	return svc, true
}
