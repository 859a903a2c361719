package rawnet

import (
	"math"
	"time"
)

// Pacer spaces packets to a rate with a token bucket: rate tokens a
// second, at most a short burst saved up. A non-positive rate means
// unlimited. Times are offsets from any fixed origin (the start of a scan),
// so a send loop can drive it with its own clock. Not safe for concurrent
// use.
type Pacer struct {
	rate   float64
	burst  float64
	tokens float64
	last   time.Duration
}

// BurstTime is how much sending may be saved up: enough to fill a batch
// between two wake-ups of the send loop (timers fire with about a
// millisecond of granularity), little enough not to flood a switch queue.
const BurstTime = 2 * time.Millisecond

// MaxBurst caps the burst at high rates: a switch or a virtual link
// queue (1,000 packets by default on Linux) must not overflow at once.
const MaxBurst = 256

// NewPacer returns a pacer for rate packets a second.
func NewPacer(rate float64) *Pacer {
	if rate <= 0 {
		return &Pacer{}
	}
	b := max(1, min(rate*BurstTime.Seconds(), MaxBurst))
	return &Pacer{rate: rate, burst: b, tokens: b}
}

// Available refills the bucket and returns how many packets may go now.
func (p *Pacer) Available(now time.Duration) int {
	if p.rate <= 0 {
		return math.MaxInt32
	}
	if now > p.last {
		p.tokens = min(p.burst, p.tokens+p.rate*(now-p.last).Seconds())
		p.last = now
	}
	return int(p.tokens)
}

// Take spends n tokens.
func (p *Pacer) Take(n int) {
	if p.rate > 0 {
		p.tokens -= float64(n)
	}
}

// Wait is how long until n tokens (at most a full bucket) are available.
func (p *Pacer) Wait(n int) time.Duration {
	if p.rate <= 0 {
		return 0
	}
	need := min(float64(n), p.burst) - p.tokens
	if need <= 0 {
		return 0
	}
	return time.Duration(need / p.rate * float64(time.Second))
}

// Rate is the current rate; non-positive means unlimited.
func (p *Pacer) Rate() float64 { return p.rate }

// SetRate changes the rate, keeping the tokens saved so far within the
// new burst.
func (p *Pacer) SetRate(rate float64) {
	if rate <= 0 {
		*p = Pacer{last: p.last}
		return
	}
	p.rate = rate
	p.burst = max(1, min(rate*BurstTime.Seconds(), MaxBurst))
	p.tokens = min(p.tokens, p.burst)
}
