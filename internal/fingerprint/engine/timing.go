package engine

import "time"

// waits are the per-port timeouts, derived from the round trip the scan
// measured. nmap waits 5-6 s for a banner and for each probe's answer; on
// a LAN a banner or an answer comes within milliseconds, so portwatch
// waits a short base plus a multiple of the RTT, and saves its longer
// waits for the protocols the port makes likely.
type waits struct {
	banner     time.Duration // passive wait when nothing here usually speaks first
	bannerLong time.Duration // passive wait when the port's usual protocol speaks first
	idle       time.Duration // a pause this long after data ends a read
	probe      time.Duration // answer to a speculative probe
	likely     time.Duration // answer to a probe the port or banner made likely
	tlsDetect  time.Duration // ServerHello on a port that does not usually run TLS
}

// waitsFor scales the waits with rtt (0 when unknown: a LAN is assumed).
func waitsFor(rtt time.Duration) waits {
	rtt = max(rtt, 0)
	return waits{
		banner:     clamp(300*time.Millisecond+8*rtt, 300*time.Millisecond, 2*time.Second),
		bannerLong: clamp(2*time.Second+8*rtt, 2*time.Second, 4*time.Second),
		idle:       clamp(100*time.Millisecond+4*rtt, 100*time.Millisecond, time.Second),
		probe:      clamp(800*time.Millisecond+10*rtt, 800*time.Millisecond, 3*time.Second),
		likely:     clamp(2500*time.Millisecond+10*rtt, 2500*time.Millisecond, 5*time.Second),
		// A TLS server answers a ClientHello within a round trip and its
		// signature; a plaintext server that waits for the end of a line
		// never does. If nothing else matches, the handshake is retried
		// with the likely wait.
		tlsDetect: clamp(250*time.Millisecond+10*rtt, 250*time.Millisecond, 2*time.Second),
	}
}

func clamp(d, lo, hi time.Duration) time.Duration {
	return min(max(d, lo), hi)
}
