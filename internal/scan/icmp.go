package scan

// ICMP origins of a socket error-queue entry (struct sock_extended_err).
const (
	originICMP  = 2
	originICMP6 = 3
)

// ClassifyICMP maps an ICMP destination-unreachable message, as the kernel
// queues it on a socket with IP_RECVERR/IPV6_RECVERR, to a port state. ok
// is false for messages that are not destination-unreachable.
//
// For a connect scan, port-unreachable means closed (nmap -sT says the
// same: connect(2) fails with ECONNREFUSED); every other code is filtered.
func ClassifyICMP(origin, typ, code uint8) (PortState, Reason, bool) {
	switch {
	case origin == originICMP && typ == 3:
		switch code {
		case 0, 6, 11: // net unreachable, unknown, for TOS
			return Filtered, ReasonNetUnreachable, true
		case 2:
			return Filtered, ReasonProtoUnreach, true
		case 3:
			return Closed, ReasonPortUnreachable, true
		case 9, 10, 13: // net/host administratively prohibited, communication prohibited
			return Filtered, ReasonICMPProhibited, true
		default: // host unreachable, unknown, isolated, for TOS, precedence
			return Filtered, ReasonHostUnreachable, true
		}
	case origin == originICMP6 && typ == 1:
		switch code {
		case 0: // no route to destination
			return Filtered, ReasonNetUnreachable, true
		case 1, 5, 6: // administratively prohibited, source policy, reject route
			return Filtered, ReasonICMPProhibited, true
		case 4:
			return Closed, ReasonPortUnreachable, true
		default: // beyond scope, address unreachable
			return Filtered, ReasonHostUnreachable, true
		}
	}
	return "", "", false
}

// icmpError is a connect attempt answered by an ICMP error, already
// classified.
type icmpError struct {
	state  PortState
	reason Reason
}

func (e icmpError) Error() string { return "icmp: " + string(e.reason) }
