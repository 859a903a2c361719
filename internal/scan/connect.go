package scan

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"runtime"
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
	// SkipDiscovery treats every host as present (nmap -Pn): no discovery
	// phase, and absent hosts are swept port by port.
	SkipDiscovery bool
}

// hostGroupSize bounds how many hosts are scanned at once (their state is
// kept in memory); larger target sets are scanned group after group.
const hostGroupSize = 1 << 16

// neighbourFailureDelay separates "the host is not there" from a firewall's
// ICMP reject: the kernel reports EHOSTUNREACH for an unanswered ARP/ND only
// after its resolution retries (about 3 s on Linux), while a reject answers
// within a round trip.
const neighbourFailureDelay = time.Second

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
	rtt      *RTTEstimator
	answered atomic.Bool // a port answered (SYN-ACK or RST): the host is there
	down     atomic.Bool // neighbour resolution failed and nothing answered
}

type workItem struct {
	host *hostState
	port uint16
}

// run holds one scan's shared state.
type run struct {
	s      *ConnectScanner
	ctx    context.Context
	dial   DialFunc
	now    func() time.Time
	pace   *Pacer
	prog   *Progress
	events chan Event
	ports  []uint16
	global *RTTEstimator // all hosts' round trips
	// neighbours reads the ARP/ND table; only meaningful when probes go
	// through this machine's own stack (not an injected dialer).
	neighbours func() (map[netip.Addr]neighbourState, error)
}

// youngAge is how long an attempt may still expect an answer: four smoothed
// round trips of the whole scan, within bounds. Before any answer there is
// nothing to make room for, so the bound is the smallest.
func (r *run) youngAge() time.Duration {
	srtt, ok := r.global.Smoothed()
	if !ok {
		return minYoungAge
	}
	return clampDuration(4*srtt, minYoungAge, maxYoungAge)
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
		s:      s,
		ctx:    ctx,
		dial:   s.Dial,
		now:    s.Now,
		prog:   s.Progress,
		events: make(chan Event, 1024),
		ports:  job.Ports,
		global: NewRTTEstimator(s.Timing, nil),
	}
	r.neighbours = readNeighbours
	if r.dial == nil {
		r.dial = (&net.Dialer{KeepAlive: -1}).DialContext
	} else {
		r.neighbours = func() (map[netip.Addr]neighbourState, error) { return nil, nil }
	}
	if r.now == nil {
		r.now = time.Now
	}
	if r.prog == nil {
		r.prog = &Progress{}
	}
	r.pace = NewPacer(s.Rate, r.now)
	conc := s.Concurrency
	if conc <= 0 {
		conc = 512
	}
	r.prog.Total.Store(job.Targets.Len() * uint64(len(job.Ports)))

	work := make(chan workItem, conc)
	var workers sync.WaitGroup
	r.startWorkers(&workers, work, conc)
	go func() {
		r.produce(job, work)
		close(work)
		workers.Wait()
		close(r.events)
	}()
	return r.events, nil
}

// startWorkers runs the probing: event loops (one per core, sharing the
// concurrency) on Linux with the default dialer, else one goroutine per
// simultaneous connect through the DialFunc.
func (r *run) startWorkers(wg *sync.WaitGroup, work chan workItem, conc int) {
	goroutines := func(n int) {
		for range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				r.worker(work)
			}()
		}
	}
	if r.s.Dial != nil || !hasEpollEngine() {
		goroutines(conc)
		return
	}
	loops := max(1, min(runtime.GOMAXPROCS(0), conc))
	for i := range loops {
		window := conc / loops
		if i < conc%loops {
			window++
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := r.runEpoll(work, window); err != nil {
				// No event loop here (e.g. epoll unavailable): probe with
				// blocking dials through r.dial instead.
				goroutines(window)
			}
		}()
	}
}

