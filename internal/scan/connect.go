package scan

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"

	"github.com/portwatch/portwatch/internal/target"
)

// DialFunc opens a TCP connection; (*net.Dialer).DialContext fits.
type DialFunc func(ctx context.Context, network, address string) (net.Conn, error)

// Job is one scan request: every port of every target.
type Job struct {
	Targets Targets
	Ports   []uint16
	// Seed randomises the probe order; equal seeds give equal orders.
	Seed uint64
}

// hostGroupSize bounds how many hosts are scanned at once (their state is
// kept in memory); larger target sets are scanned group after group.
const hostGroupSize = 1 << 16

// neighbourFailureDelay separates "the host is not there" from a firewall's
// ICMP reject: the kernel reports EHOSTUNREACH for an unanswered ARP/ND only
// after its resolution retries (about 3 s on Linux), while a reject answers
// within a round trip.
const neighbourFailureDelay = time.Second

// sentinelTimeout is how long the per-host liveness connect may wait: long
// enough to outlast neighbour resolution.
const sentinelTimeout = 4 * time.Second

// sentinelWorkers bounds concurrent liveness connects.
const sentinelWorkers = 256

// maxResourceRetries bounds how often an attempt that failed for local
// reasons (out of descriptors or ephemeral ports) is repeated.
const maxResourceRetries = 50

// ConnectScanner scans TCP ports with full connects, as an unprivileged user
// can. The zero value is not usable; set at least Timing.
type ConnectScanner struct {
	Dial        DialFunc
	Timing      Timing
	Concurrency int     // simultaneous connects; <= 0 means 512
	Rate        float64 // connect attempts per second; 0 means unlimited
	Now         func() time.Time
	Progress    *Progress
}

// hostState is what the scanner learns about one host while scanning it.
type hostState struct {
	addr     netip.Addr
	rtt      *rttEstimator
	answered atomic.Bool // a port answered (SYN-ACK or RST): the host is there
	down     atomic.Bool // neighbour resolution failed and nothing answered
	started  atomic.Bool // the liveness connect was queued
}

type workItem struct {
	host *hostState
	port uint16
}

// run holds one scan's shared state.
type run struct {
	s         *ConnectScanner
	ctx       context.Context
	dial      DialFunc
	now       func() time.Time
	pace      *pacer
	prog      *Progress
	events    chan Event
	sentinels chan *hostState
	ports     []uint16
}

// Scan starts the scan and streams its events. The channel is closed when
// every endpoint is done or ctx ends; after cancellation, results of
// attempts cut short are dropped rather than reported as filtered.
func (s *ConnectScanner) Scan(ctx context.Context, job Job) (<-chan Event, error) {
	if err := s.Timing.Validate(); err != nil {
		return nil, err
	}
	if job.Targets == nil || job.Targets.Len() == 0 {
		return nil, errors.New("no targets to scan")
	}
	if len(job.Ports) == 0 {
		return nil, errors.New("no ports to scan")
	}
	r := &run{
		s:         s,
		ctx:       ctx,
		dial:      s.Dial,
		now:       s.Now,
		prog:      s.Progress,
		events:    make(chan Event, 1024),
		sentinels: make(chan *hostState, hostGroupSize),
		ports:     job.Ports,
	}
	if r.dial == nil {
		d := &net.Dialer{KeepAlive: -1}
		r.dial = d.DialContext
	}
	if r.now == nil {
		r.now = time.Now
	}
	if r.prog == nil {
		r.prog = &Progress{}
	}
	r.pace = newPacer(s.Rate, r.now)
	conc := s.Concurrency
	if conc <= 0 {
		conc = 512
	}
	r.prog.Total.Store(job.Targets.Len() * uint64(len(job.Ports)))

	work := make(chan workItem, conc)
	var workers, sentinels sync.WaitGroup
	for range conc {
		workers.Add(1)
		go func() {
			defer workers.Done()
			r.worker(work)
		}()
	}
	for range sentinelWorkers {
		sentinels.Add(1)
		go func() {
			defer sentinels.Done()
			r.sentinelWorker()
		}()
	}
	go func() {
		r.produce(job, work)
		close(work)
		workers.Wait()
		close(r.sentinels)
		sentinels.Wait()
		close(r.events)
	}()
	return r.events, nil
}

