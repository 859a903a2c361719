package lab

import "strconv"

// ExpectedUDP returns the true state of UDP port: the listed state, or
// DefaultUDP for unlisted ports. What a scanner may report for it depends
// on ICMP rate limiting: see UDPStateConsistent.
func (h Host) ExpectedUDP(port int) string {
	return h.ExpectedUDPPort(port).State
}

// ExpectedUDPPort returns the full truth of UDP port, falling back to
// DefaultUDP and DefaultUDPReason for unlisted ports.
func (h Host) ExpectedUDPPort(port int) Port {
	if p, ok := h.UDP[strconv.Itoa(port)]; ok {
		return p
	}
	return Port{State: h.DefaultUDP, Reason: h.DefaultUDPReason}
}

// UDPPorts returns the host's listed UDP ports in ascending order.
func (h Host) UDPPorts() []int {
	return sortedPorts(h.UDP)
}

// UDPStateConsistent tells whether a UDP scanner's verdict got on port
// agrees with the truth. A scanner says open only for an answer from the
// port, closed only for an ICMP port unreachable, filtered only for another
// ICMP unreachable, and open|filtered for silence. Silence is what a
// scanner may get from every port whose truth is not closed-and-answered:
// an open service ignores probes that are not well-formed requests of its
// protocol, a dropped port never answers, and a rate-limiting host
// (ICMPRateLimited) withholds some ICMP errors of closed and
// admin-prohibited ports. So open|filtered is consistent with open and
// filtered always, and with closed on a rate-limiting host; closed, open
// and filtered must match the truth exactly.
func (h Host) UDPStateConsistent(port int, got string) bool {
	want := h.ExpectedUDP(port)
	if got == want {
		return true
	}
	if got != StateOpenFiltered {
		return false
	}
	switch want {
	case StateOpen, StateFiltered:
		return true
	case StateClosed:
		return h.ICMPRateLimited
	}
	return false
}
