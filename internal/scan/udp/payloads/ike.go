package payloads

import (
	"encoding/binary"
	"strconv"

	"github.com/portwatch/portwatch/internal/fingerprint"
)

// IKE values: IKEv2 (RFC 7296 sections 3.1-3.10), IKEv1/ISAKMP (RFC 2408
// section 3, RFC 2409 appendix A) and the UDP encapsulation on port 4500
// (RFC 3948 section 2.2: a four-byte zero non-ESP marker).
const (
	ikeHeaderLen      = 28
	ikeNATTPort       = 4500
	ikeV2             = 0x20
	ikeV1             = 0x10
	ikeV2SAInit       = 34
	ikeV2Informative  = 37
	ikeV1MainMode     = 2
	ikeV1Aggressive   = 4
	ikeV1Informative  = 5
	ikeV2PayloadSA    = 33
	ikeV2PayloadKE    = 34
	ikeV2PayloadNonce = 40
	ikeV2PayloadNtfy  = 41
	ikeV1PayloadSA    = 1
	ikeV1PayloadNtfy  = 11
	ikeDHGroup14      = 14 // 2048-bit MODP (RFC 3526)
	ikeDHGroup14Len   = 256
)

// IKE returns the IKE payloads: an IKEv2 IKE_SA_INIT request proposing
// AES-CBC-256, HMAC-SHA2-256 and group 14 with a random SPI, key share and
// nonce, and an IKEv1 Main Mode first message with one common proposal.
// Any answer (a proposal, NO_PROPOSAL_CHOSEN, INVALID_KE_PAYLOAD, a
// cookie request) proves the service.
func IKE() []Payload {
	ports := []uint16{500, ikeNATTPort}
	return []Payload{
		{Service: "isakmp", Name: "ikev2-sa-init", Spec: "RFC 7296, RFC 3948", Ports: ports, Build: ikeV2Init, Identify: identifyIKE},
		{Service: "isakmp", Name: "ikev1-main-mode", Spec: "RFC 2408, RFC 2409, RFC 3948", Ports: ports, Build: ikeV1Main, Identify: identifyIKE},
	}
}

// ikeGeneric is a payload with its generic header (RFC 7296 section 3.2).
func ikeGeneric(next byte, body []byte) []byte {
	b := []byte{next, 0, 0, 0}
	binary.BigEndian.PutUint16(b[2:], uint16(4+len(body)))
	return append(b, body...)
}

// ikeMessage prepends the header (and the non-ESP marker on port 4500).
func ikeMessage(req Request, version, exchange, flags, first byte, payloads []byte) []byte {
	var b []byte
	if req.Dst.Port() == ikeNATTPort {
		b = make([]byte, 4)
	}
	h := make([]byte, ikeHeaderLen)
	copy(h, randBytes(req.Rand, 8)) // initiator SPI; responder SPI stays zero
	h[16], h[17], h[18], h[19] = first, version, exchange, flags
	binary.BigEndian.PutUint32(h[24:], uint32(ikeHeaderLen+len(payloads)))
	return append(append(b, h...), payloads...)
}

func ikeV2Init(req Request) []byte {
	transform := func(last bool, typ byte, id uint16, attr []byte) []byte {
		t := []byte{3, 0, 0, 0, typ, 0, 0, 0}
		if last {
			t[0] = 0
		}
		binary.BigEndian.PutUint16(t[2:], uint16(8+len(attr)))
		binary.BigEndian.PutUint16(t[6:], id)
		return append(t, attr...)
	}
	var transforms []byte
	transforms = append(transforms, transform(false, 1, 12, []byte{0x80, 14, 1, 0})...) // ENCR_AES_CBC, key length 256
	transforms = append(transforms, transform(false, 2, 5, nil)...)                     // PRF_HMAC_SHA2_256
	transforms = append(transforms, transform(false, 3, 12, nil)...)                    // AUTH_HMAC_SHA2_256_128
	transforms = append(transforms, transform(true, 4, ikeDHGroup14, nil)...)           // D-H group 14
	proposal := []byte{0, 0, 0, 0, 1, 1, 0, 4}                                          // last, #1, protocol IKE, no SPI, 4 transforms
	binary.BigEndian.PutUint16(proposal[2:], uint16(8+len(transforms)))
	sa := ikeGeneric(ikeV2PayloadKE, append(proposal, transforms...))
	share := randBytes(req.Rand, ikeDHGroup14Len)
	share[0] &= 0x7f // below the group's prime, whose top bits are all ones
	ke := ikeGeneric(ikeV2PayloadNonce, append([]byte{0, ikeDHGroup14, 0, 0}, share...))
	nonce := ikeGeneric(0, randBytes(req.Rand, 32))
	return ikeMessage(req, ikeV2, ikeV2SAInit, 0x08, ikeV2PayloadSA, append(append(sa, ke...), nonce...)) // flag: initiator
}

