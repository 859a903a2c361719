package discovery

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"syscall"
	"time"

	"github.com/portwatch/portwatch/internal/rawnet"
	"github.com/portwatch/portwatch/internal/scan"
)

// nextHost takes the next new host, looks up its route and picks how to
// ask it; hosts that need no probe get their verdict here.
func (e *engine) nextHost(ctx context.Context) (int32, bool) {
	for !e.exhausted {
		i, ok := e.perm.Next()
		if !ok {
			e.exhausted = true
			break
		}
		h := int32(i)
		if e.prepare(ctx, h) {
			return h, true
		}
	}
	return 0, false
}

// prepare decides how to probe h; false when h got its verdict instead.
func (e *engine) prepare(ctx context.Context, h int32) bool {
	hs := &e.hosts[h]
	a := e.addr(h)
	rt, err := e.p.router.Lookup(ctx, a)
	if err != nil {
		e.verdict(ctx, h, scan.HostDown, routeReason(err), 0)
		return false
	}
	hs.route = rt
	switch {
	case rt.Type == rawnet.RouteLocal:
		e.verdict(ctx, h, scan.HostUp, ReasonLocalhost, 0)
		return false
	case rt.Type == rawnet.RouteBroadcast || rt.Type == rawnet.RouteMulticast:
		e.verdict(ctx, h, scan.HostDown, ReasonBroadcast, 0)
		return false
	case rt.OnLink() && rt.Link.Resolves() && a.Is4():
		hs.method = methodARP
	case rt.OnLink() && rt.Link.Resolves() && !a.IsLinkLocalUnicast():
		hs.method = methodND
	case e.p.sender.Supports(a):
		hs.method = methodIP
	default:
		e.verdict(ctx, h, scan.HostUnknown, scan.ReasonError, 0)
		return false
	}
	return true
}

// routeReason is the verdict reason of an unroutable address.
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

// transmit sends (ARP, ND) or queues (IP probes) one round of probes to h.
func (e *engine) transmit(ctx context.Context, h int32, now time.Duration) {
	hs := &e.hosts[h]
	a, rt := e.addr(h), hs.route
	var err error
	switch hs.method {
	case methodARP:
		var pkt []byte
		if pkt, err = rawnet.BuildARPRequest(rt.Link.HardwareAddr, rt.Src, a); err == nil {
			err = e.p.conn.WriteTo(rt.Link.Index, rawnet.EtherTypeARP, broadcastMAC, pkt)
		}
		e.pace.Take(1)
	case methodND:
		var pkt []byte
		var mac net.HardwareAddr
		if pkt, mac, err = rawnet.BuildNeighborSolicitation(rt.Link.HardwareAddr, rt.Src, a); err == nil {
			err = e.p.conn.WriteTo(rt.Link.Index, rawnet.EtherTypeIPv6, mac, pkt)
		}
		e.pace.Take(1)
	case methodIP:
		err = e.queueIP(h, a, rt.Src, int(hs.tries))
	}
	if err != nil && !transient(err) {
		e.verdict(ctx, h, scan.HostDown, sendReason(err), 0)
		return
	}
	// A transient failure counts as a try that went unanswered.
	hs.tries++
	hs.last = now
	c := hs.method.class()
	e.waiting[c][hs.tries-1].push(sent{host: h, at: now})
}

// queueIP adds echo, SYN and ACK probes for h to the batch.
func (e *engine) queueIP(h int32, a, src netip.Addr, try int) error {
	m := e.p.match
	id, seq := m.echoIDs(src, a)
	echo, err := rawnet.BuildEcho(src, a, id, seq)
	if err != nil {
		return err
	}
	e.add(h, a, echo)
	syn, err := e.template(e.synTpl, src, rawnet.FlagSYN)
	if err != nil {
		return err
	}
	ack, err := e.template(e.ackTpl, src, rawnet.FlagACK)
	if err != nil {
		return err
	}
	for _, port := range e.p.opts.SYNPorts {
		s := m.cookie.Seq(src, a, m.sport, port, try)
		e.add(h, a, syn.Fill(e.buf(), a, port, s, 0))
	}
	for _, port := range e.p.opts.ACKPorts {
		s := m.cookie.Seq(src, a, m.sport, port, try)
		e.add(h, a, ack.Fill(e.buf(), a, port, s, s))
	}
	return nil
}

func (e *engine) template(cache map[netip.Addr]*rawnet.TCPTemplate, src netip.Addr, f rawnet.TCPFlags) (*rawnet.TCPTemplate, error) {
	if t, ok := cache[src]; ok {
		return t, nil
	}
	t, err := rawnet.NewTCPTemplate(src, e.p.match.sport, f)
	if err != nil {
		return nil, err
	}
	cache[src] = t
	return t, nil
}

// buf returns the packet buffer for the next batch slot.
func (e *engine) buf() []byte {
	i := len(e.batch)
	for len(e.bufs) <= i {
		e.bufs = append(e.bufs, make([]byte, 128))
	}
	return e.bufs[i]
}

func (e *engine) add(h int32, a netip.Addr, pkt []byte) {
	e.batch = append(e.batch, rawnet.Packet{Dst: a, Data: pkt})
	e.owners = append(e.owners, h)
	e.pace.Take(1)
}

// flush sends the queued IP probes; a host whose probe the kernel refuses
// for good is down for that reason.
func (e *engine) flush(ctx context.Context) {
	for i := 0; i < len(e.batch); {
		n, err := e.p.sender.Send(e.batch[i:])
		i += n
		if err == nil {
			continue
		}
		if transient(err) {
			break // the try goes unanswered and is repeated
		}
		e.verdict(ctx, e.owners[i], scan.HostDown, sendReason(err), 0)
		i++
	}
	e.batch, e.owners = e.batch[:0], e.owners[:0]
}

func transient(err error) bool {
	return errors.Is(err, syscall.ENOBUFS) || errors.Is(err, syscall.ENOMEM) ||
		errors.Is(err, syscall.EAGAIN) || errors.Is(err, syscall.EINTR)
}

func sendReason(err error) scan.Reason {
	switch {
	case errors.Is(err, syscall.ENETUNREACH), errors.Is(err, syscall.EINVAL):
		return scan.ReasonNetUnreachable
	case errors.Is(err, syscall.EHOSTUNREACH), errors.Is(err, syscall.EHOSTDOWN):
		return scan.ReasonHostUnreachable
	case errors.Is(err, syscall.EACCES), errors.Is(err, syscall.EPERM):
		return scan.ReasonAdminProhibited
	}
	return scan.ReasonError
}
