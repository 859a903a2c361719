package payloads

import (
	"encoding/binary"
	"fmt"

	"github.com/portwatch/portwatch/internal/fingerprint"
)

// STUN values (RFC 5389 sections 6 and 15; RFC 8489 keeps them).
const (
	stunHeaderLen     = 20
	stunMagicCookie   = 0x2112A442
	stunBindingReq    = 0x0001
	stunBindingOK     = 0x0101
	stunBindingError  = 0x0111
	stunAttrSoftware  = 0x8022
	stunAttrErrorCode = 0x0009
)

// STUN returns the STUN payload: a Binding request with a random 96-bit
// transaction ID and no attributes, which every STUN and TURN server
// answers (3478; 3479 and 19302/19305 are common alternates).
func STUN() []Payload {
	return []Payload{{
		Service: "stun", Name: "stun-binding", Spec: "RFC 5389", Ports: []uint16{3478, 3479, 19302, 19305},
		Build: func(req Request) []byte {
			b := make([]byte, 8, stunHeaderLen)
			binary.BigEndian.PutUint16(b[0:], stunBindingReq)
			binary.BigEndian.PutUint32(b[4:], stunMagicCookie)
			return append(b, randBytes(req.Rand, 12)...)
		},
		Identify: identifySTUN,
	}}
}

// identifySTUN reads a Binding success or error response; a SOFTWARE
// attribute names the server, e.g. "Coturn-4.6.1 'Gorst'".
func identifySTUN(b []byte) (fingerprint.Service, bool) {
	if len(b) < stunHeaderLen || binary.BigEndian.Uint32(b[4:]) != stunMagicCookie {
		return fingerprint.Service{}, false
	}
	typ, n := binary.BigEndian.Uint16(b), int(binary.BigEndian.Uint16(b[2:]))
	if (typ != stunBindingOK && typ != stunBindingError) || n%4 != 0 || stunHeaderLen+n > len(b) {
		return fingerprint.Service{}, false
	}
	svc := probe("stun", fingerprint.ConfidenceLikely)
	for a := b[stunHeaderLen : stunHeaderLen+n]; len(a) >= 4; {
		at, al := binary.BigEndian.Uint16(a), int(binary.BigEndian.Uint16(a[2:]))
		if 4+al > len(a) {
			break
		}
		v := a[4 : 4+al]
		switch at {
		case stunAttrSoftware:
			sw := clean(string(v))
			if p, ver := productVersion(sw); p != "" {
				svc.Product, svc.Version, svc.Confidence = p, ver, fingerprint.ConfidenceCertain
			} else {
				svc.Product = sw
			}
		case stunAttrErrorCode:
			if len(v) >= 4 {
				svc.Extra = clean(fmt.Sprintf("error %d %s", int(v[2]&7)*100+int(v[3]), v[4:]))
			}
		}
		a = a[min(len(a), 4+(al+3)&^3):]
	}
	return svc, true
}
