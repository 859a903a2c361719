package syn

import (
	"context"
	"net/netip"
	"time"

	"github.com/portwatch/portwatch/internal/rawnet"
	"github.com/portwatch/portwatch/internal/scan"
	"github.com/portwatch/portwatch/internal/target"
)

// Send-loop timing.
const (
	// minYoungAge and the scan's round trip decide how long a probe counts
	// against the window (see sweep.youngAge).
	minYoungAge = time.Millisecond
	// maxIdle bounds a sleep of the send loop.
	maxIdle = 100 * time.Millisecond
	// sendBackoff is the pause after the kernel ran out of buffers.
	sendBackoff = time.Millisecond
	// maxBatch is the most packets sent at once (split between senders).
	maxBatch = 4 * rawnet.MaxBatch
	// dropInterval is how often the socket's drop counter is read.
	dropInterval = 100 * time.Millisecond
	// minLossGap spaces window cuts: one loss episode costs many answers.
	minLossGap = 10 * time.Millisecond
)

// sweep probes every port of a group's live hosts: one send loop that
// transmits (new probes in permutation order, retransmissions first),
// takes the receiver's replies, and times probes out.
type sweep struct {
	r         *run
	hosts     []*host
	byAddr    map[netip.Addr]int32
	ports     []uint16
	perm      *target.Permutation
	exhausted bool
	tbl       *table
	pending   deque // probes waiting for a (re)transmission
	batch     []rawnet.Packet
	slots     []int32 // probe of each batch packet
	bufs      [][]byte
	results   []chunkResult
	requeue   []int32
	backoff   time.Duration // no sending before this
	lastDrops time.Duration
}

func (r *run) sweep(ctx context.Context, hosts []*host, ports []uint16, seed uint64) {
	sw := &sweep{
		r: r, hosts: hosts, ports: ports, tbl: newTable(),
		byAddr: make(map[netip.Addr]int32, len(hosts)),
		perm:   target.NewPermutation(uint64(len(hosts))*uint64(len(ports)), seed),
		bufs:   make([][]byte, maxBatch),
	}
	for i, h := range hosts {
		sw.byAddr[h.addr] = int32(i)
	}
	for i := range sw.bufs {
		sw.bufs[i] = make([]byte, 128)
	}
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	began, sentBefore := r.now(), r.prog.Sent.Load()
	defer func() {
		r.log.Debug("syn sweep finished", "hosts", len(hosts), "ports", len(ports),
			"took", r.now()-began, "packets", r.prog.Sent.Load()-sentBefore,
			"window", int(r.cc.cwnd), "loss_cuts", r.cc.cuts, "rate", r.cc.pace.Rate(), "max_outstanding", sw.tbl.peak)
	}()
	for {
		now := r.now()
		sw.checkDrops(now)
		sw.r.cc.recover(now, max(sw.lossGap(), sw.r.global.Timeout()))
		sw.expire(now)
		sw.tbl.age(now, sw.youngAge())
		sw.send(now)
		if sw.exhausted && sw.tbl.len() == 0 {
			return
		}
		timer.Reset(sw.wake(r.now()))
		select {
		case b := <-r.recv.out:
			sw.handle(b)
			for more := true; more; {
				select {
				case b := <-r.recv.out:
					sw.handle(b)
				default:
					more = false
				}
			}
		case <-timer.C:
		case <-ctx.Done():
			return
		}
	}
}

// youngAge is how long a transmission counts against the window: two
// smoothed round trips of the scan, within [1 ms, Timing.Max]. An answer
// comes within a round trip or so; a probe older than that is most likely
// unanswered (dropped by a firewall) and should not hold up the others.
func (sw *sweep) youngAge() time.Duration {
	srtt, ok := sw.r.global.Smoothed()
	if !ok {
		return minYoungAge
	}
	return max(minYoungAge, min(2*srtt, sw.r.timing.Max))
}

// send transmits as much as the pacer, the window and the table allow.
func (sw *sweep) send(now time.Duration) {
	if now < sw.backoff {
		return
	}
	avail := sw.r.cc.pace.Available(now)
	for avail > 0 {
		sw.batch, sw.slots = sw.batch[:0], sw.slots[:0]
		for len(sw.batch) < min(avail, maxBatch) && sw.r.cc.allows(sw.tbl.young+len(sw.batch)) {
			s, ok := sw.popPending()
			if !ok {
				if s, ok = sw.next(); !ok {
					break
				}
			}
			sw.queue(s)
		}
		if len(sw.batch) == 0 {
			return
		}
		avail -= len(sw.batch)
		if !sw.flush(now) {
			return
		}
	}
}

// popPending takes the next probe queued for a transmission that is still
// outstanding (an answer may have finished it since it was queued).
func (sw *sweep) popPending() (int32, bool) {
	for {
		q, ok := sw.pending.pop()
		if !ok {
			return 0, false
		}
		if sw.tbl.slots[q.slot].gen == q.gen {
			return q.slot, true
		}
	}
}

// next registers the next probe of the permutation, if the table has room.
func (sw *sweep) next() (int32, bool) {
	if sw.exhausted || sw.tbl.full() {
		return 0, false
	}
	idx, ok := sw.perm.Next()
	if !ok {
		sw.exhausted = true
		return 0, false
	}
	n := uint64(len(sw.hosts))
	return sw.tbl.add(int32(idx%n), sw.ports[idx/n]), true
}

