package syn

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/netip"
	"sync"
	"time"

	"github.com/portwatch/portwatch/internal/rawnet"
	"github.com/portwatch/portwatch/internal/scan"
)

// DefaultRate is the packet rate (probes and retransmissions a second)
// when Scanner.Rate is 0. It is what lets a full-range scan of a host that
// drops everything (two packets per port) finish in under two seconds;
// the congestion window slows down further whenever answers show loss.
const DefaultRate = 100_000

// hostGroupSize bounds how many hosts are scanned at once (their state is
// kept in memory); larger target sets are scanned group after group.
const hostGroupSize = 1 << 16

// Scanner is the SYN scanner. It needs root or CAP_NET_RAW (see
// rawnet.CanRaw). The zero value scans with scan.DefaultTiming at
// DefaultRate.
type Scanner struct {
	// Timing bounds the adaptive per-probe timeout and sets the retries.
	Timing scan.Timing
	// Rate is the packet rate, retransmissions and discovery included:
	// 0 means DefaultRate, negative means no limit but the window.
	Rate float64
	// Progress, if set, is updated as the scan goes.
	Progress *scan.Progress
	// SourcePort fixes the probes' source port (nmap -g); 0 picks a free
	// one. Either way the port is reserved for the scan.
	SourcePort uint16
	// Logger receives failures that end a scan early; nil means
	// slog.Default().
	Logger *slog.Logger
}

var _ scan.Scanner = (*Scanner)(nil)

// String describes the scanner for result metadata.
func (s *Scanner) String() string {
	return fmt.Sprintf("syn (rate %g/s)", s.rate())
}

func (s *Scanner) rate() float64 {
	if s.Rate == 0 {
		return DefaultRate
	}
	return s.Rate
}

func (s *Scanner) timing() scan.Timing {
	if s.Timing == (scan.Timing{}) {
		return scan.DefaultTiming()
	}
	return s.Timing
}

// Scan opens the raw sockets (in the calling thread's network namespace),
// then discovers the hosts unless job.SkipDiscovery, and probes every port
// of every live host in a random order, streaming host verdicts and port
// results. The channel is closed when the scan is over or ctx ends; probes
// cut short by cancellation are dropped rather than reported. The error is
// about setting up (no privileges, no targets), never about a target.
func (s *Scanner) Scan(ctx context.Context, job scan.Job) (<-chan scan.Event, error) {
	t := s.timing()
	if err := t.Validate(); err != nil {
		return nil, err
	}
	if job.Targets == nil || job.Targets.Len() == 0 {
		return nil, errors.New("no targets to scan")
	}
	if len(job.Ports) == 0 {
		return nil, errors.New("no ports to scan")
	}
	res, err := openResources(s.SourcePort, !job.SkipDiscovery, t, s.rate())
	if err != nil {
		return nil, err
	}
	cookie, err := rawnet.NewCookie()
	if err != nil {
		res.close()
		return nil, err
	}
	r := &run{
		timing:    t,
		maxTries:  min(t.Retries+1, rawnet.MaxTries),
		res:       res,
		match:     matcher{cookie: cookie, sport: res.port.Port},
		start:     time.Now(),
		events:    make(chan scan.Event, 4096),
		prog:      s.Progress,
		cc:        newCongestion(s.rate()),
		templates: map[netip.Addr]*rawnet.TCPTemplate{},
		log:       s.Logger,
	}
	r.global = scan.NewRTTEstimator(t, nil)
	if r.prog == nil {
		r.prog = &scan.Progress{}
	}
	if r.log == nil {
		r.log = slog.Default()
	}
	r.prog.Total.Store(job.Targets.Len() * uint64(len(job.Ports)))
	go r.execute(ctx, job)
	return r.events, nil
}

// run is one scan's state, owned by its goroutine (execute) apart from the
// receiver's channels.
type run struct {
	timing    scan.Timing
	maxTries  int
	res       *resources
	match     matcher
	start     time.Time
	events    chan scan.Event
	prog      *scan.Progress
	global    *scan.RTTEstimator
	cc        *congestion
	recv      *receiver
	templates map[netip.Addr]*rawnet.TCPTemplate
	log       *slog.Logger
}

// now is the time since the scan started.
func (r *run) now() time.Duration { return time.Since(r.start) }

// execute runs the scan group by group and cleans up.
func (r *run) execute(ctx context.Context, job scan.Job) {
	ctx, cancel := context.WithCancel(ctx)
	stop := make(chan struct{})
	r.recv = newReceiver(r.match, r.start, stop)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		if err := r.res.conn.Receive(stop, r.recv.handle); err != nil {
			r.log.Error("syn scan: receiving replies failed; scan stopped", "err", err)
			cancel()
		}
	}()
	defer func() {
		cancel()
		close(stop)
		r.res.close()
		wg.Wait()
		close(r.events)
	}()
	n := job.Targets.Len()
	for base := uint64(0); base < n && ctx.Err() == nil; base += hostGroupSize {
		g := groupTargets{all: job.Targets, base: base, n: min(hostGroupSize, n-base)}
		hosts := r.liveHosts(ctx, g, job)
		if ctx.Err() != nil {
			return
		}
		if len(hosts) > 0 {
			r.sweep(ctx, hosts, job.Ports, job.Seed+base)
		}
	}
}

func (r *run) emit(ev scan.Event) {
	// The consumer drains until close; a blocked send only waits for it.
	r.events <- ev
}

// ScanProgress returns the counters the scanner updates.
func (s *Scanner) ScanProgress() *scan.Progress { return s.Progress }
