package engine

import (
	"context"
	"net/netip"

	"github.com/portwatch/portwatch/internal/scan"
)

// Stream passes every event of a scan to emit and, when e is not nil,
// hands every open TCP port to e as soon as it is found, emitting what it
// identifies as ServiceEvents while the sweep goes on. names supplies the
// hostname a user gave for an address (SNI, Host); it may be nil. Stream
// returns when the events are drained and every identification is done
// (or ctx ends). emit runs on Stream's goroutine only.
func (e *Engine) Stream(ctx context.Context, events <-chan scan.Event, names func(netip.Addr) []string, emit func(scan.Event)) {
	if e == nil {
		for ev := range events {
			emit(ev)
		}
		return
	}
	in := make(chan Target)
	results := e.IdentifyAll(ctx, in)
	var queue []Target // unbounded: neither side may block the other
	evs := events
	for evs != nil || results != nil {
		var send chan<- Target
		var next Target
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
			emit(ev)
			if p := ev.Port; ev.Kind == scan.PortEvent && p.State == scan.Open && p.Protocol == scan.TCP {
				queue = append(queue, Target{Addr: netip.AddrPortFrom(p.Addr, p.Port), ServerName: firstName(names, p.Addr), RTT: p.RTT})
			}
		case send <- next:
			queue = queue[1:]
		case r, ok := <-results:
			if !ok {
				results = nil
				continue
			}
			svc := r.Service
			emit(scan.Event{Kind: scan.ServiceEvent, Port: scan.PortResult{
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
