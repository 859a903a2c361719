package syn

import (
	"github.com/portwatch/portwatch/internal/rawnet"
	"github.com/portwatch/portwatch/internal/scan"
)

// classifyTCP maps the answer to a SYN: SYN-ACK is open, RST is closed.
func classifyTCP(f rawnet.TCPFlags) (scan.PortState, scan.Reason, bool) {
	switch {
	case f&rawnet.FlagRST != 0:
		return scan.Closed, scan.ReasonRST, true
	case f&(rawnet.FlagSYN|rawnet.FlagACK) == rawnet.FlagSYN|rawnet.FlagACK:
		return scan.Open, scan.ReasonSynAck, true
	}
	return "", "", false
}

// classifyICMP maps an ICMP error about a SYN to a port state, as nmap -sS
// does: every destination-unreachable code is filtered, port-unreachable
// included (a TCP port has no business answering with it; a firewall's
// reject rule does), and the code is the reason. Other messages (time
// exceeded) are not answers.
func classifyICMP(v6 bool, typ, code uint8) (scan.PortState, scan.Reason, bool) {
	if !v6 {
		if typ != 3 {
			return "", "", false
		}
		switch code {
		case 0, 6, 11: // net unreachable, net unknown, net for TOS
			return scan.Filtered, scan.ReasonNetUnreachable, true
		case 2:
			return scan.Filtered, scan.ReasonProtoUnreach, true
		case 3:
			return scan.Filtered, scan.ReasonPortUnreachable, true
		case 9, 10, 13: // net, host administratively prohibited; communication prohibited
			return scan.Filtered, scan.ReasonICMPProhibited, true
		}
		return scan.Filtered, scan.ReasonHostUnreachable, true // host unreachable, unknown, isolated, ...
	}
	if typ != 1 {
		return "", "", false
	}
	switch code {
	case 0: // no route to destination
		return scan.Filtered, scan.ReasonNetUnreachable, true
	case 1, 5, 6: // administratively prohibited, source address failed policy, reject route
		return scan.Filtered, scan.ReasonICMPProhibited, true
	case 4:
		return scan.Filtered, scan.ReasonPortUnreachable, true
	}
	return scan.Filtered, scan.ReasonHostUnreachable, true // beyond scope, address unreachable
}