// produce walks hosts × ports in a random order, one host group at a time.
func (r *run) produce(job Job, work chan<- workItem) {
	n := job.Targets.Len()
	np := uint64(len(job.Ports))
	for base := uint64(0); base < n; base += hostGroupSize {
		size := min(hostGroupSize, n-base)
		hosts := make([]*hostState, size)
		for i := range hosts {
			hosts[i] = &hostState{
				addr: job.Targets.At(base + uint64(i)),
				rtt:  NewRTTEstimator(r.s.Timing, r.global),
			}
		}
		if !job.SkipDiscovery {
			r.discover(hosts)
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
		if res, ok := r.probe(it.host, it.port); ok {
			r.finish(res)
		}
	}
}

// probe measures one endpoint with blocking dials, retrying only when
// nothing answered. ok is false when the scan was cancelled before an answer.
func (r *run) probe(h *hostState, port uint16) (PortResult, bool) {
	addr := netip.AddrPortFrom(h.addr, port).String()
	resourceRetries := 0
	for attempt := 0; ; attempt++ {
		if err := r.pace.Wait(r.ctx); err != nil {
			return PortResult{}, false
		}
		start := r.now()
		err := r.connect(addr, r.attemptTimeout(h, attempt))
		elapsed := r.now().Sub(start)
		r.prog.Sent.Add(1)
		if r.ctx.Err() != nil {
			return PortResult{}, false
		}
		if err != nil && IsResourceError(err) && resourceRetries < maxResourceRetries {
			resourceRetries++
			attempt--
			time.Sleep(time.Duration(resourceRetries) * time.Millisecond)
			continue
		}
		if res, retry := r.outcome(h, port, attempt, err, elapsed); !retry {
			return res, true
		}
	}
}

// attemptTimeout is the host's adaptive timeout, doubled for each retry.
func (r *run) attemptTimeout(h *hostState, attempt int) time.Duration {
	return h.rtt.Timeout() << attempt
}

// outcome interprets one attempt: the port's result, or retry when the
// attempt met silence and retries remain. Answers feed the host's RTT
// estimate; late unreachable errors may mark the host down.
func (r *run) outcome(h *hostState, port uint16, attempt int, err error, elapsed time.Duration) (res PortResult, retry bool) {
	res = PortResult{Addr: h.addr, Protocol: TCP, Port: port}
	state, reason, known := classifyDialError(err)
	if !known {
		res.State, res.Reason = Filtered, ReasonError
		return res, false
	}
	res.State, res.Reason = state, reason
	switch {
	case state == Open || state == Closed:
		h.answered.Store(true)
		h.rtt.Observe(elapsed)
		res.RTT = elapsed
	case reason == ReasonNoResponse:
		if attempt < r.s.Timing.Retries {
			return res, true
		}
	default: // ICMP-derived answers: a round trip, but not the port's
		res.RTT = elapsed
		r.noteUnreachable(h, reason, elapsed)
	}
	return res, false
}

// finish counts and emits a finished port.
func (r *run) finish(res PortResult) {
	r.prog.Done.Add(1)
	if res.State == Open {
		r.prog.Open.Add(1)
	}
	r.emit(Event{Kind: PortEvent, Port: res})
}

// connect opens and immediately resets one connection.
func (r *run) connect(addr string, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(r.ctx, timeout)
	defer cancel()
	conn, err := r.dial(ctx, "tcp", addr)
	if err != nil {
		return err
	}
	closeReset(conn)
	return nil
}

// closeReset closes a connection with an RST (SO_LINGER 0), so that a
// full-range scan leaves no TIME_WAIT pile-up.
func closeReset(conn net.Conn) {
	if tc, ok := conn.(*net.TCPConn); ok {
		_ = tc.SetLinger(0)
	}
	conn.Close()
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
	r.markDown(h, reason)
}

// markDown records that a host is not there; its remaining ports are skipped.
func (r *run) markDown(h *hostState, reason Reason) {
	if !h.down.Swap(true) {
		r.emit(Event{Kind: HostEvent, Host: HostVerdict{Addr: h.addr, Status: HostDown, Reason: reason}})
	}
}

func (r *run) emit(ev Event) {
	// The consumer drains until close; a blocked send only waits for it.
	r.events <- ev
}

// ScanProgress returns the counters the scanner updates (set Progress
// before Scan to share them).
func (s *ConnectScanner) ScanProgress() *Progress { return s.Progress }

// String describes the scanner for result metadata.
func (s *ConnectScanner) String() string {
	return fmt.Sprintf("connect (concurrency %d, rate %g/s)", s.Concurrency, s.Rate)
}
