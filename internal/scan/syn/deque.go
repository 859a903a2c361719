package syn

// pendingProbe is a probe queued for a transmission; gen tells whether
// its slot still holds it.
type pendingProbe struct {
	slot int32
	gen  uint32
}

// deque is a FIFO of queued probes that can also take one back at the front.
type deque struct {
	buf        []pendingProbe
	head, size int
}

func (q *deque) len() int { return q.size }

func (q *deque) grow() {
	nb := make([]pendingProbe, max(64, 2*len(q.buf)))
	for i := range q.size {
		nb[i] = q.buf[(q.head+i)%len(q.buf)]
	}
	q.buf, q.head = nb, 0
}

func (q *deque) push(s pendingProbe) {
	if q.size == len(q.buf) {
		q.grow()
	}
	q.buf[(q.head+q.size)%len(q.buf)] = s
	q.size++
}

func (q *deque) pushFront(s pendingProbe) {
	if q.size == len(q.buf) {
		q.grow()
	}
	q.head = (q.head - 1 + len(q.buf)) % len(q.buf)
	q.buf[q.head] = s
	q.size++
}

func (q *deque) pop() (pendingProbe, bool) {
	if q.size == 0 {
		return pendingProbe{}, false
	}
	s := q.buf[q.head]
	q.head = (q.head + 1) % len(q.buf)
	q.size--
	return s, true
}
