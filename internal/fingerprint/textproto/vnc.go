package textproto

import (
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/portwatch/portwatch/internal/fingerprint"
)

// VNC identifies RFB servers (RFC 6143) from their "RFB 003.008\n"
// ProtocolVersion and, by answering it, the security types offered.
type VNC struct{}

var (
	_ fingerprint.Fingerprinter = (*VNC)(nil)
	_ fingerprint.Passive       = (*VNC)(nil)
)

// Name implements fingerprint.Fingerprinter.
func (*VNC) Name() string { return "vnc" }

// Ports implements fingerprint.Fingerprinter.
func (*VNC) Ports() []uint16 { return []uint16{5900, 5901, 5902} }

// ServerSpeaksFirst implements fingerprint.Passive.
func (*VNC) ServerSpeaksFirst() bool { return true }

// MatchBanner implements fingerprint.Fingerprinter.
func (*VNC) MatchBanner(banner []byte) (fingerprint.Service, bool) {
	major, minor, ok := rfbVersion(banner)
	if !ok {
		return fingerprint.Service{}, false
	}
	return vncService(banner, major, minor), true
}

// Probe implements fingerprint.Fingerprinter.
func (*VNC) Probe(ctx context.Context, s *fingerprint.Session) (fingerprint.Service, error) {
	release, err := bind(ctx, s.Conn)
	if err != nil {
		return fingerprint.Service{}, fmt.Errorf("vnc: %w", err)
	}
	defer release()
	greet, err := greeting(ctx, s, func(b []byte) bool { return len(b) >= 12 || lineDone(b) })
	if err != nil {
		return fingerprint.Service{}, fmt.Errorf("vnc: %w", err)
	}
	major, minor, ok := rfbVersion(greet)
	if !ok {
		return fingerprint.Service{}, fmt.Errorf("vnc: greeting %q: %w", fingerprint.EscapeBanner(greet), fingerprint.ErrNoMatch)
	}
	svc := vncService(greet, major, minor)
	// Answer with the highest version both sides know; 3.3 servers pick
	// the security type themselves, later ones list theirs.
	reply := "RFB 003.008\n"
	if major == 3 && minor < 7 {
		reply = "RFB 003.003\n"
	} else if major == 3 && minor == 7 {
		reply = "RFB 003.007\n"
	}
	if err := send(ctx, s.Conn, reply); err != nil {
		return svc, nil
	}
	types, err := rfbSecurityTypes(s.Conn, reply == "RFB 003.003\n")
	if err == nil && len(types) > 0 {
		svc.Extra += "; security: " + strings.Join(types, ", ")
		svc.Method = fingerprint.MethodProbe
	}
	return svc, nil
}

// rfbVersion parses "RFB xxx.yyy\n".
func rfbVersion(b []byte) (major, minor int, ok bool) {
	if len(b) < 12 || string(b[:4]) != "RFB " || b[7] != '.' || b[11] != '\n' {
		return 0, 0, false
	}
	major, err1 := strconv.Atoi(string(b[4:7]))
	minor, err2 := strconv.Atoi(string(b[8:11]))
	if err1 != nil || err2 != nil {
		return 0, 0, false
	}
	return major, minor, true
}

// vncService describes an RFB server from its protocol version.
func vncService(banner []byte, major, minor int) fingerprint.Service {
	svc := fingerprint.Service{
		Name:       "vnc",
		Extra:      fmt.Sprintf("protocol %d.%d", major, minor),
		Confidence: fingerprint.ConfidenceLikely,
		Method:     fingerprint.MethodBanner,
		Banner:     fingerprint.EscapeBanner(banner),
	}
	switch {
	case major == 3 && minor == 889:
		// Apple's screen sharing announces this non-standard version.
		svc.Product = "Apple remote desktop vnc"
		svc.OS = "macOS"
	case major == 4 && (minor == 0 || minor == 1):
		svc.Product = "RealVNC"
		svc.CPE = []string{fingerprint.CPE("a", "realvnc", "realvnc", "")}
	}
	return svc
}

// rfbSecurityTypes reads the server's security types (RFC 6143 section
// 7.1.2); a 3.3 server sends one 32-bit type instead of a list.
func rfbSecurityTypes(r io.Reader, v33 bool) ([]string, error) {
	if v33 {
		var t uint32
		if err := binary.Read(r, binary.BigEndian, &t); err != nil {
			return nil, fmt.Errorf("read security type: %w", err)
		}
		if t == 0 {
			return []string{"refused"}, nil
		}
		return []string{rfbSecurityName(int(t))}, nil
	}
	var n [1]byte
	if _, err := io.ReadFull(r, n[:]); err != nil {
		return nil, fmt.Errorf("read security types: %w", err)
	}
	if n[0] == 0 {
		return []string{"refused"}, nil
	}
	list := make([]byte, n[0])
	if _, err := io.ReadFull(r, list); err != nil {
		return nil, fmt.Errorf("read security types: %w", err)
	}
	names := make([]string, 0, len(list))
	for _, t := range list {
		names = append(names, rfbSecurityName(int(t)))
	}
	return names, nil
}

// rfbSecurityName names an RFB security type (IANA RFB registry).
func rfbSecurityName(t int) string {
	switch t {
	case 1:
		return "None"
	case 2:
		return "VNC Authentication"
	case 5:
		return "RA2"
	case 6:
		return "RA2ne"
	case 16:
		return "Tight"
	case 18:
		return "TLS"
	case 19:
		return "VeNCrypt"
	case 30:
		return "Apple Remote Desktop"
	}
	return "type " + strconv.Itoa(t)
}
