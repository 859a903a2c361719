package payloads

import (
	"encoding/hex"
	"fmt"
	"net/netip"
	"strings"

	"github.com/portwatch/portwatch/internal/fingerprint"
)

// SIP returns the SIP payload: an OPTIONS request (RFC 3261 section 11)
// with a fresh branch, tag and Call-ID. The Via names an unresolvable host
// with "rport" (RFC 3581), so the answer comes back to the probe's port.
func SIP() []Payload {
	return []Payload{{
		Service: "sip", Name: "sip-options", Spec: "RFC 3261, RFC 3581", Ports: []uint16{5060, 5080},
		Build: sipOptions, Identify: identifySIP,
	}}
}

func sipOptions(req Request) []byte {
	host := req.Dst.Addr().String()
	if req.Dst.Addr().Is6() {
		host = "[" + host + "]"
	}
	target := host
	if req.Dst.Port() != 5060 {
		target = netip.AddrPortFrom(req.Dst.Addr(), req.Dst.Port()).String()
	}
	branch := hex.EncodeToString(randBytes(req.Rand, 8))
	tag := hex.EncodeToString(randBytes(req.Rand, 4))
	callID := hex.EncodeToString(randBytes(req.Rand, 12))
	return fmt.Appendf(nil, "OPTIONS sip:%s SIP/2.0\r\n"+
		"Via: SIP/2.0/UDP portwatch.invalid;branch=z9hG4bK%s;rport\r\n"+
		"Max-Forwards: 70\r\n"+
		"To: <sip:%s>\r\n"+
		"From: <sip:portwatch@portwatch.invalid>;tag=%s\r\n"+
		"Call-ID: %s@portwatch.invalid\r\n"+
		"CSeq: 1 OPTIONS\r\n"+
		"Contact: <sip:portwatch@portwatch.invalid>\r\n"+
		"Accept: application/sdp\r\n"+
		"Content-Length: 0\r\n\r\n", target, branch, target, tag, callID)
}

// identifySIP reads any SIP response; the Server (or User-Agent) header
// names the product, e.g. "Asterisk PBX 20.5.0" or "kamailio (5.6.3 ...)".
func identifySIP(b []byte) (fingerprint.Service, bool) {
	s := string(b)
	status, _, _ := strings.Cut(s, "\n")
	if !strings.HasPrefix(status, "SIP/2.0 ") || len(status) < len("SIP/2.0 200") || !isDigit(status[8]) {
		return fingerprint.Service{}, false
	}
	svc := probe("sip", fingerprint.ConfidenceLikely)
	server := headerValue(s, "Server")
	if server == "" {
		server = headerValue(s, "User-Agent")
	}
	if p, v := productVersion(server); p != "" {
		svc.Product, svc.Version, svc.Confidence = p, v, fingerprint.ConfidenceCertain
	} else {
		svc.Product = server
	}
	svc.Extra = clean(strings.TrimPrefix(strings.TrimSpace(status), "SIP/2.0 "))
	return svc, true
}
