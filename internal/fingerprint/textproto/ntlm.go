package textproto

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"strings"
	"unicode/utf16"

	"github.com/portwatch/portwatch/internal/fingerprint"
)

// ntlmChallenge is what an NTLMSSP CHALLENGE message ([MS-NLMP] 2.2.1.2)
// tells about the server before any credentials.
type ntlmChallenge struct {
	major, minor byte
	build        uint16
	hasVersion   bool
	nbComputer   string
	nbDomain     string
	dnsComputer  string
	dnsDomain    string
}

// spnegoNTLMNegotiate is an NTLMSSP NEGOTIATE message wrapped in an
// SPNEGO NegTokenInit (RFC 4178), as SMB clients send it.
func spnegoNTLMNegotiate() []byte {
	const flags = 0x00000001 | // UNICODE
		0x00000004 | // REQUEST_TARGET
		0x00000200 | // NTLM
		0x00008000 | // ALWAYS_SIGN
		0x00080000 | // EXTENDED_SESSIONSECURITY
		0x02000000 | // VERSION
		0x20000000 | // 128
		0x80000000 // 56
	msg := []byte("NTLMSSP\x00")
	msg = binary.LittleEndian.AppendUint32(msg, 1) // NEGOTIATE
	msg = binary.LittleEndian.AppendUint32(msg, flags)
	msg = append(msg, make([]byte, 16)...)            // no domain, no workstation
	msg = append(msg, 10, 0, 0x4a, 0x61, 0, 0, 0, 15) // version 10.0.24906, NTLM revision 15
	ntlmOID := []byte{0x2b, 0x06, 0x01, 0x04, 0x01, 0x82, 0x37, 0x02, 0x02, 0x0a}
	spnegoOID := []byte{0x2b, 0x06, 0x01, 0x05, 0x05, 0x02}
	mechTypes := der(0xa0, der(0x30, der(0x06, ntlmOID)))
	mechToken := der(0xa2, der(0x04, msg))
	negTokenInit := der(0xa0, der(0x30, append(mechTypes, mechToken...)))
	return der(0x60, append(der(0x06, spnegoOID), negTokenInit...))
}

// parseNTLMChallenge finds and reads a CHALLENGE message anywhere in b
// (SPNEGO wraps it; looking for the signature avoids parsing the wrapper).
func parseNTLMChallenge(b []byte) (ntlmChallenge, bool) {
	var c ntlmChallenge
	i := bytes.Index(b, []byte("NTLMSSP\x00\x02\x00\x00\x00"))
	if i < 0 || len(b)-i < 48 {
		return c, false
	}
	m := b[i:]
	flags := binary.LittleEndian.Uint32(m[20:])
	if flags&0x02000000 != 0 && len(m) >= 56 {
		c.hasVersion = true
		c.major, c.minor = m[48], m[49]
		c.build = binary.LittleEndian.Uint16(m[50:])
	}
	n := int(binary.LittleEndian.Uint16(m[40:]))
	off := int(binary.LittleEndian.Uint32(m[44:]))
	if off < 0 || n < 0 || off+n > len(m) {
		return c, true
	}
	info := m[off : off+n]
	for len(info) >= 4 {
		id := binary.LittleEndian.Uint16(info)
		l := int(binary.LittleEndian.Uint16(info[2:]))
		if id == 0 || 4+l > len(info) {
			break
		}
		v := utf16le(info[4 : 4+l])
		switch id {
		case 1:
			c.nbComputer = v
		case 2:
			c.nbDomain = v
		case 3:
			c.dnsComputer = v
		case 4:
			c.dnsDomain = v
		}
		info = info[4+l:]
	}
	return c, true
}

// describe adds what the challenge tells to an SMB service. Samba answers
// with a fixed "6.1 build 0" version; Windows gives its real build.
func (c ntlmChallenge) describe(svc *fingerprint.Service) {
	switch {
	case c.dnsComputer != "":
		svc.Hostname = c.dnsComputer
	case c.nbComputer != "":
		svc.Hostname = c.nbComputer
	}
	var extra []string
	if c.nbDomain != "" {
		extra = append(extra, "NetBIOS domain "+c.nbDomain)
	}
	if c.hasVersion {
		if c.major == 6 && c.minor == 1 && c.build == 0 {
			svc.Product = "Samba smbd"
			svc.CPE = []string{fingerprint.CPE("a", "samba", "samba", "")}
			svc.OS = "Unix"
		} else {
			svc.Product = "Microsoft Windows SMB"
			svc.OS = fmt.Sprintf("Windows %d.%d build %d", c.major, c.minor, c.build)
			svc.CPE = []string{fingerprint.CPE("o", "microsoft", "windows", "")}
		}
	}
	if len(extra) > 0 {
		svc.Extra += "; " + strings.Join(extra, "; ")
	}
}

// utf16le decodes little-endian UTF-16.
func utf16le(b []byte) string {
	u := make([]uint16, len(b)/2)
	for i := range u {
		u[i] = binary.LittleEndian.Uint16(b[2*i:])
	}
	return string(utf16.Decode(u))
}
