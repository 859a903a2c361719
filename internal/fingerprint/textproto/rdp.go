package textproto

import (
	"context"
	"encoding/binary"
	"fmt"
	"io"

	"github.com/portwatch/portwatch/internal/fingerprint"
)

// RDP identifies Remote Desktop servers with an X.224 Connection Request
// carrying an RDP Negotiation Request ([MS-RDPBCGR] 2.2.1.1); the
// Connection Confirm tells which security protocol the server chose.
type RDP struct{}

var _ fingerprint.Fingerprinter = (*RDP)(nil)

// RDP security protocols ([MS-RDPBCGR] 2.2.1.1.1).
const (
	rdpProtocolSSL      = 0x1
	rdpProtocolHybrid   = 0x2
	rdpProtocolRDSTLS   = 0x4
	rdpProtocolHybridEx = 0x8
)

// rdpRequest is TPKT (RFC 1006) + X.224 CR TPDU (ISO 8073) + RDP_NEG_REQ
// asking for TLS, CredSSP and CredSSP with Early User Authorization.
var rdpRequest = []byte{
	0x03, 0x00, 0x00, 0x13, // TPKT version 3, length 19
	0x0e, 0xe0, 0x00, 0x00, 0x00, 0x00, 0x00, // X.224 CR: LI 14, dst-ref, src-ref, class 0
	0x01, 0x00, 0x08, 0x00, // RDP_NEG_REQ, flags 0, length 8
	rdpProtocolSSL | rdpProtocolHybrid | rdpProtocolHybridEx, 0x00, 0x00, 0x00,
}

// Name implements fingerprint.Fingerprinter; nmap's name for RDP.
func (*RDP) Name() string { return "ms-wbt-server" }

// Ports implements fingerprint.Fingerprinter.
func (*RDP) Ports() []uint16 { return []uint16{3389} }

// MatchBanner implements fingerprint.Fingerprinter: RDP servers wait for
// the client.
func (*RDP) MatchBanner([]byte) (fingerprint.Service, bool) { return fingerprint.Service{}, false }

// Probe implements fingerprint.Fingerprinter.
func (*RDP) Probe(ctx context.Context, s *fingerprint.Session) (fingerprint.Service, error) {
	release, err := bind(ctx, s.Conn)
	if err != nil {
		return fingerprint.Service{}, fmt.Errorf("rdp: %w", err)
	}
	defer release()
	if _, err := s.Conn.Write(rdpRequest); err != nil {
		return fingerprint.Service{}, fmt.Errorf("rdp: write connection request: %w", ctxErr(ctx, err))
	}
	tpkt, err := readTPKT(s.Conn)
	if err != nil {
		return fingerprint.Service{}, fmt.Errorf("rdp: %w", err)
	}
	svc, ok := parseRDPConfirm(tpkt)
	if !ok {
		return fingerprint.Service{}, fmt.Errorf("rdp: answer %q: %w", fingerprint.EscapeBanner(tpkt), fingerprint.ErrNoMatch)
	}
	svc.Banner = fingerprint.EscapeBanner(tpkt)
	return svc, nil
}

// readTPKT reads one TPKT packet (RFC 1006: version 3, reserved, 16-bit
// length including the header).
func readTPKT(r io.Reader) ([]byte, error) {
	hdr := make([]byte, 4)
	if _, err := io.ReadFull(r, hdr); err != nil {
		return hdr, fmt.Errorf("read TPKT header: %w", err)
	}
	n := int(binary.BigEndian.Uint16(hdr[2:]))
	if hdr[0] != 3 || n < 4+3 || n > 1024 {
		return hdr, fmt.Errorf("not a TPKT header %x: %w", hdr, fingerprint.ErrNoMatch)
	}
	pkt := make([]byte, n)
	copy(pkt, hdr)
	if _, err := io.ReadFull(r, pkt[4:]); err != nil {
		return pkt, fmt.Errorf("read TPKT body: %w", err)
	}
	return pkt, nil
}

// parseRDPConfirm reads a TPKT-framed X.224 Connection Confirm and the
// RDP_NEG_RSP or RDP_NEG_FAILURE after it.
func parseRDPConfirm(p []byte) (fingerprint.Service, bool) {
	svc := fingerprint.Service{
		Name:       "ms-wbt-server",
		Confidence: fingerprint.ConfidenceLikely,
		Method:     fingerprint.MethodProbe,
	}
	if len(p) < 11 || p[0] != 3 {
		return svc, false
	}
	li := int(p[4])
	if p[5]&0xf0 != 0xd0 || li < 6 || 5+li > len(p) {
		return svc, false // not a Connection Confirm
	}
	neg := p[11:min(len(p), 5+li)]
	if len(neg) < 8 || binary.LittleEndian.Uint16(neg[2:]) != 8 {
		// Servers before RDP 5.2 confirm without negotiation data; so do
		// other ISO-on-TCP services (e.g. S7 on 102), hence the lower confidence.
		svc.Extra = "no RDP negotiation (standard RDP security)"
		svc.Confidence = 5
		return svc, true
	}
	v := binary.LittleEndian.Uint32(neg[4:])
	switch neg[0] {
	case 0x02: // RDP_NEG_RSP
		svc.Extra = "security: " + rdpProtocolName(v)
	case 0x03: // RDP_NEG_FAILURE
		svc.Extra = "negotiation failure: " + rdpFailureName(v)
	default:
		return svc, false
	}
	return svc, true
}

// rdpProtocolName names the selected security protocol.
func rdpProtocolName(v uint32) string {
	switch v {
	case 0:
		return "standard RDP"
	case rdpProtocolSSL:
		return "TLS"
	case rdpProtocolHybrid:
		return "CredSSP (NLA)"
	case rdpProtocolRDSTLS:
		return "RDSTLS"
	case rdpProtocolHybridEx:
		return "CredSSP with Early User Authorization (NLA)"
	}
	return fmt.Sprintf("protocol 0x%x", v)
}

// rdpFailureName names an RDP_NEG_FAILURE code.
func rdpFailureName(v uint32) string {
	names := []string{1: "TLS required by server", 2: "TLS not allowed by server", 3: "no certificate on server",
		4: "inconsistent flags", 5: "CredSSP required by server", 6: "TLS with user authentication required by server"}
	if int(v) < len(names) && names[v] != "" {
		return names[v]
	}
	return fmt.Sprintf("code %d", v)
}
