package textproto

import (
	"context"
	"fmt"
	"strings"

	"github.com/portwatch/portwatch/internal/fingerprint"
)

// FTP identifies FTP servers from their 220 greeting (RFC 959) and, when
// the greeting names no FTP software, from the answer to SYST.
type FTP struct{}

var (
	_ fingerprint.Fingerprinter = (*FTP)(nil)
	_ fingerprint.Passive       = (*FTP)(nil)
	_ fingerprint.StartTLSer    = (*FTP)(nil)
)

// Name implements fingerprint.Fingerprinter.
func (*FTP) Name() string { return "ftp" }

// Ports implements fingerprint.Fingerprinter.
func (*FTP) Ports() []uint16 { return []uint16{21, 2121} }

// ServerSpeaksFirst implements fingerprint.Passive.
func (*FTP) ServerSpeaksFirst() bool { return true }

// MatchBanner implements fingerprint.Fingerprinter. A bare "220 ready"
// could be SMTP as well, so the greeting must name FTP or an FTP server.
func (*FTP) MatchBanner(banner []byte) (fingerprint.Service, bool) {
	svc, named := parseFTPGreeting(banner)
	return svc, named
}

// Probe implements fingerprint.Fingerprinter.
func (f *FTP) Probe(ctx context.Context, s *fingerprint.Session) (fingerprint.Service, error) {
	release, err := bind(ctx, s.Conn)
	if err != nil {
		return fingerprint.Service{}, fmt.Errorf("ftp: %w", err)
	}
	defer release()
	greet, err := greeting(ctx, s, codeReplyDone)
	if err != nil {
		return fingerprint.Service{}, fmt.Errorf("ftp: %w", err)
	}
	svc, named := parseFTPGreeting(greet)
	if named {
		return overTLS(svc, s, "ftps"), nil
	}
	if code, _, ok := codeReply(greet); !ok || code != "220" || smtpGreeting(greet) {
		return fingerprint.Service{}, fmt.Errorf("ftp: greeting %q: %w", firstLine(greet), fingerprint.ErrNoMatch)
	}
	// An anonymous 220: SYST's 215 answer is FTP's alone.
	if err := send(ctx, s.Conn, "SYST\r\n"); err != nil {
		return fingerprint.Service{}, fmt.Errorf("ftp: SYST: %w", err)
	}
	reply, err := readReply(ctx, s.Conn, codeReplyDone)
	if err != nil {
		return fingerprint.Service{}, fmt.Errorf("ftp: SYST: %w", err)
	}
	code, text, ok := codeReply(reply)
	if !ok || code != "215" {
		return fingerprint.Service{}, fmt.Errorf("ftp: SYST answered %q: %w", firstLine(reply), fingerprint.ErrNoMatch)
	}
	svc.Method = fingerprint.MethodProbe
	svc.Confidence = fingerprint.ConfidenceLikely
	if len(text) > 0 && strings.HasPrefix(text[0], "Windows_NT") {
		svc.OS = "Windows"
	}
	return overTLS(svc, s, "ftps"), nil
}

// StartTLS implements fingerprint.StartTLSer with AUTH TLS (RFC 4217).
func (*FTP) StartTLS(ctx context.Context, s *fingerprint.Session) error {
	release, err := bind(ctx, s.Conn)
	if err != nil {
		return fmt.Errorf("ftp: %w", err)
	}
	defer release()
	greet, err := greeting(ctx, s, codeReplyDone)
	if err != nil {
		return fmt.Errorf("ftp: %w", err)
	}
	if code, _, ok := codeReply(greet); !ok || code != "220" {
		return fmt.Errorf("ftp: greeting %q: %w", firstLine(greet), fingerprint.ErrNoMatch)
	}
	if err := send(ctx, s.Conn, "AUTH TLS\r\n"); err != nil {
		return fmt.Errorf("ftp: AUTH TLS: %w", err)
	}
	reply, err := readReply(ctx, s.Conn, codeReplyDone)
	if err != nil {
		return fmt.Errorf("ftp: AUTH TLS: %w", err)
	}
	if code, _, _ := codeReply(reply); code != "234" {
		return fmt.Errorf("ftp: AUTH TLS refused: %q", firstLine(reply))
	}
	return nil
}

// parseFTPGreeting reads a 220 greeting; named is true when it names FTP
// or a known FTP server.
func parseFTPGreeting(banner []byte) (svc fingerprint.Service, named bool) {
	svc = fingerprint.Service{
		Name:       "ftp",
		Confidence: fingerprint.ConfidenceLikely,
		Method:     fingerprint.MethodBanner,
		Banner:     fingerprint.EscapeBanner(banner),
	}
	code, text, ok := codeReply(banner)
	if !ok || code != "220" {
		return svc, false
	}
	greet := strings.Join(text, "\n")
	switch {
	case strings.Contains(greet, "(vsFTPd "):
		v, _ := wordAfter(greet, "(vsFTPd ")
		product(&svc, "vsftpd", v, "beasts", "vsftpd")
	case strings.Contains(greet, "ProFTPD"):
		v, _ := wordAfter(greet, "ProFTPD ")
		product(&svc, "ProFTPD", versionPrefix(v), "proftpd", "proftpd")
		svc.Distro = fingerprint.ParseDistro(greet)
	case strings.Contains(greet, "Pure-FTPd"):
		product(&svc, "Pure-FTPd", "", "pureftpd", "pure-ftpd")
	case strings.Contains(greet, "FileZilla Server"):
		v, _ := wordAfter(greet, "FileZilla Server ")
		if v == "version" {
			v, _ = wordAfter(greet, "FileZilla Server version ")
		}
		product(&svc, "FileZilla ftpd", versionPrefix(v), "filezilla-project", "filezilla_server")
	case strings.Contains(greet, "Microsoft FTP Service"):
		product(&svc, "Microsoft ftpd", "", "", "")
		svc.OS = "Windows"
		svc.CPE = []string{fingerprint.CPE("o", "microsoft", "windows", "")}
	case strings.Contains(greet, "Serv-U FTP Server"):
		v, _ := wordAfter(greet, "Serv-U FTP Server v")
		product(&svc, "Serv-U ftpd", versionPrefix(v), "solarwinds", "serv-u")
	case strings.Contains(strings.ToUpper(greet), "FTP") && !smtpGreeting(banner):
		return svc, true
	default:
		return svc, false
	}
	return svc, true
}

// smtpGreeting reports whether a 220 greeting is a mail server's.
func smtpGreeting(banner []byte) bool {
	up := strings.ToUpper(string(banner))
	return strings.Contains(up, "SMTP") || strings.Contains(up, " MAIL ")
}
