// Package udp is portwatch's UDP port scanner. It sends each port the
// datagrams its service answers (package payloads), reads ICMP errors from
// the socket error queue, and never reports silence as anything but
// open|filtered. It works unprivileged: one connected UDP socket per probe,
// driven by epoll. See docs/udp-scan.md.
package udp

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	mrand "math/rand/v2"
	"net/netip"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/portwatch/portwatch/internal/scan"
	"github.com/portwatch/portwatch/internal/scan/udp/payloads"
	"github.com/portwatch/portwatch/internal/target"
)

// DefaultConcurrency is the number of probes in flight when Concurrency is
// not set. Each holds one socket until answered or timed out.
const DefaultConcurrency = 1024

// DefaultConfirmInterval is the longest gap between confirmation attempts
// to one host: Linux answers about one ICMP port-unreachable per second
// per destination (net.ipv4.icmp_ratelimit = 1000 ms) once its burst is
// spent.
const DefaultConfirmInterval = time.Second

// hostGroupSize bounds how many hosts are scanned at once, as for TCP.
const hostGroupSize = 1 << 16

// Scanner scans UDP ports. The zero value is not usable; set at least
// Timing. It implements scan.Scanner: Job.Ports are UDP ports.
type Scanner struct {
	// Timing bounds the adaptive per-try timeout and sets the retries of
	// silent ports.
	Timing scan.Timing
	// Rate bounds probe attempts per second (retries included); 0 means
	// unlimited.
	Rate float64
	// Concurrency bounds probes in flight; <= 0 means DefaultConcurrency.
	Concurrency int
	// Progress, if set, counts the scan's work as it goes.
	Progress *scan.Progress
	// Payloads chooses the datagrams per port; nil means payloads.Default().
	Payloads *payloads.Registry
	// ServiceDetection identifies the service behind each answering port
	// from its answer and emits it as a scan.ServiceEvent after the port.
	ServiceDetection bool
	// ConfirmClosed re-probes the ports that stayed silent, one at a time
	// per host, at the pace the host sends ICMP errors, on hosts that sent
	// at least one ICMP port-unreachable, so that closed ports hidden by
	// ICMP rate limiting are reported closed. Against Linux's default
	// limit it costs about a second per silent port and host.
	ConfirmClosed bool
	// ConfirmInterval is the longest wait for a host's ICMP budget to
	// refill during confirmation; <= 0 means DefaultConfirmInterval.
	ConfirmInterval time.Duration
	// OpenSocket creates probe sockets; nil means socket(2) in the
	// caller's network namespace. Tests use it to probe from a namespace.
	OpenSocket func(domain, typ, proto int) (int, error)
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

var _ scan.Scanner = (*Scanner)(nil)

// hostState is what the scan learns about one host.
type hostState struct {
	addr netip.Addr
	rtt  *scan.RTTEstimator
	// canary is a port that answered ICMP port-unreachable (0: none yet):
	// the confirmation pass probes it to learn whether the host can send
	// an ICMP error at that moment.
	canary atomic.Uint32
}

func (h *hostState) notePortUnreachable(port uint16) { h.canary.CompareAndSwap(0, uint32(port)) }

type workItem struct {
	host *hostState
	port uint16
}

// run is one scan's shared state.
type run struct {
	s        *Scanner
	ctx      context.Context
	now      func() time.Time
	pace     *scan.Pacer
	prog     *scan.Progress
	reg      *payloads.Registry
	events   chan scan.Event
	global   *scan.RTTEstimator
	open     func(domain, typ, proto int) (int, error)
	silentMu sync.Mutex
	silent   []workItem // held back for confirmation
}

// Scan starts the scan and streams its events; the channel is closed when
// every port is done or ctx ends (in-flight probes are then dropped, not
// reported).
func (s *Scanner) Scan(ctx context.Context, job scan.Job) (<-chan scan.Event, error) {
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
		s: s, ctx: ctx, now: s.Now, prog: s.Progress, reg: s.Payloads, open: s.OpenSocket,
		events: make(chan scan.Event, 1024),
		global: scan.NewRTTEstimator(s.Timing, nil),
	}
	if r.now == nil {
		r.now = time.Now
	}
	if r.prog == nil {
		r.prog = &scan.Progress{}
	}
	if r.reg == nil {
		r.reg = payloads.Default()
	}
	if r.open == nil {
		r.open = defaultSocket
	}
	r.pace = scan.NewPacer(s.Rate, r.now)
	conc := s.Concurrency
	if conc <= 0 {
		conc = DefaultConcurrency
	}
	r.prog.Total.Store(job.Targets.Len() * uint64(len(job.Ports)))
	// One event loop per core, sharing the concurrency; created here so
	// that a failure is the caller's error, not a half-run scan.
	n := max(1, min(runtime.GOMAXPROCS(0), conc))
	loops := make([]*loop, 0, n)
	for i := range n {
		window := conc / n
		if i < conc%n {
			window++
		}
		l, err := newLoop(r, window)
		if err != nil {
			for _, l := range loops {
				l.close()
			}
			return nil, fmt.Errorf("udp scan: %w", err)
		}
		loops = append(loops, l)
	}
	work := make(chan workItem, conc)
	go func() {
		defer close(r.events)
		var wg sync.WaitGroup
		for _, l := range loops {
			wg.Add(1)
			go func() {
				defer wg.Done()
				l.run(work)
			}()
		}
		r.produce(job, work)
		close(work)
		wg.Wait()
		if s.ConfirmClosed {
			r.confirm()
		}
		r.flushSilent()
	}()
	return r.events, nil
}