// produce walks hosts × ports in a random order, one host group at a time.
func (r *run) produce(job Job, work chan<- workItem) {
	global := newRTTEstimator(r.s.Timing, nil)
	n := job.Targets.Len()
	np := uint64(len(job.Ports))
	for base := uint64(0); base < n; base += hostGroupSize {
		size := min(hostGroupSize, n-base)
		hosts := make([]*hostState, size)
		for i := range hosts {
			hosts[i] = &hostState{
				addr: job.Targets.At(base + uint64(i)),
				rtt:  newRTTEstimator(r.s.Timing, global),
			}
		}
		perm := target.NewPermutation(size*np, job.Seed+base)
		for {
			idx, ok := perm.Next()
			if !ok {
				break
			}
			h := hosts[idx%size]
			if h.down.Load() {
				r.prog.Done.Add(1)
				continue
			}
			if !h.started.Swap(true) {
				select {
				case r.sentinels <- h:
				default: // liveness checks are an optimisation; skip when saturated
				}
			}
			select {
			case work <- workItem{host: h, port: job.Ports[idx/size]}:
			case <-r.ctx.Done():
				return
			}
		}
	}
}

func (r *run) worker(work <-chan workItem) {
	for it := range work {
		if r.ctx.Err() != nil {
			continue // drain
		}
		if it.host.down.Load() {
			r.prog.Done.Add(1)
			continue
		}
		res, ok := r.probe(it.host, it.port)
		if !ok {
			continue
		}
		r.prog.Done.Add(1)
		if res.State == Open {
			r.prog.Open.Add(1)
		}
		r.emit(Event{Kind: PortEvent, Port: res})
	}
}

// probe measures one endpoint, retrying only when nothing answered. ok is
// false when the scan was cancelled before an answer.
func (r *run) probe(h *hostState, port uint16) (PortResult, bool) {
	addr := netip.AddrPortFrom(h.addr, port).String()
	res := PortResult{Addr: h.addr, Protocol: TCP, Port: port}
	resourceRetries := 0
	for attempt := 0; ; attempt++ {
		if err := r.pace.wait(r.ctx); err != nil {
			return res, false
		}
		timeout := h.rtt.timeout() << attempt // back off on each retry
		start := r.now()
		err := r.connect(addr, timeout)
		elapsed := r.now().Sub(start)
		r.prog.Sent.Add(1)
		if r.ctx.Err() != nil {
			return res, false
		}
		if err != nil && isResourceError(err) && resourceRetries < maxResourceRetries {
			resourceRetries++
			attempt--
			time.Sleep(time.Duration(resourceRetries) * time.Millisecond)
			continue
		}
		state, reason, known := classifyDialError(err)
		if !known {
			res.State, res.Reason = Filtered, ReasonError
			return res, true
		}
		res.State, res.Reason = state, reason
		switch {
		case state == Open || state == Closed:
			h.answered.Store(true)
			h.rtt.observe(elapsed)
			res.RTT = elapsed
			return res, true
		case reason == ReasonNoResponse:
			if attempt < r.s.Timing.Retries {
				continue
			}
			return res, true
		default: // ICMP-derived answers
			r.noteUnreachable(h, reason, elapsed)
			return res, true
		}
	}
}

// connect opens and immediately resets one connection.
func (r *run) connect(addr string, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(r.ctx, timeout)
	defer cancel()
	conn, err := r.dial(ctx, "tcp", addr)
	if err != nil {
		return err
	}
	if tc, ok := conn.(*net.TCPConn); ok {
		_ = tc.SetLinger(0) // RST on close: no TIME_WAIT pile-up over a full range
	}
	return conn.Close()
}

// noteUnreachable marks a host down when a late unreachable error shows
// that its address does not resolve on the link and nothing ever answered.
func (r *run) noteUnreachable(h *hostState, reason Reason, elapsed time.Duration) {
	if reason != ReasonHostUnreachable && reason != ReasonNetUnreachable {
		return
	}
	if elapsed < neighbourFailureDelay || h.answered.Load() {
		return
	}
	if !h.down.Swap(true) {
		r.emit(Event{Kind: HostEvent, Host: HostVerdict{Addr: h.addr, Status: HostDown, Reason: reason}})
	}
}

// sentinelWorker runs liveness connects: one patient connect per host, which
// outlasts neighbour resolution so that absent hosts are recognised in
// seconds instead of after every port timed out.
func (r *run) sentinelWorker() {
	for h := range r.sentinels {
		if r.ctx.Err() != nil || h.answered.Load() || h.down.Load() {
			continue
		}
		port := r.ports[0]
		addr := netip.AddrPortFrom(h.addr, port).String()
		start := r.now()
		err := r.connect(addr, sentinelTimeout)
		elapsed := r.now().Sub(start)
		if r.ctx.Err() != nil {
			continue
		}
		state, reason, _ := classifyDialError(err)
		switch state {
		case Open, Closed:
			h.answered.Store(true)
		case Filtered:
			r.noteUnreachable(h, reason, elapsed)
		}
	}
}

func (r *run) emit(ev Event) {
	// The consumer drains until close; a blocked send only waits for it.
	r.events <- ev
}

// String describes the scanner for result metadata.
func (s *ConnectScanner) String() string {
	return fmt.Sprintf("connect (concurrency %d, rate %g/s)", s.Concurrency, s.Rate)
}
