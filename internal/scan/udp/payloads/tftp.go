package payloads

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"

	"github.com/portwatch/portwatch/internal/fingerprint"
)

// TFTP opcodes (RFC 1350 section 5; OACK from RFC 2347).
const (
	tftpRRQ   = 1
	tftpData  = 3
	tftpError = 5
	tftpOACK  = 6
)

// TFTP returns the TFTP payload: a read request in octet mode for a random
// file name that cannot exist; the server's "file not found" error proves
// it. A server answers from a fresh port (its transfer ID, RFC 1350
// section 4), so the probe socket is left unconnected.
func TFTP() []Payload {
	return []Payload{{
		Service: "tftp", Name: "tftp-rrq", Spec: "RFC 1350", Ports: []uint16{69}, AnySourcePort: true,
		Build: func(req Request) []byte {
			b := []byte{0, tftpRRQ}
			b = append(b, "portwatch-"+hex.EncodeToString(randBytes(req.Rand, 8))...)
			return append(append(b, 0), "octet\x00"...)
		},
		Identify: identifyTFTP,
	}}
}

// identifyTFTP accepts an ERROR (with a known code and a NUL-terminated
// message), DATA block 1 or an option acknowledgement.
func identifyTFTP(b []byte) (fingerprint.Service, bool) {
	if len(b) < 4 || b[0] != 0 {
		return fingerprint.Service{}, false
	}
	svc := probe("tftp", fingerprint.ConfidenceLikely)
	switch b[1] {
	case tftpError:
		code := binary.BigEndian.Uint16(b[2:])
		msg, _, terminated := bytes.Cut(b[4:], []byte{0})
		if code > 8 || !terminated {
			return fingerprint.Service{}, false
		}
		svc.Extra = clean("error: " + string(msg))
	case tftpData:
		if binary.BigEndian.Uint16(b[2:]) != 1 || len(b) > 4+512 {
			return fingerprint.Service{}, false
		}
	case tftpOACK:
		if b[len(b)-1] != 0 {
			return fingerprint.Service{}, false
		}
	default:
		return fingerprint.Service{}, false
	}
	return svc, true
}
