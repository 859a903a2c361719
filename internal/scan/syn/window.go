package syn

import (
	"time"

	"github.com/portwatch/portwatch/internal/rawnet"
)

// Congestion control bounds.
const (
	// minWindow and maxWindow bound the window, in young probes.
	minWindow = 8
	maxWindow = 16384
	// initialWindow is the window before any answer, at low rates; at
	// higher rates it is the probes of initialWindowTime (at most
	// maxInitialWindow), so that the window does not hold back a scan
	// whose answers have not come yet.
	initialWindow     = 64
	initialWindowTime = 4 * time.Millisecond
	maxInitialWindow  = 1024
	// minRate is the lowest rate loss can push the scan down to.
	minRate = 100
	// rateRecovery is how much the rate grows back per quiet loss gap.
	rateRecovery = 1.25
)

// congestion is the send loop's congestion control, after TCP's (RFC
// 5681) as nmap adapts it to scanning, with two levers:
//
//   - a window on the probes sent recently enough that their answer may
//     still come ("young" probes, see sweep.youngAge). Answers grow it (by
//     one per answer in slow start, by one per window of answers after).
//   - the packet rate, at most the configured one.
//
// Evidence of loss (an answer to a retransmission, whose first transmission
// or answer was lost; replies our own socket dropped; the kernel out of
// send buffers) cuts the window to half the probes in flight and halves the
// rate; the rate then grows back by a quarter per quiet period. Silence is
// not loss: probes of a host that drops everything age out of the window,
// so such a host is scanned at the full rate.
type congestion struct {
	cwnd, ssthresh float64
	maxRate        float64 // configured; <= 0 means unlimited
	pace           *rawnet.Pacer
	lastCut        time.Duration
	lastRaise      time.Duration
	cuts           int
	sent           uint64 // packets sent so far
	// measured is the send rate over the last sample period: what the
	// scan achieved, which may be less than the pacer allows.
	measured   float64
	sampleAt   time.Duration
	sampleSent uint64
}

func newCongestion(rate float64) *congestion {
	w := float64(initialWindow)
	if rate > 0 {
		w = max(w, min(rate*initialWindowTime.Seconds(), maxInitialWindow))
	}
	return &congestion{cwnd: w, ssthresh: maxWindow, maxRate: rate,
		pace: rawnet.NewPacer(rate), lastCut: -time.Hour}
}

// allows reports whether one more probe may be sent with young in flight.
func (c *congestion) allows(young int) bool {
	return float64(young) < c.cwnd
}

// answered grows the window for one answer. It does not grow while the
// window is far from full, so a rate-limited scan does not build up a
// window it never tested.
func (c *congestion) answered(young int) {
	if float64(young+1) < c.cwnd/2 {
		return
	}
	if c.cwnd < c.ssthresh {
		c.cwnd++
	} else {
		c.cwnd += 1 / c.cwnd
	}
	c.cwnd = min(c.cwnd, maxWindow)
}

// lost reacts to evidence of loss, at most once per gap (one loss episode
// often costs several answers).
func (c *congestion) lost(now time.Duration, young int, gap time.Duration) {
	if now-c.lastCut < gap {
		return
	}
	c.ssthresh = max(float64(young)/2, minWindow)
	c.cwnd = c.ssthresh
	c.lastCut = now
	c.cuts++
	rate := c.pace.Rate()
	if c.measured > 0 && (rate <= 0 || c.measured < rate) {
		rate = c.measured // halve what was achieved, not what was allowed
	}
	if rate > 0 {
		c.pace.SetRate(max(rate/2, minRate))
	}
}

// sample measures the send rate; the loop calls it every sample period.
func (c *congestion) sample(now time.Duration) {
	if now <= c.sampleAt {
		return
	}
	c.measured = float64(c.sent-c.sampleSent) / (now - c.sampleAt).Seconds()
	c.sampleAt, c.sampleSent = now, c.sent
}

// recover raises a rate cut by loss once a period has passed quietly. The
// period should be at least a retransmission timeout: loss shows only when
// a retransmission is answered.
func (c *congestion) recover(now time.Duration, gap time.Duration) {
	rate := c.pace.Rate()
	if c.cuts == 0 || rate <= 0 || now-c.lastCut < gap || now-c.lastRaise < gap {
		return
	}
	if c.maxRate > 0 && rate >= c.maxRate {
		return
	}
	rate *= rateRecovery
	if c.maxRate > 0 {
		rate = min(rate, c.maxRate)
	}
	c.pace.SetRate(rate)
	c.lastRaise = now
}
