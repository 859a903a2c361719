package textproto

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net"
	"strings"

	"github.com/portwatch/portwatch/internal/fingerprint"
)

// SIP identifies SIP servers over TCP with OPTIONS (RFC 3261 section 11)
// and their Server or User-Agent header.
type SIP struct{}

var _ fingerprint.Fingerprinter = (*SIP)(nil)

// Name implements fingerprint.Fingerprinter.
func (*SIP) Name() string { return "sip" }

// Ports implements fingerprint.Fingerprinter.
func (*SIP) Ports() []uint16 { return []uint16{5060} }

// MatchBanner implements fingerprint.Fingerprinter: SIP servers wait for
// the client.
func (*SIP) MatchBanner([]byte) (fingerprint.Service, bool) { return fingerprint.Service{}, false }

// Probe implements fingerprint.Fingerprinter.
func (*SIP) Probe(ctx context.Context, s *fingerprint.Session) (fingerprint.Service, error) {
	release, err := bind(ctx, s.Conn)
	if err != nil {
		return fingerprint.Service{}, fmt.Errorf("sip: %w", err)
	}
	defer release()
	req, err := sipOptions(s)
	if err != nil {
		return fingerprint.Service{}, fmt.Errorf("sip: %w", err)
	}
	if err := send(ctx, s.Conn, req); err != nil {
		return fingerprint.Service{}, fmt.Errorf("sip: OPTIONS: %w", err)
	}
	buf, err := readReply(ctx, s.Conn, headerDone("SIP/2.0 "))
	status, headers := parseHeaders(buf)
	if !strings.HasPrefix(status, "SIP/2.0 ") {
		if err != nil && len(buf) == 0 {
			return fingerprint.Service{}, fmt.Errorf("sip: %w", err)
		}
		return fingerprint.Service{}, fmt.Errorf("sip: answer %q: %w", firstLine(buf), fingerprint.ErrNoMatch)
	}
	svc := fingerprint.Service{
		Name:       "sip",
		Confidence: fingerprint.ConfidenceLikely,
		Method:     fingerprint.MethodProbe,
		Banner:     fingerprint.EscapeBanner(buf),
	}
	h := headers["server"]
	if h == "" {
		h = headers["user-agent"]
	}
	if h != "" {
		sipProduct(&svc, h)
	}
	return svc, nil
}

// sipOptions builds an OPTIONS request for the session's peer.
func sipOptions(s *fingerprint.Session) (string, error) {
	id := make([]byte, 24)
	if _, err := rand.Read(id); err != nil {
		return "", fmt.Errorf("random tags: %w", err)
	}
	branch, tag, callID := hex.EncodeToString(id[:8]), hex.EncodeToString(id[8:16]), hex.EncodeToString(id[16:])
	host := urlHost(s, 5060)
	local := "127.0.0.1:5060"
	if a := s.Conn.LocalAddr(); a != nil {
		local = a.String()
	}
	localHost, _, _ := net.SplitHostPort(local)
	var b strings.Builder
	fmt.Fprintf(&b, "OPTIONS sip:portwatch@%s SIP/2.0\r\n", host)
	fmt.Fprintf(&b, "Via: SIP/2.0/TCP %s;branch=z9hG4bK%s;rport\r\n", local, branch)
	b.WriteString("Max-Forwards: 70\r\n")
	fmt.Fprintf(&b, "From: <sip:portwatch@%s>;tag=%s\r\n", host, tag)
	fmt.Fprintf(&b, "To: <sip:portwatch@%s>\r\n", host)
	fmt.Fprintf(&b, "Call-ID: %s@%s\r\n", callID, localHost)
	b.WriteString("CSeq: 1 OPTIONS\r\n")
	fmt.Fprintf(&b, "Contact: <sip:portwatch@%s;transport=tcp>\r\n", local)
	b.WriteString("Accept: application/sdp\r\nUser-Agent: portwatch\r\nContent-Length: 0\r\n\r\n")
	return b.String(), nil
}

// sipProduct recognises the common SIP servers from their header.
func sipProduct(svc *fingerprint.Service, h string) {
	switch {
	case strings.Contains(h, "Asterisk PBX "):
		v, _ := wordAfter(h, "Asterisk PBX ")
		product(svc, "Asterisk", versionPrefix(v), "digium", "asterisk")
	case strings.HasPrefix(h, "FPBX-"):
		// FreePBX: "FPBX-16.0.40(18.20.0)", Asterisk's version in parentheses.
		_, v, _ := strings.Cut(h, "(")
		product(svc, "Asterisk", versionPrefix(v), "digium", "asterisk")
		svc.Extra = "FreePBX " + versionPrefix(strings.TrimPrefix(h, "FPBX-"))
	case strings.HasPrefix(h, "FreeSWITCH"):
		_, v, _ := strings.Cut(h, "/")
		product(svc, "FreeSWITCH", versionPrefix(v), "freeswitch", "freeswitch")
	case strings.HasPrefix(strings.ToLower(h), "kamailio"):
		v, _ := wordAfter(h, "(")
		product(svc, "Kamailio", versionPrefix(v), "kamailio", "kamailio")
	case strings.HasPrefix(h, "OpenSIPS"):
		v, _ := wordAfter(h, "(")
		product(svc, "OpenSIPS", versionPrefix(v), "opensips", "opensips")
	default:
		name, version := serverProduct(h)
		product(svc, name, version, "", "")
	}
}