// queue builds the next transmission of slot s into the batch.
func (sw *sweep) queue(s int32) {
	p := &sw.tbl.slots[s]
	h := sw.hosts[p.host]
	seq := sw.r.match.cookie.Seq(h.src, h.addr, sw.r.match.sport, p.port, int(p.tries))
	buf := sw.bufs[len(sw.batch)]
	sw.batch = append(sw.batch, rawnet.Packet{Dst: h.addr, Data: h.tpl.Fill(buf, h.addr, p.port, seq, 0)})
	sw.slots = append(sw.slots, s)
}

// flush sends the batch. A packet the kernel refuses for good (no route, a
// local firewall) is that port's result; running out of buffers puts the
// rest back in front of the queue, pauses and counts as loss. It reports
// whether sending may go on.
func (sw *sweep) flush(now time.Duration) bool {
	sw.results = sw.r.res.send.send(sw.batch, sw.results)
	ok := true
	sw.requeue = sw.requeue[:0]
	for _, c := range sw.results {
		sent := sw.slots[c.start : c.start+c.n]
		for _, s := range sent {
			sw.tbl.sent(s, now, sw.hosts[sw.tbl.slots[s].host].rtt.Timeout())
		}
		sw.r.cc.pace.Take(len(sent))
		sw.r.cc.sent += uint64(len(sent))
		sw.r.prog.Sent.Add(uint64(len(sent)))
		if c.err == nil {
			continue
		}
		i := c.start + c.n
		if transient(c.err) {
			ok = false
		} else {
			state, reason := sendErrorResult(c.err)
			sw.finish(sw.slots[i], state, reason, 0)
			i++
		}
		sw.requeue = append(sw.requeue, sw.slots[i:c.end]...)
	}
	for j := len(sw.requeue) - 1; j >= 0; j-- {
		s := sw.requeue[j]
		sw.pending.pushFront(pendingProbe{slot: s, gen: sw.tbl.slots[s].gen})
	}
	if !ok {
		sw.backoff = now + sendBackoff
		sw.r.cc.lost(now, sw.tbl.young, sw.lossGap())
	}
	return ok
}

// expire handles probes whose latest transmission timed out: send again,
// or, after the last try, filtered.
func (sw *sweep) expire(now time.Duration) {
	for {
		s, ok := sw.tbl.expired(now)
		if !ok {
			return
		}
		if p := &sw.tbl.slots[s]; int(p.tries) < sw.r.maxTries {
			sw.pending.push(pendingProbe{slot: s, gen: p.gen})
			continue
		}
		sw.finish(s, scan.Filtered, scan.ReasonNoResponse, 0)
	}
}

// handle applies a batch of replies and gives the batch back.
func (sw *sweep) handle(batch []reply) {
	for i := range batch {
		sw.apply(&batch[i])
	}
	sw.r.recv.free <- batch
}

func (sw *sweep) apply(rp *reply) {
	hi, ok := sw.byAddr[rp.addr]
	if !ok {
		return
	}
	s, ok := sw.tbl.lookup(hi, rp.port)
	if !ok {
		return // already finished: a duplicate or a late answer
	}
	p := &sw.tbl.slots[s]
	if p.tries == 0 || rp.try >= p.tries {
		return // answers a transmission that never left: not ours
	}
	latest := rp.try == p.tries-1
	sentAt := p.last
	if rp.try == 0 {
		sentAt = p.first
	}
	rtt := max(0, rp.at-sentAt)
	if rp.answer && p.tries == 1 {
		sw.hosts[hi].rtt.Observe(rtt) // Karn: never time an answer to a retransmission
	}
	sw.r.cc.answered(sw.tbl.young)
	if rp.try > 0 && latest {
		// The retransmission got through where the first transmission
		// (or its answer) did not: loss.
		sw.r.cc.lost(rp.at, sw.tbl.young, sw.lossGap())
	}
	sw.finish(s, rp.state, rp.reason, rtt)
}

func (sw *sweep) lossGap() time.Duration {
	return max(2*sw.youngAge(), minLossGap)
}

// checkDrops treats replies the kernel dropped on our socket as loss, and
// samples the send rate.
func (sw *sweep) checkDrops(now time.Duration) {
	if now-sw.lastDrops < dropInterval {
		return
	}
	sw.lastDrops = now
	sw.r.cc.sample(now)
	if d, err := sw.r.res.conn.Drops(); err == nil && d > 0 {
		sw.r.cc.lost(now, sw.tbl.young, 0)
	}
}

// finish reports a port and forgets its probe.
func (sw *sweep) finish(s int32, state scan.PortState, reason scan.Reason, rtt time.Duration) {
	p := &sw.tbl.slots[s]
	res := scan.PortResult{Addr: sw.hosts[p.host].addr, Protocol: scan.TCP, Port: p.port, State: state, Reason: reason, RTT: rtt}
	sw.tbl.remove(s)
	sw.r.prog.Done.Add(1)
	if state == scan.Open {
		sw.r.prog.Open.Add(1)
	}
	sw.r.emit(scan.Event{Kind: scan.PortEvent, Port: res})
}

// wake is how long the loop may sleep: until the next timeout, the next
// packet the pacer allows, the oldest young probe ageing out of the window,
// or the end of a send backoff.
func (sw *sweep) wake(now time.Duration) time.Duration {
	d := maxIdle
	if t, ok := sw.tbl.nextDeadline(); ok {
		d = min(d, t-now)
	}
	work := sw.pending.len() > 0 || (!sw.exhausted && !sw.tbl.full())
	switch {
	case !work:
	case now < sw.backoff:
		d = min(d, sw.backoff-now)
	case sw.r.cc.allows(sw.tbl.young):
		d = min(d, sw.r.cc.pace.Wait(rawnet.MaxBatch/4))
	default:
		if t, ok := sw.tbl.oldestYoung(); ok {
			d = min(d, t+sw.youngAge()-now)
		}
	}
	return max(d, 0)
}
