package syn

import (
	"testing"
	"time"
)

func TestTableLifecycle(t *testing.T) {
	tb := newTable()
	a := tb.add(0, 80)
	b := tb.add(1, 443)
	tb.sent(a, 0, 100*time.Millisecond)
	tb.sent(b, time.Millisecond, 50*time.Millisecond)
	if tb.young != 2 || tb.len() != 2 {
		t.Fatalf("young %d len %d", tb.young, tb.len())
	}
	if s, ok := tb.lookup(1, 443); !ok || s != b {
		t.Fatal("lookup failed")
	}
	// Ageing: after youngAge only the later transmission is young.
	tb.age(1500*time.Microsecond, time.Millisecond)
	if tb.young != 1 {
		t.Fatalf("young after ageing %d", tb.young)
	}
	// b times out first (sent at 1 ms + 50 ms), then a (100 ms).
	if _, ok := tb.expired(50 * time.Millisecond); ok {
		t.Fatal("expired early")
	}
	if s, ok := tb.expired(51 * time.Millisecond); !ok || s != b {
		t.Fatalf("expired %d %v", s, ok)
	}
	if tb.young != 0 {
		t.Fatalf("expired probe still young: %d", tb.young)
	}
	// Retransmit b; answering it removes it and its stale marks are skipped.
	tb.sent(b, 60*time.Millisecond, 50*time.Millisecond)
	if tb.slots[b].tries != 2 || tb.slots[b].first != time.Millisecond {
		t.Fatalf("retransmission: %+v", tb.slots[b])
	}
	tb.remove(b)
	if tb.young != 0 || tb.len() != 1 {
		t.Fatalf("after remove: young %d len %d", tb.young, tb.len())
	}
	if s, ok := tb.expired(time.Second); !ok || s != a {
		t.Fatalf("want a to expire, got %d %v", s, ok)
	}
	if _, ok := tb.expired(time.Second); ok {
		t.Fatal("stale deadline of the removed probe fired")
	}
	// A reused slot gets a new generation, so old marks stay stale.
	c := tb.add(2, 22)
	if c != b {
		t.Fatalf("slot not reused: %d", c)
	}
	if tb.slots[c].gen == 0 || tb.peak != 2 {
		t.Fatalf("gen %d peak %d", tb.slots[c].gen, tb.peak)
	}
}

func TestDeadlineHeapOrder(t *testing.T) {
	tb := newTable()
	for i, d := range []int{7, 3, 9, 1, 5, 8, 2, 6, 4} {
		s := tb.add(int32(i), uint16(d))
		tb.sent(s, 0, time.Duration(d)*time.Millisecond)
	}
	last := time.Duration(0)
	for n := 0; ; n++ {
		s, ok := tb.expired(time.Hour)
		if !ok {
			if n != 9 {
				t.Fatalf("%d expired, want 9", n)
			}
			break
		}
		at := time.Duration(tb.slots[s].port) * time.Millisecond
		if at < last {
			t.Fatalf("out of order: %v after %v", at, last)
		}
		last = at
		tb.remove(s)
	}
}

func TestDequeAndRing(t *testing.T) {
	var q deque
	for i := range 100 {
		q.push(pendingProbe{slot: int32(i)})
	}
	q.pushFront(pendingProbe{slot: -1})
	if x, _ := q.pop(); x.slot != -1 {
		t.Fatalf("front %d", x.slot)
	}
	for i := range 100 {
		if x, ok := q.pop(); !ok || x.slot != int32(i) {
			t.Fatalf("pop %d: %d %v", i, x.slot, ok)
		}
	}
	if _, ok := q.pop(); ok {
		t.Fatal("pop from empty")
	}
	var r ring
	for i := range 200 {
		r.push(mark{slot: int32(i)})
		if i%3 == 0 {
			r.pop()
		}
	}
	if r.len() != 200-67 || r.front().slot != 67 {
		t.Fatalf("ring len %d front %d", r.len(), r.front().slot)
	}
}

func TestCongestion(t *testing.T) {
	c := newCongestion(100_000)
	if c.cwnd != 400 {
		t.Fatalf("initial window %v at 100k/s", c.cwnd)
	}
	if w := newCongestion(1000).cwnd; w != initialWindow {
		t.Fatalf("initial window %v at 1k/s", w)
	}
	if w := newCongestion(1e9).cwnd; w != maxInitialWindow {
		t.Fatalf("initial window %v at 1G/s", w)
	}
	// An idle window does not grow; a busy one does, one per answer.
	c.answered(10)
	if c.cwnd != 400 {
		t.Fatalf("grew while idle: %v", c.cwnd)
	}
	c.answered(399)
	if c.cwnd != 401 {
		t.Fatalf("slow start: %v", c.cwnd)
	}
	// Loss: half the flight, half the achieved rate, once per gap.
	c.sent = 50_000
	c.sample(time.Second) // 50,000/s achieved
	c.lost(time.Second, 300, 10*time.Millisecond)
	if c.cwnd != 150 || c.pace.Rate() != 25_000 {
		t.Fatalf("after loss: window %v rate %v", c.cwnd, c.pace.Rate())
	}
	c.lost(time.Second+time.Millisecond, 100, 10*time.Millisecond)
	if c.cuts != 1 {
		t.Fatal("cut twice within the gap")
	}
	// Congestion avoidance: a window's worth of answers adds about one.
	for range 150 {
		c.answered(149)
	}
	if c.cwnd < 150.9 || c.cwnd > 151.1 {
		t.Fatalf("congestion avoidance: %v", c.cwnd)
	}
	// Recovery: a quarter more per quiet period, up to the configured rate.
	c.recover(time.Second+50*time.Millisecond, 100*time.Millisecond)
	if c.pace.Rate() != 25_000 {
		t.Fatal("recovered before a quiet period")
	}
	for i := range 20 {
		c.recover(time.Second+time.Duration(i+1)*100*time.Millisecond, 100*time.Millisecond)
	}
	if c.pace.Rate() != 100_000 {
		t.Fatalf("recovered to %v", c.pace.Rate())
	}
	// Loss never pushes below minRate or minWindow.
	for i := range 40 {
		c.sample(time.Duration(10+i) * time.Second)
		c.lost(time.Duration(10+i)*time.Second, 0, 0)
	}
	if c.pace.Rate() != minRate || c.cwnd != minWindow {
		t.Fatalf("floor: rate %v window %v", c.pace.Rate(), c.cwnd)
	}
}
