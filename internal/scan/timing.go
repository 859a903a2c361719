package scan

import (
	"fmt"
	"sync"
	"time"
)

// Timing bounds the per-attempt timeout of a probe. The timeout adapts to the
// round-trip times measured during the scan (RFC 6298 smoothing), starting at
// Initial and staying within [Min, Max], like nmap's --initial/--min/--max-rtt-timeout.
type Timing struct {
	Initial time.Duration
	Min     time.Duration
	Max     time.Duration
	// Retries is how many more attempts a probe that got no response at all
	// gets. Answers (RST, ICMP, SYN-ACK) are never retried.
	Retries int
}

// TimingTemplate returns a named timing template: polite, normal,
// aggressive (the default) or insane, named like nmap's -T2..-T5.
func TimingTemplate(name string) (Timing, error) {
	switch name {
	case "polite":
		return Timing{Initial: time.Second, Min: 100 * time.Millisecond, Max: 10 * time.Second, Retries: 3}, nil
	case "normal":
		return Timing{Initial: time.Second, Min: 100 * time.Millisecond, Max: 3 * time.Second, Retries: 2}, nil
	case "aggressive":
		return Timing{Initial: 500 * time.Millisecond, Min: 100 * time.Millisecond, Max: 1250 * time.Millisecond, Retries: 1}, nil
	case "insane":
		return Timing{Initial: 250 * time.Millisecond, Min: 50 * time.Millisecond, Max: 300 * time.Millisecond, Retries: 1}, nil
	}
	return Timing{}, fmt.Errorf("unknown timing template %q (want polite, normal, aggressive or insane)", name)
}

// DefaultTiming is the template used when none is chosen.
func DefaultTiming() Timing {
	t, _ := TimingTemplate("aggressive")
	return t
}

// Validate reports an impossible timing.
func (t Timing) Validate() error {
	switch {
	case t.Min <= 0:
		return fmt.Errorf("min rtt timeout must be positive, got %s", t.Min)
	case t.Max < t.Min:
		return fmt.Errorf("max rtt timeout %s is below min rtt timeout %s", t.Max, t.Min)
	case t.Retries < 0:
		return fmt.Errorf("retries must not be negative, got %d", t.Retries)
	}
	return nil
}

// RTTEstimator smooths round-trip samples (RFC 6298) and derives a
// retransmission timeout from them. It is safe for concurrent use.
type RTTEstimator struct {
	mu      sync.Mutex
	timing  Timing
	srtt    time.Duration
	rttvar  time.Duration
	samples int
	parent  *RTTEstimator // consulted until this estimator has its own samples
}

// NewRTTEstimator returns an estimator bounded by t that defers to parent
// (if any) until it has samples of its own; its samples feed the parent too.
func NewRTTEstimator(t Timing, parent *RTTEstimator) *RTTEstimator {
	return &RTTEstimator{timing: t, parent: parent}
}

// Observe feeds one measured round trip.
func (e *RTTEstimator) Observe(rtt time.Duration) {
	if rtt <= 0 {
		rtt = time.Microsecond
	}
	e.mu.Lock()
	if e.samples == 0 {
		e.srtt = rtt
		e.rttvar = rtt / 2
	} else {
		d := e.srtt - rtt
		if d < 0 {
			d = -d
		}
		e.rttvar = (3*e.rttvar + d) / 4
		e.srtt = (7*e.srtt + rtt) / 8
	}
	e.samples++
	e.mu.Unlock()
	if e.parent != nil {
		e.parent.Observe(rtt)
	}
}

// Smoothed returns the smoothed round trip, if any was measured.
func (e *RTTEstimator) Smoothed() (time.Duration, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.srtt, e.samples > 0
}

// Timeout is the current per-attempt timeout: srtt + 4*rttvar within bounds,
// the parent's while this estimator has no sample, Initial when neither has.
func (e *RTTEstimator) Timeout() time.Duration {
	e.mu.Lock()
	n, srtt, rttvar := e.samples, e.srtt, e.rttvar
	e.mu.Unlock()
	if n == 0 {
		if e.parent != nil {
			return e.parent.Timeout()
		}
		return e.timing.Initial
	}
	return clampDuration(srtt+4*rttvar, e.timing.Min, e.timing.Max)
}

func clampDuration(d, lo, hi time.Duration) time.Duration {
	if d < lo {
		return lo
	}
	if d > hi {
		return hi
	}
	return d
}
