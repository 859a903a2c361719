package textproto

import (
	"context"
	"fmt"
	"strings"

	"github.com/portwatch/portwatch/internal/fingerprint"
)

// SMTP identifies mail servers from their 220 greeting (RFC 5321) and
// their EHLO answer.
type SMTP struct{}

var (
	_ fingerprint.Fingerprinter = (*SMTP)(nil)
	_ fingerprint.Passive       = (*SMTP)(nil)
	_ fingerprint.StartTLSer    = (*SMTP)(nil)
)

// ehloName is the name portwatch gives itself in EHLO.
const ehloName = "portwatch.invalid"

// Name implements fingerprint.Fingerprinter.
func (*SMTP) Name() string { return "smtp" }

// Ports implements fingerprint.Fingerprinter.
func (*SMTP) Ports() []uint16 { return []uint16{25, 587, 2525} }

// ServerSpeaksFirst implements fingerprint.Passive.
func (*SMTP) ServerSpeaksFirst() bool { return true }

// MatchBanner implements fingerprint.Fingerprinter. A bare "220 ready" is
// FTP's as much as SMTP's, so the greeting must say SMTP or name a mailer.
func (*SMTP) MatchBanner(banner []byte) (fingerprint.Service, bool) {
	return parseSMTPGreeting(banner)
}

// Probe implements fingerprint.Fingerprinter: greeting, EHLO, QUIT.
func (*SMTP) Probe(ctx context.Context, s *fingerprint.Session) (fingerprint.Service, error) {
	release, err := bind(ctx, s.Conn)
	if err != nil {
		return fingerprint.Service{}, fmt.Errorf("smtp: %w", err)
	}
	defer release()
	greet, err := greeting(ctx, s, codeReplyDone)
	if err != nil {
		return fingerprint.Service{}, fmt.Errorf("smtp: %w", err)
	}
	svc, named := parseSMTPGreeting(greet)
	if code, _, ok := codeReply(greet); !ok || code != "220" {
		return fingerprint.Service{}, fmt.Errorf("smtp: greeting %q: %w", firstLine(greet), fingerprint.ErrNoMatch)
	}
	code, lines, err := ehlo(ctx, s)
	switch {
	case err != nil && named:
		return overTLS(svc, s, "smtps"), nil
	case err != nil:
		return fingerprint.Service{}, fmt.Errorf("smtp: %w", err)
	case code != "250" && !named:
		return fingerprint.Service{}, fmt.Errorf("smtp: EHLO answered %s: %w", code, fingerprint.ErrNoMatch)
	}
	_ = send(ctx, s.Conn, "QUIT\r\n") // courtesy only: the answer does not matter
	if code == "250" {
		if !named {
			svc.Method = fingerprint.MethodProbe
		}
		if svc.Product == "" {
			ehloProduct(&svc, lines)
		}
	}
	return overTLS(svc, s, "smtps"), nil
}

// StartTLS implements fingerprint.StartTLSer (RFC 3207).
func (*SMTP) StartTLS(ctx context.Context, s *fingerprint.Session) error {
	release, err := bind(ctx, s.Conn)
	if err != nil {
		return fmt.Errorf("smtp: %w", err)
	}
	defer release()
	greet, err := greeting(ctx, s, codeReplyDone)
	if err != nil {
		return fmt.Errorf("smtp: %w", err)
	}
	if code, _, ok := codeReply(greet); !ok || code != "220" {
		return fmt.Errorf("smtp: greeting %q: %w", firstLine(greet), fingerprint.ErrNoMatch)
	}
	code, lines, err := ehlo(ctx, s)
	if err != nil {
		return fmt.Errorf("smtp: %w", err)
	}
	if code != "250" || !hasExtension(lines, "STARTTLS") {
		return fmt.Errorf("smtp: STARTTLS not offered")
	}
	if err := send(ctx, s.Conn, "STARTTLS\r\n"); err != nil {
		return fmt.Errorf("smtp: STARTTLS: %w", err)
	}
	reply, err := readReply(ctx, s.Conn, codeReplyDone)
	if err != nil {
		return fmt.Errorf("smtp: STARTTLS: %w", err)
	}
	if code, _, _ := codeReply(reply); code != "220" {
		return fmt.Errorf("smtp: STARTTLS refused: %q", firstLine(reply))
	}
	return nil
}