func ikeV1Main(req Request) []byte {
	attrs := []byte{
		0x80, 1, 0, 7, // encryption: AES-CBC
		0x80, 14, 0, 128, // key length 128
		0x80, 2, 0, 2, // hash: SHA
		0x80, 3, 0, 1, // authentication: pre-shared key
		0x80, 4, 0, 2, // group 2 (1024-bit MODP)
		0x80, 11, 0, 1, // life type: seconds
		0x80, 12, 0x70, 0x80, // life duration: 28800
	}
	transform := ikeGeneric(0, append([]byte{1, 1, 0, 0}, attrs...))         // #1, KEY_IKE
	proposal := ikeGeneric(0, append([]byte{1, 1, 0, 1}, transform...))      // #1, PROTO_ISAKMP, no SPI, 1 transform
	sa := ikeGeneric(0, append([]byte{0, 0, 0, 1, 0, 0, 0, 1}, proposal...)) // DOI IPsec, SIT_IDENTITY_ONLY
	return ikeMessage(req, ikeV1, ikeV1MainMode, 0, ikeV1PayloadSA, sa)
}

// identifyIKE reads an IKEv1 or IKEv2 header and notes the notification
// (usually an error such as NO_PROPOSAL_CHOSEN) an answer carries.
func identifyIKE(b []byte) (fingerprint.Service, bool) {
	if len(b) >= 4+ikeHeaderLen && b[0]|b[1]|b[2]|b[3] == 0 {
		b = b[4:] // non-ESP marker
	}
	if len(b) < ikeHeaderLen {
		return fingerprint.Service{}, false
	}
	n := int(binary.BigEndian.Uint32(b[24:]))
	if n < ikeHeaderLen || n > len(b) {
		return fingerprint.Service{}, false
	}
	var label string
	var notify byte
	switch version, exchange := b[17], b[18]; {
	case version == ikeV2 && (exchange == ikeV2SAInit || exchange == ikeV2Informative) && b[19]&0x20 != 0: // response flag
		label, notify = "IKEv2", ikeV2PayloadNtfy
	case version == ikeV1 && (exchange == ikeV1MainMode || exchange == ikeV1Aggressive || exchange == ikeV1Informative):
		label, notify = "IKEv1", ikeV1PayloadNtfy
	default:
		return fingerprint.Service{}, false
	}
	svc := probe("isakmp", fingerprint.ConfidenceLikely)
	svc.Extra = label
	if code, ok := ikeNotify(b[ikeHeaderLen:n], b[16], notify, label == "IKEv2"); ok {
		svc.Extra += ", notify " + ikeNotifyName(code)
	}
	return svc, true
}

// ikeNotify walks the payload chain for the first notification's type.
func ikeNotify(p []byte, next, notify byte, v2 bool) (uint16, bool) {
	for next != 0 && len(p) >= 4 {
		n := int(binary.BigEndian.Uint16(p[2:]))
		if n < 4 || n > len(p) {
			return 0, false
		}
		if next == notify {
			body := p[4:n]
			// IKEv2: protocol, SPI size, type; IKEv1: DOI (4), protocol, SPI size, type.
			off := 2
			if !v2 {
				off = 6
			}
			if len(body) >= off+2 {
				return binary.BigEndian.Uint16(body[off:]), true
			}
			return 0, false
		}
		next, p = p[0], p[n:]
	}
	return 0, false
}

// ikeNotifyName names the error notifications a probe usually meets
// (RFC 7296 section 3.10.1, RFC 2408 section 3.14.1).
func ikeNotifyName(code uint16) string {
	switch code {
	case 14:
		return "NO_PROPOSAL_CHOSEN"
	case 17:
		return "INVALID_KE_PAYLOAD"
	case 7:
		return "INVALID_SYNTAX"
	case 16390:
		return "COOKIE"
	}
	return strconv.Itoa(int(code))
}
