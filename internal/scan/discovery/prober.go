package discovery

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/portwatch/portwatch/internal/rawnet"
	"github.com/portwatch/portwatch/internal/scan"
)

// Prober owns the sockets discovery needs: a reserved TCP source port, a
// packet socket filtered to the answers of its probes (ARP, neighbour
// advertisements, echo replies, TCP to the reserved port, ICMP errors), and
// a router and raw sender unless shared. Its sockets belong to the network
// namespace it was opened in. One Discover runs at a time.
type Prober struct {
	opts      Options
	router    *rawnet.Router
	sender    *rawnet.Sender
	ownRouter bool
	ownSender bool
	port      *rawnet.PortReservation
	conn      *rawnet.PacketConn
	match     matcher
	replies   chan []reply
	free      chan []reply
	stop      chan struct{}
	recvDone  sync.WaitGroup
	busy      atomic.Bool
	closeOnce sync.Once
}

// Open opens the sockets and starts listening.
func Open(opts Options) (p *Prober, err error) {
	opts = opts.withDefaults()
	if err := opts.Timing.Validate(); err != nil {
		return nil, err
	}
	p = &Prober{opts: opts, router: opts.Router, sender: opts.Sender, stop: make(chan struct{})}
	defer func() {
		if err != nil {
			p.closeSockets()
		}
	}()
	if p.router == nil {
		if p.router, err = rawnet.OpenRouter(); err != nil {
			return nil, err
		}
		p.ownRouter = true
	}
	if p.sender == nil {
		if p.sender, err = rawnet.OpenSender(); err != nil {
			return nil, err
		}
		p.ownSender = true
	}
	if p.port, err = rawnet.ReservePort(0); err != nil {
		return nil, err
	}
	spec := rawnet.FilterSpec{TCPPort: p.port.Port, ICMPErrors: true, Echo: true, ARP: true, Neighbor: true}
	filter, err := spec.Assemble()
	if err != nil {
		return nil, err
	}
	if p.conn, err = rawnet.ListenPacket(filter); err != nil {
		return nil, err
	}
	cookie, err := rawnet.NewCookie()
	if err != nil {
		return nil, err
	}
	p.match = matcher{cookie: cookie, sport: p.port.Port}
	p.replies = make(chan []reply, replyBatches)
	p.free = make(chan []reply, replyBatches)
	for range replyBatches {
		p.free <- make([]reply, 0, rawnet.MaxBatch)
	}
	start := time.Now()
	p.recvDone.Add(1)
	go func() {
		defer p.recvDone.Done()
		// A failed socket read ends discovery's hearing; hosts then come
		// out down (no-response), which is what silence means anyway.
		_ = p.conn.Receive(p.stop, func(rs []rawnet.Reply, at time.Time) { p.deliver(rs, at.Sub(start)) })
	}()
	return p, nil
}

// replyBatches is how many batches of replies may wait for the engine.
const replyBatches = 64

// deliver matches decoded packets and queues the replies for the engine.
func (p *Prober) deliver(rs []rawnet.Reply, at time.Duration) {
	var batch []reply
	select {
	case batch = <-p.free:
	case <-p.stop:
		return
	}
	batch = batch[:0]
	for i := range rs {
		if r, ok := p.match.match(&rs[i]); ok {
			r.at = at
			batch = append(batch, r)
		}
	}
	if len(batch) == 0 {
		p.free <- batch
		return
	}
	select {
	case p.replies <- batch:
	case <-p.stop:
	}
}

// Discover probes targets and streams one Result per target, in the order
// the verdicts are reached; the channel is closed when every target has
// one or ctx ends.
func (p *Prober) Discover(ctx context.Context, targets scan.Targets) (<-chan Result, error) {
	if targets == nil || targets.Len() == 0 {
		return nil, errors.New("discovery: no targets")
	}
	if targets.Len() > 1<<31 {
		return nil, fmt.Errorf("discovery: %d targets at once is too many", targets.Len())
	}
	if !p.busy.CompareAndSwap(false, true) {
		return nil, errors.New("discovery: already running")
	}
	e := newEngine(p, targets)
	go func() {
		defer p.busy.Store(false)
		e.run(ctx)
	}()
	return e.out, nil
}

// Close stops listening and closes the sockets the prober opened.
func (p *Prober) Close() error {
	var err error
	p.closeOnce.Do(func() {
		close(p.stop)
		err = p.closeSockets()
		p.recvDone.Wait()
	})
	return err
}

func (p *Prober) closeSockets() error {
	var errs []error
	if p.conn != nil {
		errs = append(errs, p.conn.Close())
	}
	if p.port != nil {
		errs = append(errs, p.port.Close())
	}
	if p.ownSender && p.sender != nil {
		errs = append(errs, p.sender.Close())
	}
	if p.ownRouter && p.router != nil {
		errs = append(errs, p.router.Close())
	}
	return errors.Join(errs...)
}

// Discover opens a Prober, discovers targets and closes it when done: the
// one-shot form for callers that do not port-scan afterwards.
func Discover(ctx context.Context, targets scan.Targets, opts Options) (<-chan Result, error) {
	p, err := Open(opts)
	if err != nil {
		return nil, err
	}
	in, err := p.Discover(ctx, targets)
	if err != nil {
		p.Close()
		return nil, err
	}
	out := make(chan Result, 256)
	go func() {
		defer close(out)
		defer p.Close()
		for r := range in {
			out <- r
		}
	}()
	return out, nil
}
