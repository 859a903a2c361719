package scan

import (
	"context"
	"net/netip"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// Discovery bounds. Linux gives up on ARP/ND after about 3 s (three
// solicitations a second apart); a little more covers a loaded machine.
const (
	discoveryMaxWait   = 3500 * time.Millisecond
	discoveryPoll      = 50 * time.Millisecond
	discoveryFirstPoll = 50 * time.Millisecond // after the first SYNs went out, so stale table entries were refreshed
	discoveryMaxHosts  = 4096                  // hosts probed at once
)

// hostProbe is one host's discovery in progress.
type hostProbe struct {
	h        *hostState
	cancel   context.CancelFunc
	started  atomic.Int64 // unix nanos when its connects began; 0 = not yet
	resolved bool         // owned by the discover loop
}

// discover decides, before the sweep, which hosts of a group are there. It
// connects to the commonly open ports of each host (an answer proves the
// host and seeds its RTT estimate) while watching the kernel's neighbour
// table: a failed ARP/ND resolution means no host owns the address, and a
// resolved one means the host is there even if it drops every SYN. A host
// that is off-link and silent is swept anyway after the initial timeout.
// Absent hosts are marked down and skipped by the sweep.
func (r *run) discover(hosts []*hostState) {
	ports := livenessPorts(r.ports)
	probes := make([]*hostProbe, len(hosts))
	var wg sync.WaitGroup
	sem := make(chan struct{}, discoveryMaxHosts)
	for i, h := range hosts {
		ctx, cancel := context.WithCancel(r.ctx)
		p := &hostProbe{h: h, cancel: cancel}
		probes[i] = p
		wg.Add(1)
		go func() {
			defer wg.Done()
			select {
			case sem <- struct{}{}:
			case <-ctx.Done():
				return
			}
			defer func() { <-sem }()
			p.started.Store(r.now().UnixNano())
			r.livenessAll(ctx, p, ports)
		}()
	}
	r.watchDiscovery(probes)
	for _, p := range probes {
		p.cancel()
	}
	wg.Wait()
}

// watchDiscovery polls until every host is resolved or the scan ends.
func (r *run) watchDiscovery(probes []*hostProbe) {
	offLinkWait := min(2*r.s.Timing.Initial, discoveryMaxWait)
	left := len(probes)
	t := time.NewTicker(discoveryPoll)
	defer t.Stop()
	for left > 0 {
		select {
		case <-r.ctx.Done():
			return
		case <-t.C:
		}
		neigh, _ := r.neighbours() // without it, hosts resolve by timeout
		now := r.now()
		for _, p := range probes {
			if p.resolved {
				continue
			}
			if r.resolveProbe(p, neigh, now, offLinkWait) {
				p.resolved = true
				p.cancel()
				left--
			}
		}
	}
}

// resolveProbe reports whether a host's discovery is over, recording what
// it learnt.
func (r *run) resolveProbe(p *hostProbe, neigh map[netip.Addr]neighbourState, now time.Time, offLinkWait time.Duration) bool {
	h := p.h
	if h.answered.Load() || h.down.Load() {
		return true
	}
	started := p.started.Load()
	if started == 0 {
		return false
	}
	age := now.Sub(time.Unix(0, started))
	if age < discoveryFirstPoll {
		return false
	}
	switch neigh[h.addr] {
	case neighPresent:
		r.emit(Event{Kind: HostEvent, Host: HostVerdict{Addr: h.addr, Status: HostUp, Reason: ReasonARPResponse}})
		return true
	case neighAbsent:
		r.markDown(h, ReasonHostUnreachable)
		return true
	case neighPending:
		return age >= discoveryMaxWait
	}
	return age >= offLinkWait
}

// livenessAll connects to every liveness port of a host at once.
func (r *run) livenessAll(ctx context.Context, p *hostProbe, ports []uint16) {
	var wg sync.WaitGroup
	for _, port := range ports {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r.liveness(ctx, p, port)
		}()
	}
	wg.Wait()
}

func (r *run) liveness(ctx context.Context, p *hostProbe, port uint16) {
	h := p.h
	addr := netip.AddrPortFrom(h.addr, port).String()
	cctx, cancel := context.WithTimeout(ctx, discoveryMaxWait)
	defer cancel()
	start := r.now()
	conn, err := r.dial(cctx, "tcp", addr)
	elapsed := r.now().Sub(start)
	if err == nil {
		closeReset(conn)
	}
	if ctx.Err() != nil {
		return // resolved meanwhile, or the scan ended
	}
	state, reason, _ := classifyDialError(err)
	switch state {
	case Open, Closed:
		h.answered.Store(true)
		h.rtt.Observe(elapsed)
		p.cancel()
	case Filtered:
		r.noteUnreachable(h, reason, elapsed)
	}
}

// livenessPorts picks the liveness ports of a job: the commonly open ones
// it scans, or else its first port. An answer on any of them proves the
// host is there and seeds its round-trip estimate before the randomised
// sweep reaches them.
func livenessPorts(ports []uint16) []uint16 {
	var out []uint16
	for _, p := range []uint16{443, 80, 22, 3389, 445} {
		if slices.Contains(ports, p) {
			out = append(out, p)
		}
	}
	if len(out) == 0 {
		out = append(out, ports[0])
	}
	return out
}
