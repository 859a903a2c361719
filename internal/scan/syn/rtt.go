package syn

import (
	"time"

	"github.com/portwatch/portwatch/internal/scan"
)

// rttEstimator smooths round-trip samples (RFC 6298) into a retransmission
// timeout. It falls back to its parent (the scan-wide estimate) until it has
// samples of its own. Owned by one goroutine.
type rttEstimator struct {
	timing  scan.Timing
	srtt    time.Duration
	rttvar  time.Duration
	samples int
	parent  *rttEstimator
}

func (e *rttEstimator) observe(rtt time.Duration) {
	if rtt <= 0 {
		rtt = time.Microsecond
	}
	if e.samples == 0 {
		e.srtt, e.rttvar = rtt, rtt/2
	} else {
		d := e.srtt - rtt
		if d < 0 {
			d = -d
		}
		e.rttvar = (3*e.rttvar + d) / 4
		e.srtt = (7*e.srtt + rtt) / 8
	}
	e.samples++
	if e.parent != nil {
		e.parent.observe(rtt)
	}
}

// smoothed returns the smoothed round trip, if any was measured.
func (e *rttEstimator) smoothed() (time.Duration, bool) {
	return e.srtt, e.samples > 0
}

// timeout is srtt + 4*rttvar within [Min, Max]; the parent's while this
// estimator has no sample; Initial when neither has.
func (e *rttEstimator) timeout() time.Duration {
	if e.samples == 0 {
		if e.parent != nil {
			return e.parent.timeout()
		}
		return e.timing.Initial
	}
	return clamp(e.srtt+4*e.rttvar, e.timing.Min, e.timing.Max)
}

func clamp(d, lo, hi time.Duration) time.Duration {
	return max(lo, min(d, hi))
}
