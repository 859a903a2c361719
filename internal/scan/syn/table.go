package syn

import "time"

// maxOutstanding bounds the probes awaiting an answer or their timeout, and
// with it the scan's memory (about 100 bytes each): 131,072 covers 100,000
// packets a second with 1.3 s of timeouts.
const maxOutstanding = 1 << 17

// probe is one endpoint being probed.
type probe struct {
	host  int32
	port  uint16
	tries uint8 // transmissions so far; 0 while queued for its first
	young bool  // counted in table.young
	gen   uint32
	first time.Duration // when the first and the latest transmission left
	last  time.Duration
}

// mark names one transmission of one probe, for the deadline heap and the
// young queue; it is stale when the slot was reused or sent again.
type mark struct {
	at    time.Duration
	slot  int32
	gen   uint32
	tries uint8
}

// table holds the outstanding probes: a slab with a free list, an index by
// (host, port), a heap of deadlines and a queue of recent transmissions.
// Owned by the send loop.
type table struct {
	slots     []probe
	free      []int32
	index     map[uint64]int32
	deadlines []mark // min-heap on at
	recent    ring   // transmissions in send order, for ageing
	young     int
	nextGen   uint32
	peak      int // most probes outstanding at once
}

func newTable() *table {
	return &table{index: map[uint64]int32{}}
}

func key(host int32, port uint16) uint64 { return uint64(host)<<16 | uint64(port) }

func (t *table) len() int   { return len(t.index) }
func (t *table) full() bool { return len(t.index) >= maxOutstanding }

// add registers a probe that is about to be sent for the first time.
func (t *table) add(host int32, port uint16) int32 {
	var s int32
	if n := len(t.free); n > 0 {
		s = t.free[n-1]
		t.free = t.free[:n-1]
	} else {
		t.slots = append(t.slots, probe{})
		s = int32(len(t.slots) - 1)
	}
	t.nextGen++
	t.slots[s] = probe{host: host, port: port, gen: t.nextGen}
	t.index[key(host, port)] = s
	t.peak = max(t.peak, len(t.index))
	return s
}

func (t *table) lookup(host int32, port uint16) (int32, bool) {
	s, ok := t.index[key(host, port)]
	return s, ok
}

// remove forgets a finished probe.
func (t *table) remove(s int32) {
	p := &t.slots[s]
	if p.young {
		t.young--
	}
	delete(t.index, key(p.host, p.port))
	*p = probe{}
	t.free = append(t.free, s)
}

// sent records a transmission at now that times out after timeout.
func (t *table) sent(s int32, now, timeout time.Duration) {
	p := &t.slots[s]
	p.tries++
	if p.tries == 1 {
		p.first = now
	}
	p.last = now
	if !p.young {
		p.young = true
		t.young++
	}
	m := mark{at: now, slot: s, gen: p.gen, tries: p.tries}
	t.recent.push(m)
	m.at = now + timeout
	t.pushDeadline(m)
}

func (t *table) current(m mark) bool {
	p := &t.slots[m.slot]
	return p.gen == m.gen && p.tries == m.tries
}

// age stops counting transmissions older than youngAge as young.
func (t *table) age(now, youngAge time.Duration) {
	for t.recent.len() > 0 {
		m := t.recent.front()
		if m.at > now-youngAge {
			return
		}
		t.recent.pop()
		if p := &t.slots[m.slot]; t.current(m) && p.young {
			p.young = false
			t.young--
		}
	}
}

// oldestYoung is when the oldest queued transmission was sent.
func (t *table) oldestYoung() (time.Duration, bool) {
	if t.recent.len() == 0 {
		return 0, false
	}
	return t.recent.front().at, true
}

// expired pops the next probe whose latest transmission timed out by now.
func (t *table) expired(now time.Duration) (int32, bool) {
	for len(t.deadlines) > 0 && t.deadlines[0].at <= now {
		m := t.popDeadline()
		if t.current(m) {
			if p := &t.slots[m.slot]; p.young {
				p.young = false
				t.young--
			}
			return m.slot, true
		}
	}
	return 0, false
}

// nextDeadline is the earliest pending timeout.
func (t *table) nextDeadline() (time.Duration, bool) {
	if len(t.deadlines) == 0 {
		return 0, false
	}
	return t.deadlines[0].at, true
}

func (t *table) pushDeadline(m mark) {
	h := append(t.deadlines, m)
	i := len(h) - 1
	for i > 0 {
		parent := (i - 1) / 2
		if h[parent].at <= h[i].at {
			break
		}
		h[parent], h[i] = h[i], h[parent]
		i = parent
	}
	t.deadlines = h
}

func (t *table) popDeadline() mark {
	h := t.deadlines
	top := h[0]
	n := len(h) - 1
	h[0] = h[n]
	h = h[:n]
	i := 0
	for {
		l, r, m := 2*i+1, 2*i+2, i
		if l < n && h[l].at < h[m].at {
			m = l
		}
		if r < n && h[r].at < h[m].at {
			m = r
		}
		if m == i {
			break
		}
		h[i], h[m] = h[m], h[i]
		i = m
	}
	t.deadlines = h
	return top
}

// ring is a FIFO of marks that grows as needed.
type ring struct {
	buf        []mark
	head, size int
}

func (r *ring) len() int { return r.size }

func (r *ring) push(m mark) {
	if r.size == len(r.buf) {
		nb := make([]mark, max(64, 2*len(r.buf)))
		for i := range r.size {
			nb[i] = r.buf[(r.head+i)%len(r.buf)]
		}
		r.buf, r.head = nb, 0
	}
	r.buf[(r.head+r.size)%len(r.buf)] = m
	r.size++
}

func (r *ring) front() mark { return r.buf[r.head] }

func (r *ring) pop() {
	r.head = (r.head + 1) % len(r.buf)
	r.size--
}
