package scan

import (
	"context"
	"sync"
	"time"
)

// Pacer spaces events to at most rate per second, allowing a small burst.
// A zero rate means unlimited. It is safe for concurrent use.
type Pacer struct {
	mu       sync.Mutex
	interval time.Duration
	next     time.Time
	burst    time.Duration
	now      func() time.Time
}

// NewPacer returns a pacer for rate events per second (0: unlimited) on the
// clock now.
func NewPacer(rate float64, now func() time.Time) *Pacer {
	if rate <= 0 {
		return &Pacer{now: now}
	}
	iv := time.Duration(float64(time.Second) / rate)
	return &Pacer{interval: iv, burst: min(10*iv, 20*time.Millisecond), now: now}
}

// Wait blocks until the next event may happen or ctx ends.
func (p *Pacer) Wait(ctx context.Context) error {
	if p.interval == 0 {
		return ctx.Err()
	}
	p.mu.Lock()
	now := p.now()
	if earliest := now.Add(-p.burst); p.next.Before(earliest) {
		p.next = earliest
	}
	at := p.next
	p.next = p.next.Add(p.interval)
	p.mu.Unlock()
	d := at.Sub(now)
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// Take claims the next slot if it is due and returns 0, or returns how long
// until it is due without claiming it. For event loops that must not block.
func (p *Pacer) Take() time.Duration {
	if p.interval == 0 {
		return 0
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	now := p.now()
	if earliest := now.Add(-p.burst); p.next.Before(earliest) {
		p.next = earliest
	}
	if d := p.next.Sub(now); d > 0 {
		return d
	}
	p.next = p.next.Add(p.interval)
	return 0
}
