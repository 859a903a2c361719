package cli

import (
	"context"
	"net/netip"

	"github.com/portwatch/portwatch/internal/fingerprint/engine"
	"github.com/portwatch/portwatch/internal/scan"
)

// collect drains the scan's events into col. With an identification engine,
// every open TCP port is handed to it as soon as it is found, and the
// services it identifies are added as they come; identification runs while
// the sweep goes on. names supplies the hostname the user gave (SNI, Host).
func collect(ctx context.Context, events <-chan scan.Event, col *scan.Collector, eng *engine.Engine, names func(netip.Addr) []string) {
	if eng == nil {
		for ev := range events {
			col.Add(ev)
		}
		return
	}
	in := make(chan engine.Target)
	results := eng.IdentifyAll(ctx, in)
	var queue []engine.Target // unbounded: neither side may block the other
	evs := events
	for evs != nil || results != nil {
		var send chan<- engine.Target
		var next engine.Target
		if len(queue) > 0 {
			send, next = in, queue[0]
		} else if evs == nil && in != nil {
			close(in)
			in = nil
		}
		select {
		case ev, ok := <-evs:
			if !ok {
				evs = nil
				continue
			}
			col.Add(ev)
			if p := ev.Port; ev.Kind == scan.PortEvent && p.State == scan.Open && p.Protocol == scan.TCP {
				queue = append(queue, engine.Target{Addr: netip.AddrPortFrom(p.Addr, p.Port), ServerName: firstName(names, p.Addr), RTT: p.RTT})
			}
		case send <- next:
			queue = queue[1:]
		case r, ok := <-results:
			if !ok {
				results = nil
				continue
			}
			svc := r.Service
			col.Add(scan.Event{Kind: scan.ServiceEvent, Port: scan.PortResult{
				Addr: r.Target.Addr.Addr(), Protocol: scan.TCP, Port: r.Target.Addr.Port(), Service: &svc}})
		}
	}
}

func firstName(names func(netip.Addr) []string, a netip.Addr) string {
	if names == nil {
		return ""
	}
	if n := names(a); len(n) > 0 {
		return n[0]
	}
	return ""
}
