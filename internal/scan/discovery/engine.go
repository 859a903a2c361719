package discovery

import (
	"context"
	"net"
	"net/netip"
	"time"

	"github.com/portwatch/portwatch/internal/rawnet"
	"github.com/portwatch/portwatch/internal/scan"
	"github.com/portwatch/portwatch/internal/target"
)

// method is how a host is asked.
type method uint8

const (
	methodNone method = iota // not probed: verdict given at once
	methodARP
	methodND
	methodIP // echo, SYN, ACK
)

// Probe classes with their own waits and tries: neighbour resolution on
// a segment, and IP probes to anywhere.
const (
	classLink = iota
	classIP
	classes
)

func (m method) class() int {
	if m == methodIP {
		return classIP
	}
	return classLink
}

// maxIdle bounds a sleep of the engine.
const maxIdle = 50 * time.Millisecond

var broadcastMAC = net.HardwareAddr{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}

// hostState is one target's discovery.
type hostState struct {
	route  rawnet.Route
	method method
	tries  uint8
	last   time.Duration
	done   bool
}

// sent is one transmission waiting for its answer.
type sent struct {
	host int32
	at   time.Duration
}

// engine is one Discover run, owned by its goroutine.
type engine struct {
	p         *Prober
	targets   scan.Targets
	out       chan Result
	start     time.Time
	hosts     []hostState
	byAddr    map[netip.Addr]int32
	perm      *target.Permutation
	exhausted bool
	left      int
	// waiting holds transmissions per class and try, each in send order,
	// so the front of each queue is the next to time out.
	waiting  [classes][]fifo[sent]
	resend   fifo[int32]
	est      [classes]estimator
	maxTries [classes]int
	pace     *rawnet.Pacer
	batch    []rawnet.Packet
	owners   []int32 // host of each batch packet
	synTpl   map[netip.Addr]*rawnet.TCPTemplate
	ackTpl   map[netip.Addr]*rawnet.TCPTemplate
	bufs     [][]byte
}

func newEngine(p *Prober, targets scan.Targets) *engine {
	n := int(targets.Len())
	e := &engine{
		p: p, targets: targets, out: make(chan Result, 256), start: time.Now(),
		hosts:  make([]hostState, n),
		byAddr: make(map[netip.Addr]int32, n),
		perm:   target.NewPermutation(uint64(n), uint64(time.Now().UnixNano())),
		left:   n,
		pace:   rawnet.NewPacer(p.opts.Rate),
		synTpl: map[netip.Addr]*rawnet.TCPTemplate{},
		ackTpl: map[netip.Addr]*rawnet.TCPTemplate{},
	}
	e.maxTries[classLink] = max(linkTries, p.opts.Timing.Retries+1)
	e.maxTries[classIP] = min(p.opts.Timing.Retries+1, rawnet.MaxTries)
	for c := range e.waiting {
		e.waiting[c] = make([]fifo[sent], e.maxTries[c])
	}
	for i := range n {
		e.byAddr[targets.At(uint64(i)).Unmap()] = int32(i)
	}
	return e
}

func (e *engine) now() time.Duration { return time.Since(e.start) }

func (e *engine) addr(h int32) netip.Addr { return e.targets.At(uint64(h)).Unmap() }

// run probes until every host has a verdict or ctx ends.
func (e *engine) run(ctx context.Context) {
	defer close(e.out)
	// Answers to an earlier run (another host group) are of no use now.
	e.drain()
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for e.left > 0 {
		now := e.now()
		e.expire(ctx, now)
		e.send(ctx, now)
		if e.left == 0 || ctx.Err() != nil {
			return
		}
		timer.Reset(e.wake(e.now()))
		select {
		case b := <-e.p.replies:
			e.handle(ctx, b)
		case <-timer.C:
		case <-ctx.Done():
			return
		}
	}
}

func (e *engine) drain() {
	for {
		select {
		case b := <-e.p.replies:
			e.p.free <- b
		default:
			return
		}
	}
}

// verdict records a host's result.
func (e *engine) verdict(ctx context.Context, h int32, status scan.HostStatus, reason scan.Reason, rtt time.Duration) {
	hs := &e.hosts[h]
	if hs.done {
		return
	}
	hs.done = true
	e.left--
	r := Result{HostVerdict: scan.HostVerdict{Addr: e.addr(h), Status: status, Reason: reason}, RTT: rtt, Route: hs.route}
	select {
	case e.out <- r:
	case <-ctx.Done():
	}
}

// send transmits what the pacer allows: retries first, then new hosts.
func (e *engine) send(ctx context.Context, now time.Duration) {
	unlimited := e.p.opts.Rate <= 0
	for n := e.pace.Available(now); unlimited || n > 0; n = e.pace.Available(now) {
		h, ok := e.resend.pop()
		if !ok {
			if h, ok = e.nextHost(ctx); !ok {
				break
			}
		}
		hs := &e.hosts[h]
		if hs.done {
			continue
		}
		e.transmit(ctx, h, now)
		if len(e.batch) >= rawnet.MaxBatch-4 {
			e.flush(ctx)
		}
	}
	e.flush(ctx)
}

// wait is how long a try of class c may go unanswered: the adaptive wait,
// doubled for each retry.
func (e *engine) wait(c, try int) time.Duration {
	var w time.Duration
	if c == classLink {
		w = e.est[c].wait(linkInitialWait, linkMinWait, linkMaxWait)
	} else {
		t := e.p.opts.Timing
		w = e.est[c].wait(t.Initial, t.Min, t.Max)
	}
	return w << try
}

// expire retries or gives up on hosts whose latest try timed out.
func (e *engine) expire(ctx context.Context, now time.Duration) {
	for c := range e.waiting {
		for try := range e.waiting[c] {
			q := &e.waiting[c][try]
			w := e.wait(c, try)
			for q.len() > 0 && q.front().at+w <= now {
				s, _ := q.pop()
				hs := &e.hosts[s.host]
				if hs.done || int(hs.tries) != try+1 {
					continue
				}
				if try+1 < e.maxTries[c] {
					e.resend.push(s.host)
					continue
				}
				e.verdict(ctx, s.host, scan.HostDown, scan.ReasonNoResponse, 0)
			}
		}
	}
}

// handle applies a batch of replies and gives the batch back.
func (e *engine) handle(ctx context.Context, batch []reply) {
	for _, r := range batch {
		h, ok := e.byAddr[r.addr]
		if !ok {
			continue
		}
		hs := &e.hosts[h]
		if hs.done || hs.tries == 0 {
			continue // never asked (yet): an ARP answer to someone else
		}
		if !r.up {
			e.verdict(ctx, h, scan.HostDown, r.reason, 0)
			continue
		}
		rtt := max(0, r.at-hs.last)
		if hs.tries == 1 {
			c := classIP
			if r.link {
				c = classLink
			}
			e.est[c].observe(rtt)
		}
		e.verdict(ctx, h, scan.HostUp, r.reason, rtt)
	}
	e.p.free <- batch
}

// wake is how long the engine may sleep: until the first timeout, or the
// pacer's next slot when there is more to send.
func (e *engine) wake(now time.Duration) time.Duration {
	d := maxIdle
	for c := range e.waiting {
		for try := range e.waiting[c] {
			if q := &e.waiting[c][try]; q.len() > 0 {
				d = min(d, q.front().at+e.wait(c, try)-now)
			}
		}
	}
	if e.resend.len() > 0 || !e.exhausted {
		d = min(d, e.pace.Wait(4))
	}
	return max(d, 0)
}
