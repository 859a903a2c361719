package syn

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"time"

	"github.com/portwatch/portwatch/internal/rawnet"
	"github.com/portwatch/portwatch/internal/scan"
	"github.com/portwatch/portwatch/internal/scan/discovery"
)

// groupTargets is a window of a target list.
type groupTargets struct {
	all     scan.Targets
	base, n uint64
}

// Len is the number of hosts in the group.
func (g groupTargets) Len() uint64 { return g.n }

// At is the group's i-th host.
func (g groupTargets) At(i uint64) netip.Addr { return g.all.At(g.base + i) }

// host is one host being swept.
type host struct {
	addr netip.Addr
	src  netip.Addr
	tpl  *rawnet.TCPTemplate
	rtt  *scan.RTTEstimator
}

// liveHosts decides which hosts of a group to sweep: those discovery finds
// up, or with SkipDiscovery every host that has a route. The others get
// their verdict and their ports are counted done.
func (r *run) liveHosts(ctx context.Context, g groupTargets, job scan.Job) []*host {
	var hosts []*host
	skip := func(v scan.HostVerdict) {
		r.emit(scan.Event{Kind: scan.HostEvent, Host: v})
		r.prog.Done.Add(uint64(len(job.Ports)))
	}
	add := func(a netip.Addr, rt rawnet.Route, rtt time.Duration) {
		h, err := r.newHost(a, rt, rtt)
		if err != nil {
			r.log.Warn("syn scan: cannot probe host", "addr", a, "err", err)
			skip(scan.HostVerdict{Addr: a, Status: scan.HostUnknown, Reason: scan.ReasonError})
			return
		}
		hosts = append(hosts, h)
	}
	if !job.SkipDiscovery {
		results, err := r.res.prober.Discover(ctx, g)
		if err != nil {
			r.log.Error("syn scan: host discovery failed", "err", err)
			return nil
		}
		for res := range results {
			if res.Status != scan.HostUp {
				skip(res.HostVerdict)
				continue
			}
			r.emit(scan.Event{Kind: scan.HostEvent, Host: res.HostVerdict})
			add(res.Addr, res.Route, res.RTT)
		}
		return hosts
	}
	for i := range g.Len() {
		a := g.At(i).Unmap()
		rt, err := r.res.router.Lookup(ctx, a)
		if ctx.Err() != nil {
			return nil
		}
		switch {
		case err != nil:
			skip(scan.HostVerdict{Addr: a, Status: scan.HostDown, Reason: routeReason(err)})
		case rt.Type == rawnet.RouteBroadcast || rt.Type == rawnet.RouteMulticast:
			skip(scan.HostVerdict{Addr: a, Status: scan.HostDown, Reason: discovery.ReasonBroadcast})
		default:
			add(a, rt, 0)
		}
	}
	return hosts
}

// routeReason is the reason a route lookup failure gives a host.
func routeReason(err error) scan.Reason {
	switch {
	case errors.Is(err, rawnet.ErrHostUnreachable):
		return scan.ReasonHostUnreachable
	case errors.Is(err, rawnet.ErrProhibited):
		return scan.ReasonAdminProhibited
	case errors.Is(err, rawnet.ErrNetUnreachable):
		return scan.ReasonNetUnreachable
	}
	return scan.ReasonError
}

func (r *run) newHost(a netip.Addr, rt rawnet.Route, rtt time.Duration) (*host, error) {
	if !r.res.send.primary().Supports(a) {
		return nil, fmt.Errorf("no raw socket for the address family of %s", a)
	}
	tpl, ok := r.templates[rt.Src]
	if !ok {
		var err error
		if tpl, err = rawnet.NewTCPTemplate(rt.Src, r.match.sport, rawnet.FlagSYN); err != nil {
			return nil, err
		}
		r.templates[rt.Src] = tpl
	}
	h := &host{addr: a, src: rt.Src, tpl: tpl, rtt: scan.NewRTTEstimator(r.timing, r.global)}
	if rtt > 0 {
		h.rtt.Observe(rtt)
	}
	return h, nil
}