// ehlo sends EHLO and returns the reply code and lines.
func ehlo(ctx context.Context, s *fingerprint.Session) (string, []string, error) {
	if err := send(ctx, s.Conn, "EHLO "+ehloName+"\r\n"); err != nil {
		return "", nil, fmt.Errorf("EHLO: %w", err)
	}
	reply, err := readReply(ctx, s.Conn, codeReplyDone)
	if err != nil {
		return "", nil, fmt.Errorf("EHLO: %w", err)
	}
	code, lines, ok := codeReply(reply)
	if !ok {
		return "", nil, fmt.Errorf("EHLO answered %q: %w", firstLine(reply), fingerprint.ErrNoMatch)
	}
	return code, lines, nil
}

// hasExtension reports whether an EHLO answer lists the keyword.
func hasExtension(lines []string, keyword string) bool {
	for i, l := range lines {
		if i == 0 {
			continue // the greeting line
		}
		k, _, _ := strings.Cut(l, " ")
		if strings.EqualFold(k, keyword) {
			return true
		}
	}
	return false
}

// ehloProduct recognises mailers whose greeting was customised by what
// only they put in their EHLO answer.
func ehloProduct(svc *fingerprint.Service, lines []string) {
	switch {
	case len(lines) > 0 && strings.Contains(lines[0], "pleased to meet you"):
		product(svc, "Sendmail", "", "sendmail", "sendmail")
	case hasExtension(lines, "PIPECONNECT"), hasExtension(lines, "X_PIPE_CONNECT"):
		product(svc, "Exim smtpd", "", "exim", "exim")
	case hasExtension(lines, "XEXCH50"), hasExtension(lines, "X-EXPS"), hasExtension(lines, "X-ANONYMOUSTLS"):
		product(svc, "Microsoft Exchange smtpd", "", "microsoft", "exchange_server")
		svc.OS = "Windows"
	}
}

// parseSMTPGreeting reads "220 host ESMTP Product version ...".
func parseSMTPGreeting(banner []byte) (svc fingerprint.Service, named bool) {
	svc = fingerprint.Service{
		Name:       "smtp",
		Confidence: fingerprint.ConfidenceLikely,
		Method:     fingerprint.MethodBanner,
		Banner:     fingerprint.EscapeBanner(banner),
	}
	code, text, ok := codeReply(banner)
	if !ok || code != "220" || len(text) == 0 {
		return svc, false
	}
	greet := text[0]
	if host, _, _ := strings.Cut(greet, " "); strings.Contains(host, ".") && !strings.ContainsAny(host, "()[]/") {
		svc.Hostname = host
	}
	switch {
	case strings.Contains(greet, "Postfix"):
		product(&svc, "Postfix smtpd", "", "postfix", "postfix")
		svc.Distro = fingerprint.ParseDistro(greet)
	case strings.Contains(greet, " Exim "):
		v, _ := wordAfter(greet, " Exim ")
		product(&svc, "Exim smtpd", versionPrefix(v), "exim", "exim")
	case strings.Contains(greet, "Sendmail "):
		// "Sendmail 8.17.1.9/8.17.1.9/Debian-2;" : binary/config versions.
		v, _ := wordAfter(greet, "Sendmail ")
		bin, _, _ := strings.Cut(v, "/")
		product(&svc, "Sendmail", versionPrefix(bin), "sendmail", "sendmail")
		svc.Distro = fingerprint.ParseDistro(v)
	case strings.Contains(greet, "OpenSMTPD"):
		product(&svc, "OpenSMTPD", "", "openbsd", "opensmtpd")
	case strings.Contains(greet, "Microsoft ESMTP MAIL Service"):
		v, _ := wordAfter(greet, "Version: ")
		product(&svc, "Microsoft ESMTP", versionPrefix(v), "", "")
		svc.OS = "Windows"
		svc.CPE = []string{fingerprint.CPE("o", "microsoft", "windows", "")}
	case strings.Contains(strings.ToUpper(strings.Join(text, " ")), "SMTP"):
		return svc, true
	default:
		return svc, false
	}
	return svc, true
}
