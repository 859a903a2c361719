package textproto

import (
	"bytes"
	"context"
	"fmt"
	"strings"

	"github.com/portwatch/portwatch/internal/fingerprint"
)

// SSH identifies SSH servers from their identification string
// "SSH-protoversion-softwareversion SP comments" (RFC 4253 section 4.2).
type SSH struct{}

var (
	_ fingerprint.Fingerprinter = (*SSH)(nil)
	_ fingerprint.Passive       = (*SSH)(nil)
)

// Name implements fingerprint.Fingerprinter.
func (*SSH) Name() string { return "ssh" }

// Ports implements fingerprint.Fingerprinter.
func (*SSH) Ports() []uint16 { return []uint16{22, 2222} }

// ServerSpeaksFirst implements fingerprint.Passive.
func (*SSH) ServerSpeaksFirst() bool { return true }

// MatchBanner implements fingerprint.Fingerprinter.
func (*SSH) MatchBanner(banner []byte) (fingerprint.Service, bool) {
	line, ok := sshIdent(banner)
	if !ok {
		return fingerprint.Service{}, false
	}
	return parseSSHIdent(line, banner), true
}

// Probe implements fingerprint.Fingerprinter: the server sends its
// identification first, so reading it is the whole probe.
func (f *SSH) Probe(ctx context.Context, s *fingerprint.Session) (fingerprint.Service, error) {
	if svc, ok := f.MatchBanner(s.Banner); ok {
		return svc, nil
	}
	release, err := bind(ctx, s.Conn)
	if err != nil {
		return fingerprint.Service{}, fmt.Errorf("ssh: %w", err)
	}
	defer release()
	// RFC 4253 lets a server send other lines before its identification.
	buf, err := readReply(ctx, s.Conn, func(b []byte) bool {
		_, ok := sshIdent(b)
		return ok || bytes.Count(b, []byte("\n")) > 20 || (len(b) >= 4 && !bytes.Contains(b, []byte("SSH-")) && lineDone(b))
	})
	if svc, ok := f.MatchBanner(buf); ok {
		return svc, nil
	}
	if err != nil && len(buf) == 0 {
		return fingerprint.Service{}, fmt.Errorf("ssh: %w", err)
	}
	return fingerprint.Service{}, fmt.Errorf("ssh: %w", fingerprint.ErrNoMatch)
}

// sshIdent finds the complete identification line in b.
func sshIdent(b []byte) (string, bool) {
	for _, line := range splitLines(b, false) {
		if strings.HasPrefix(line, "SSH-") && strings.Count(line, "-") >= 2 {
			return line, true
		}
	}
	return "", false
}

// parseSSHIdent turns "SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u10" into a
// service.
func parseSSHIdent(line string, banner []byte) fingerprint.Service {
	svc := fingerprint.Service{
		Name:       "ssh",
		Confidence: fingerprint.ConfidenceLikely,
		Method:     fingerprint.MethodBanner,
		Banner:     fingerprint.EscapeBanner(banner),
	}
	rest := strings.TrimPrefix(line, "SSH-")
	proto, rest, _ := strings.Cut(rest, "-")
	software, comments, _ := strings.Cut(rest, " ")
	comments = strings.TrimSpace(comments)
	sshSoftware(&svc, software)

	var extra []string
	if comments != "" {
		extra = append(extra, sshComment(comments))
		svc.Distro = fingerprint.ParseDistro(comments)
	}
	// Protocol 2.0 is near universal; 1.99 and 1.5 mean SSH-1 is offered,
	// which is worth saying.
	if proto != "2.0" {
		extra = append(extra, "protocol "+proto)
	}
	svc.Extra = strings.Join(extra, "; ")
	return svc
}

// sshSoftware recognises the softwareversion field.
func sshSoftware(svc *fingerprint.Service, software string) {
	lower := strings.ToLower(software)
	switch {
	case strings.HasPrefix(software, "OpenSSH_for_Windows_"):
		product(svc, "OpenSSH", strings.TrimPrefix(software, "OpenSSH_for_Windows_"), "openbsd", "openssh")
		svc.OS = "Windows"
	case strings.HasPrefix(software, "OpenSSH_"):
		product(svc, "OpenSSH", strings.TrimPrefix(software, "OpenSSH_"), "openbsd", "openssh")
	case strings.HasPrefix(software, "OpenSSH"):
		product(svc, "OpenSSH", "", "openbsd", "openssh")
	case strings.HasPrefix(lower, "dropbear"):
		v := strings.TrimLeft(software[len("dropbear"):], "_-")
		product(svc, "Dropbear sshd", v, "dropbear_ssh_project", "dropbear_ssh")
	case strings.HasPrefix(lower, "libssh"):
		v := strings.TrimLeft(software[len("libssh"):], "_-")
		if strings.HasPrefix(v, "2") && !strings.Contains(v, ".") {
			// "libssh2_1.10.0" is the client library libssh2, not libssh.
			v = strings.TrimLeft(v[1:], "_-")
			product(svc, "libssh2", v, "libssh2", "libssh2")
			return
		}
		product(svc, "libssh", v, "libssh", "libssh")
	case strings.HasPrefix(software, "Cisco-"):
		product(svc, "Cisco SSH", strings.TrimPrefix(software, "Cisco-"), "", "")
		svc.OS = "IOS"
	case software == "ROSSSH":
		product(svc, "MikroTik RouterOS sshd", "", "", "")
		svc.OS = "RouterOS"
	case software != "":
		// Unknown software: take "Name_1.2" or "Name-1.2" apart when it
		// looks like that, and keep the name as the server gave it.
		name, version := software, ""
		if i := strings.IndexAny(software, "_-"); i > 0 && i+1 < len(software) && isDigit(software[i+1]) {
			name, version = software[:i], software[i+1:]
		}
		product(svc, name, version, "", "")
	}
}

// sshComment renders "Debian-2+deb12u10" as "Debian 2+deb12u10", the way
// distributions mean it; other comments are kept as sent.
func sshComment(c string) string {
	word, rev, ok := strings.Cut(c, "-")
	if ok && !strings.Contains(word, " ") && rev != "" && isDigit(rev[0]) {
		return word + " " + rev
	}
	return c
}
