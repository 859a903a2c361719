package textproto

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"fmt"
	"io"
	"strings"

	"github.com/portwatch/portwatch/internal/fingerprint"
)

// SMB identifies SMB2/3 servers on direct TCP ([MS-SMB2]): NEGOTIATE gives
// the dialect, signing policy and server GUID; an anonymous NTLMSSP
// SESSION_SETUP then gives the host names and the OS version that tells
// Samba from Windows. No credentials are sent.
type SMB struct{}

var _ fingerprint.Fingerprinter = (*SMB)(nil)

// SMB2 commands and status codes used here.
const (
	smb2Negotiate              = 0
	smb2SessionSetup           = 1
	smbStatusMoreProcessing    = 0xc0000016
	smb2HeaderSize             = 64
	smbMaxMessage              = 64 << 10
	smbSecurityModeSigning     = 0x01
	smbSecurityModeSigningReqd = 0x02
)

// smbDialects are offered from oldest to newest.
var smbDialects = [...]uint16{0x0202, 0x0210, 0x0300, 0x0302, 0x0311}

// Name implements fingerprint.Fingerprinter; nmap's name for port 445.
func (*SMB) Name() string { return "microsoft-ds" }

// Ports implements fingerprint.Fingerprinter.
func (*SMB) Ports() []uint16 { return []uint16{445} }

// MatchBanner implements fingerprint.Fingerprinter: SMB servers wait for
// the client.
func (*SMB) MatchBanner([]byte) (fingerprint.Service, bool) { return fingerprint.Service{}, false }

// Probe implements fingerprint.Fingerprinter.
func (*SMB) Probe(ctx context.Context, s *fingerprint.Session) (fingerprint.Service, error) {
	release, err := bind(ctx, s.Conn)
	if err != nil {
		return fingerprint.Service{}, fmt.Errorf("smb: %w", err)
	}
	defer release()
	req, err := smbNegotiateRequest()
	if err != nil {
		return fingerprint.Service{}, fmt.Errorf("smb: %w", err)
	}
	if _, err := s.Conn.Write(req); err != nil {
		return fingerprint.Service{}, fmt.Errorf("smb: write NEGOTIATE: %w", ctxErr(ctx, err))
	}
	msg, err := readNetBIOS(s.Conn)
	if err != nil {
		return fingerprint.Service{}, fmt.Errorf("smb: NEGOTIATE: %w", err)
	}
	svc, ok := parseSMBNegotiate(msg)
	if !ok {
		return fingerprint.Service{}, fmt.Errorf("smb: NEGOTIATE answer %q: %w", fingerprint.EscapeBanner(msg[:min(len(msg), 32)]), fingerprint.ErrNoMatch)
	}
	if strings.HasPrefix(svc.Extra, "SMB1") {
		return svc, nil
	}
	// The anonymous NTLM challenge is a detail: a failure keeps what
	// NEGOTIATE said.
	if _, err := s.Conn.Write(smbSessionSetupRequest()); err != nil {
		return svc, nil
	}
	if err := limitRead(ctx, s.Conn); err != nil {
		return svc, nil
	}
	if msg, err := readNetBIOS(s.Conn); err == nil {
		if ch, ok := smbChallenge(msg); ok {
			ch.describe(&svc)
		}
	}
	return svc, nil
}

// smbHeader builds an SMB2 sync header for a request.
func smbHeader(command uint16, messageID uint64) []byte {
	h := make([]byte, smb2HeaderSize)
	copy(h, "\xfeSMB")
	binary.LittleEndian.PutUint16(h[4:], smb2HeaderSize)
	binary.LittleEndian.PutUint16(h[6:], 1) // CreditCharge
	binary.LittleEndian.PutUint16(h[12:], command)
	binary.LittleEndian.PutUint16(h[14:], 1) // CreditRequest
	binary.LittleEndian.PutUint64(h[24:], messageID)
	return h
}

// netBIOS frames an SMB message for direct TCP (RFC 1002 session message).
func netBIOS(msg []byte) []byte {
	out := make([]byte, 4, 4+len(msg))
	binary.BigEndian.PutUint32(out, uint32(len(msg))) // type 0, 24-bit length
	return append(out, msg...)
}

// smbNegotiateRequest builds NEGOTIATE offering 2.0.2 to 3.1.1, with the
// pre-authentication integrity and encryption contexts 3.1.1 requires.
func smbNegotiateRequest() ([]byte, error) {
	body := make([]byte, 36, 128)
	binary.LittleEndian.PutUint16(body[0:], 36) // StructureSize
	binary.LittleEndian.PutUint16(body[2:], uint16(len(smbDialects)))
	binary.LittleEndian.PutUint16(body[4:], smbSecurityModeSigning)
	binary.LittleEndian.PutUint32(body[8:], 0x7f)     // all client capabilities
	if _, err := rand.Read(body[12:28]); err != nil { // ClientGuid
		return nil, fmt.Errorf("client GUID: %w", err)
	}
	for _, d := range smbDialects {
		body = binary.LittleEndian.AppendUint16(body, d)
	}
	for (smb2HeaderSize+len(body))%8 != 0 {
		body = append(body, 0)
	}
	binary.LittleEndian.PutUint32(body[28:], uint32(smb2HeaderSize+len(body))) // NegotiateContextOffset
	binary.LittleEndian.PutUint16(body[32:], 2)                                // NegotiateContextCount

	salt := make([]byte, 32)
	if _, err := rand.Read(salt); err != nil {
		return nil, fmt.Errorf("preauth salt: %w", err)
	}
	preauth := []byte{1, 0, 32, 0, 1, 0} // one hash (SHA-512), 32-byte salt
	body = smbContext(body, 1, append(preauth, salt...))
	for len(body)%8 != 0 {
		body = append(body, 0)
	}
	body = smbContext(body, 2, []byte{2, 0, 2, 0, 1, 0}) // AES-128-GCM, AES-128-CCM
	return netBIOS(append(smbHeader(smb2Negotiate, 0), body...)), nil
}

