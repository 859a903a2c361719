package discovery

import "time"

// estimator smooths answer round trips (RFC 6298). Owned by the engine.
type estimator struct {
	srtt, rttvar time.Duration
	samples      int
}

func (e *estimator) observe(rtt time.Duration) {
	rtt = max(rtt, time.Microsecond)
	if e.samples == 0 {
		e.srtt, e.rttvar = rtt, rtt/2
	} else {
		d := max(e.srtt-rtt, rtt-e.srtt)
		e.rttvar = (3*e.rttvar + d) / 4
		e.srtt = (7*e.srtt + rtt) / 8
	}
	e.samples++
}

// wait is srtt + 4*rttvar within [lo, hi], or initial without samples.
func (e *estimator) wait(initial, lo, hi time.Duration) time.Duration {
	if e.samples == 0 {
		return initial
	}
	return max(lo, min(e.srtt+4*e.rttvar, hi))
}
