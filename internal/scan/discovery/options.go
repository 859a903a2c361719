package discovery

import (
	"time"

	"github.com/portwatch/portwatch/internal/rawnet"
	"github.com/portwatch/portwatch/internal/scan"
)

// Reasons discovery gives beyond scan's vocabulary (nmap's words).
const (
	ReasonEchoReply  scan.Reason = "echo-reply"
	ReasonNDResponse scan.Reason = "nd-response"
	ReasonLocalhost  scan.Reason = "localhost-response"
	// ReasonBroadcast: the address is a broadcast or multicast address of
	// this machine's networks, which no single host answers for; it is
	// not probed.
	ReasonBroadcast scan.Reason = "broadcast-address"
)

// DefaultRate is the packet rate when Options.Rate is 0.
const DefaultRate = 100_000

// Neighbour (ARP/ND) waits: how long an on-link address may take to answer
// before it is asked again, and then declared absent. Answers on a segment
// take well under a millisecond; the wait adapts to the answers seen
// (smoothed round trip plus four deviations) within these bounds, and
// doubles for the retry.
const (
	linkInitialWait = 250 * time.Millisecond
	linkMinWait     = 50 * time.Millisecond
	linkMaxWait     = 500 * time.Millisecond
	linkTries       = 2
)

// Options configure discovery. The zero value is usable.
type Options struct {
	// Timing bounds the wait for answers to the IP probes (echo, SYN, ACK)
	// like the port scan's; the zero value means scan.DefaultTiming(). Its
	// Retries is how often a silent off-link host is asked again.
	Timing scan.Timing
	// Rate is the packet rate, retransmissions included: 0 means
	// DefaultRate, negative means unlimited.
	Rate float64
	// SYNPorts and ACKPorts are the TCP probes for hosts that are not on
	// a local segment: nil means 443 and 80 for SYN, 80 for ACK.
	SYNPorts, ACKPorts []uint16
	// Router and Sender may be shared with a port scanner; when nil,
	// discovery opens (and closes) its own.
	Router *rawnet.Router
	Sender *rawnet.Sender
}

func (o Options) withDefaults() Options {
	if o.Timing == (scan.Timing{}) {
		o.Timing = scan.DefaultTiming()
	}
	if o.Rate == 0 {
		o.Rate = DefaultRate
	}
	if o.SYNPorts == nil {
		o.SYNPorts = []uint16{443, 80}
	}
	if o.ACKPorts == nil {
		o.ACKPorts = []uint16{80}
	}
	return o
}

// Result is the verdict on one host.
type Result struct {
	scan.HostVerdict
	// RTT is the round trip of the answer that proved the host (0 if
	// none); a port scan may seed its timeouts with it.
	RTT time.Duration
	// Route is how the host is reached; valid (Route.Src set) when the
	// lookup succeeded.
	Route rawnet.Route
}