// smbContext appends one negotiate context.
func smbContext(b []byte, typ uint16, data []byte) []byte {
	b = binary.LittleEndian.AppendUint16(b, typ)
	b = binary.LittleEndian.AppendUint16(b, uint16(len(data)))
	b = append(b, 0, 0, 0, 0)
	return append(b, data...)
}

// smbSessionSetupRequest carries an SPNEGO-wrapped NTLMSSP NEGOTIATE.
func smbSessionSetupRequest() []byte {
	token := spnegoNTLMNegotiate()
	body := make([]byte, 24, 24+len(token))
	binary.LittleEndian.PutUint16(body[0:], 25) // StructureSize (fixed part + 1)
	body[3] = smbSecurityModeSigning
	binary.LittleEndian.PutUint16(body[12:], smb2HeaderSize+24)
	binary.LittleEndian.PutUint16(body[14:], uint16(len(token)))
	body = append(body, token...)
	return netBIOS(append(smbHeader(smb2SessionSetup, 1), body...))
}

// readNetBIOS reads one direct-TCP session message.
func readNetBIOS(r io.Reader) ([]byte, error) {
	var hdr [4]byte
	if _, err := io.ReadFull(r, hdr[:]); err != nil {
		return hdr[:0], fmt.Errorf("read: %w", err)
	}
	n := binary.BigEndian.Uint32(hdr[:])
	if hdr[0] != 0 || n < smb2HeaderSize/2 || n > smbMaxMessage {
		return hdr[:], fmt.Errorf("not an SMB session message (%x): %w", hdr, fingerprint.ErrNoMatch)
	}
	msg := make([]byte, n)
	if _, err := io.ReadFull(r, msg); err != nil {
		return msg, fmt.Errorf("read: %w", err)
	}
	return msg, nil
}

// parseSMBNegotiate reads a NEGOTIATE response ([MS-SMB2] 2.2.4).
func parseSMBNegotiate(m []byte) (fingerprint.Service, bool) {
	svc := fingerprint.Service{
		Name:       "microsoft-ds",
		Confidence: fingerprint.ConfidenceLikely,
		Method:     fingerprint.MethodProbe,
	}
	if len(m) >= 5 && string(m[:4]) == "\xffSMB" && m[4] == 0x72 {
		svc.Extra = "SMB1 only"
		return svc, true
	}
	if len(m) < smb2HeaderSize+64 || string(m[:4]) != "\xfeSMB" ||
		binary.LittleEndian.Uint16(m[12:]) != smb2Negotiate || binary.LittleEndian.Uint32(m[8:]) != 0 {
		return svc, false
	}
	b := m[smb2HeaderSize:]
	if binary.LittleEndian.Uint16(b[0:]) != 65 {
		return svc, false
	}
	mode := binary.LittleEndian.Uint16(b[2:])
	dialect := binary.LittleEndian.Uint16(b[4:])
	extra := []string{"dialect " + smbDialectName(dialect)}
	switch {
	case mode&smbSecurityModeSigningReqd != 0:
		extra = append(extra, "signing required")
	case mode&smbSecurityModeSigning != 0:
		extra = append(extra, "signing enabled, not required")
	}
	extra = append(extra, "server GUID "+guidString(b[8:24]))
	svc.Extra = strings.Join(extra, "; ")
	return svc, true
}

// smbDialectName renders a dialect revision such as 0x0311 as "3.1.1".
func smbDialectName(d uint16) string {
	switch d {
	case 0x0202:
		return "2.0.2"
	case 0x0210:
		return "2.1"
	case 0x0300:
		return "3.0"
	case 0x0302:
		return "3.0.2"
	case 0x0311:
		return "3.1.1"
	}
	return fmt.Sprintf("0x%04x", d)
}

// guidString formats a little-endian GUID the way Windows prints it.
func guidString(g []byte) string {
	return fmt.Sprintf("%08x-%04x-%04x-%x-%x",
		binary.LittleEndian.Uint32(g[0:]), binary.LittleEndian.Uint16(g[4:]),
		binary.LittleEndian.Uint16(g[6:]), g[8:10], g[10:16])
}

// smbChallenge finds the NTLMSSP CHALLENGE in a SESSION_SETUP answer.
func smbChallenge(m []byte) (ntlmChallenge, bool) {
	if len(m) < smb2HeaderSize+8 || string(m[:4]) != "\xfeSMB" ||
		binary.LittleEndian.Uint16(m[12:]) != smb2SessionSetup ||
		binary.LittleEndian.Uint32(m[8:]) != smbStatusMoreProcessing {
		return ntlmChallenge{}, false
	}
	return parseNTLMChallenge(m[smb2HeaderSize:])
}