// produce walks hosts × ports in a random order, one host group at a time.
func (r *run) produce(job scan.Job, work chan<- workItem) {
	n := job.Targets.Len()
	np := uint64(len(job.Ports))
	for base := uint64(0); base < n; base += hostGroupSize {
		size := min(hostGroupSize, n-base)
		hosts := make([]*hostState, size)
		for i := range hosts {
			hosts[i] = &hostState{addr: job.Targets.At(base + uint64(i)), rtt: scan.NewRTTEstimator(r.s.Timing, r.global)}
		}
		perm := target.NewPermutation(size*np, job.Seed+base)
		for {
			idx, ok := perm.Next()
			if !ok {
				break
			}
			select {
			case work <- workItem{host: hosts[idx%size], port: job.Ports[idx/size]}:
			case <-r.ctx.Done():
				return
			}
		}
	}
}

// datagrams builds the datagrams of one probe of dst; anySource is set
// when one of them may be answered from another port.
func (r *run) datagrams(dst netip.AddrPort, rnd mrand.Source) (out [][]byte, anySource bool) {
	for _, pl := range r.reg.For(dst.Port()) {
		out = append(out, pl.Build(payloads.Request{Dst: dst, Rand: rnd}))
		anySource = anySource || pl.AnySourcePort
	}
	return out, anySource
}

// newRand returns a random source for one goroutine's payloads.
func newRand() mrand.Source {
	var seed [32]byte
	_, _ = rand.Read(seed[:]) // never fails (crypto/rand)
	return mrand.NewChaCha8(seed)
}

// emit sends an event; the consumer drains the channel until it is closed.
func (r *run) emit(ev scan.Event) { r.events <- ev }

// finish counts a finished port and emits it, with its service if one was
// identified. A silent port is held back when it may still be confirmed
// (unless this is the confirmation).
func (r *run) finish(h *hostState, res scan.PortResult, replies [][]byte, confirmed bool) {
	if res.Reason == scan.ReasonNoResponse && r.s.ConfirmClosed && !confirmed {
		r.silentMu.Lock()
		r.silent = append(r.silent, workItem{host: h, port: res.Port})
		r.silentMu.Unlock()
		return
	}
	r.prog.Done.Add(1)
	if res.State == scan.Open {
		r.prog.Open.Add(1)
	}
	r.emit(scan.Event{Kind: scan.PortEvent, Port: res})
	if res.State == scan.Open && r.s.ServiceDetection {
		r.emit(serviceEvent(res, identify(r.reg, res.Port, replies)))
	}
}

// flushSilent reports the silent ports still held back (open|filtered).
func (r *run) flushSilent() {
	r.silentMu.Lock()
	left := r.silent
	r.silent = nil
	r.silentMu.Unlock()
	if r.ctx.Err() != nil {
		return
	}
	for _, it := range left {
		r.prog.Done.Add(1)
		r.emit(scan.Event{Kind: scan.PortEvent, Port: silentResult(it.host.addr, it.port)})
	}
}

func silentResult(addr netip.Addr, port uint16) scan.PortResult {
	return scan.PortResult{Addr: addr, Protocol: scan.UDP, Port: port, State: scan.OpenFiltered, Reason: scan.ReasonNoResponse}
}

// ScanProgress returns the counters the scan updates (the CLI's stages
// find them through this method).
func (s *Scanner) ScanProgress() *scan.Progress { return s.Progress }

// String describes the scanner for result metadata.
func (s *Scanner) String() string {
	return fmt.Sprintf("udp (concurrency %d, rate %g/s)", s.Concurrency, s.Rate)
}
