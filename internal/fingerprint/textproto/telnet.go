package textproto

import (
	"bytes"
	"context"
	"fmt"
	"strings"

	"github.com/portwatch/portwatch/internal/fingerprint"
)

// Telnet identifies telnet servers from their option negotiation (RFC 854:
// IAC followed by WILL, WONT, DO, DONT or SB) and notes a login prompt.
type Telnet struct{}

var (
	_ fingerprint.Fingerprinter = (*Telnet)(nil)
	_ fingerprint.Passive       = (*Telnet)(nil)
)

// Telnet command bytes (RFC 854).
const (
	telnetSE   = 240
	telnetSB   = 250
	telnetWILL = 251
	telnetWONT = 252
	telnetDO   = 253
	telnetDONT = 254
	telnetIAC  = 255
)

// Name implements fingerprint.Fingerprinter.
func (*Telnet) Name() string { return "telnet" }

// Ports implements fingerprint.Fingerprinter.
func (*Telnet) Ports() []uint16 { return []uint16{23, 2323} }

// ServerSpeaksFirst implements fingerprint.Passive.
func (*Telnet) ServerSpeaksFirst() bool { return true }

// MatchBanner implements fingerprint.Fingerprinter.
func (*Telnet) MatchBanner(banner []byte) (fingerprint.Service, bool) {
	if !telnetNegotiation(banner) {
		return fingerprint.Service{}, false
	}
	return telnetService(banner), true
}

// Probe implements fingerprint.Fingerprinter: refuse every option the
// server offers or asks for, then wait briefly for a login prompt.
func (*Telnet) Probe(ctx context.Context, s *fingerprint.Session) (fingerprint.Service, error) {
	release, err := bind(ctx, s.Conn)
	if err != nil {
		return fingerprint.Service{}, fmt.Errorf("telnet: %w", err)
	}
	defer release()
	first, err := greeting(ctx, s, func(b []byte) bool { return len(b) > 0 })
	if err != nil {
		return fingerprint.Service{}, fmt.Errorf("telnet: %w", err)
	}
	if !telnetNegotiation(first) {
		return fingerprint.Service{}, fmt.Errorf("telnet: no option negotiation in %q: %w", fingerprint.EscapeBanner(first), fingerprint.ErrNoMatch)
	}
	seen := append([]byte(nil), first...)
	if refusal := telnetRefuse(first); len(refusal) > 0 {
		if err := send(ctx, s.Conn, string(refusal)); err != nil {
			return telnetService(seen), nil
		}
	}
	// The prompt is a detail: wait for it a little, never for the whole
	// probe deadline.
	if err := limitRead(ctx, s.Conn); err == nil {
		more, _ := readReply(ctx, s.Conn, func(b []byte) bool {
			return telnetPrompt(telnetText(b)) || len(b) > maxLine
		})
		seen = append(seen, more...)
	}
	svc := telnetService(seen)
	svc.Method = fingerprint.MethodProbe
	return svc, nil
}

// telnetNegotiation reports whether b starts with a telnet command.
func telnetNegotiation(b []byte) bool {
	return len(b) >= 3 && b[0] == telnetIAC && (b[1] == telnetSB || (b[1] >= telnetWILL && b[1] <= telnetDONT))
}

// telnetRefuse answers every DO with WONT and every WILL with DONT.
func telnetRefuse(b []byte) []byte {
	var out []byte
	for i := 0; i+2 < len(b); i++ {
		if b[i] != telnetIAC {
			continue
		}
		switch b[i+1] {
		case telnetDO:
			out = append(out, telnetIAC, telnetWONT, b[i+2])
			i += 2
		case telnetWILL:
			out = append(out, telnetIAC, telnetDONT, b[i+2])
			i += 2
		}
	}
	return out
}

// telnetText strips telnet commands and subnegotiations from b.
func telnetText(b []byte) string {
	var out []byte
	for i := 0; i < len(b); i++ {
		if b[i] != telnetIAC {
			out = append(out, b[i])
			continue
		}
		if i+1 >= len(b) {
			break
		}
		switch c := b[i+1]; {
		case c == telnetIAC:
			out = append(out, telnetIAC)
			i++
		case c == telnetSB:
			end := bytes.Index(b[i:], []byte{telnetIAC, telnetSE})
			if end < 0 {
				return string(out)
			}
			i += end + 1
		case c >= telnetWILL:
			i += 2
		default:
			i++
		}
	}
	return string(out)
}

// telnetPrompt reports whether text ends in a login or password prompt.
func telnetPrompt(text string) bool {
	t := strings.ToLower(strings.TrimRight(text, " \t\r\n"))
	return strings.HasSuffix(t, "login:") || strings.HasSuffix(t, "username:") ||
		strings.HasSuffix(t, "user name:") || strings.HasSuffix(t, "password:")
}

// telnetService describes a telnet server from what it sent.
func telnetService(seen []byte) fingerprint.Service {
	svc := fingerprint.Service{
		Name:       "telnet",
		Confidence: fingerprint.ConfidenceLikely,
		Method:     fingerprint.MethodBanner,
		Banner:     fingerprint.EscapeBanner(seen),
	}
	text := telnetText(seen)
	if telnetPrompt(text) {
		svc.Extra = "login prompt"
		// "host login:" names the host, as getty and BusyBox print it.
		lines := strings.Split(strings.TrimRight(text, " \r\n"), "\n")
		last := strings.TrimSpace(lines[len(lines)-1])
		if host, ok := strings.CutSuffix(last, " login:"); ok && !strings.Contains(host, " ") {
			svc.Hostname = host
		}
	}
	return svc
}
