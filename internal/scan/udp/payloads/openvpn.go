package payloads

import (
	"github.com/portwatch/portwatch/internal/fingerprint"
)

// OpenVPN control-channel opcodes (OpenVPN's protocol description,
// ssl_pkt.h / "OpenVPN wire protocol" in its documentation): the opcode
// sits in the top five bits of the first byte, the key ID in the low three.
const (
	ovpnHardResetClientV2 = 7
	ovpnHardResetServerV2 = 8
	ovpnAckV1             = 5
	ovpnSessionIDLen      = 8
	ovpnMaxAcks           = 8
)

// OpenVPN returns the OpenVPN payload: P_CONTROL_HARD_RESET_CLIENT_V2 with
// a random session ID, no acknowledgements and packet ID 0. A server
// without tls-auth/tls-crypt answers P_CONTROL_HARD_RESET_SERVER_V2; one
// with them drops the unauthenticated packet (open|filtered).
func OpenVPN() []Payload {
	return []Payload{{
		Service: "openvpn", Name: "openvpn-hard-reset", Spec: "OpenVPN protocol (P_CONTROL_HARD_RESET_CLIENT_V2)", Ports: []uint16{1194},
		Build: func(req Request) []byte {
			b := []byte{ovpnHardResetClientV2 << 3}
			b = append(b, randBytes(req.Rand, ovpnSessionIDLen)...)
			return append(b, 0, 0, 0, 0, 0) // no acks; message packet ID 0
		},
		Identify: identifyOpenVPN,
	}}
}

// identifyOpenVPN checks the layout of a server reset or acknowledgement:
// opcode, session ID, ack count, acked packet IDs, the remote session ID
// when anything is acked, then (for a reset) a packet ID.
func identifyOpenVPN(b []byte) (fingerprint.Service, bool) {
	if len(b) < 1+ovpnSessionIDLen+1 {
		return fingerprint.Service{}, false
	}
	op := b[0] >> 3
	if op != ovpnHardResetServerV2 && op != ovpnAckV1 {
		return fingerprint.Service{}, false
	}
	acks := int(b[1+ovpnSessionIDLen])
	if acks > ovpnMaxAcks {
		return fingerprint.Service{}, false
	}
	need := 1 + ovpnSessionIDLen + 1 + 4*acks
	if acks > 0 {
		need += ovpnSessionIDLen
	}
	if op == ovpnHardResetServerV2 {
		need += 4
	}
	if len(b) < need || (op == ovpnAckV1 && acks == 0) {
		return fingerprint.Service{}, false
	}
	svc := probe("openvpn", fingerprint.ConfidenceLikely)
	svc.Product = "OpenVPN"
	svc.CPE = []string{fingerprint.CPE("a", "openvpn", "openvpn", "")}
	return svc, true
}
