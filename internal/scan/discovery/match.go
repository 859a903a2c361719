package discovery

import (
	"net/netip"
	"time"

	"github.com/portwatch/portwatch/internal/rawnet"
	"github.com/portwatch/portwatch/internal/scan"
)

// reply is a checked answer about one host.
type reply struct {
	addr   netip.Addr
	up     bool
	link   bool // an ARP or neighbour answer (times the link, not the path)
	reason scan.Reason
	at     time.Duration
}

// matcher keeps only answers to this prober's probes: TCP and echo
// answers must carry the cookie, ICMP errors must quote a probe that does.
// ARP and neighbour answers carry no cookie; the engine only takes them for
// addresses it asked about.
type matcher struct {
	cookie rawnet.Cookie
	sport  uint16
}

// echoIDs derives an echo request's identifier and sequence number from the
// cookie, so an echo reply (which copies both) proves it answers us.
func (m matcher) echoIDs(local, remote netip.Addr) (id, seq uint16) {
	s := m.cookie.Sum(local, remote, 0, 0)
	return uint16(s >> 48), uint16(s >> 32)
}

func (m matcher) match(p *rawnet.Reply) (reply, bool) {
	switch p.Kind {
	case rawnet.ReplyARP:
		return reply{addr: p.From, up: true, link: true, reason: scan.ReasonARPResponse}, true
	case rawnet.ReplyNeighbor:
		return reply{addr: p.From, up: true, link: true, reason: ReasonNDResponse}, true
	case rawnet.ReplyEcho:
		if id, seq := m.echoIDs(p.To, p.From); p.EchoID != id || p.EchoSeq != seq {
			return reply{}, false
		}
		return reply{addr: p.From, up: true, reason: ReasonEchoReply}, true
	case rawnet.ReplyTCP:
		if p.DstPort != m.sport {
			return reply{}, false
		}
		// A SYN is answered with SYN-ACK or RST-ACK acknowledging our
		// sequence number; an ACK probe with a bare RST whose sequence
		// number is our acknowledgement number (RFC 9293 3.10.7.1).
		seq, reason := p.Ack-1, scan.ReasonSynAck
		switch {
		case p.Flags&rawnet.FlagRST != 0 && p.Flags&rawnet.FlagACK == 0:
			seq, reason = p.Seq, scan.ReasonRST
		case p.Flags&rawnet.FlagRST != 0:
			reason = scan.ReasonRST
		case p.Flags&(rawnet.FlagSYN|rawnet.FlagACK) != rawnet.FlagSYN|rawnet.FlagACK:
			return reply{}, false
		}
		if _, ok := m.cookie.Check(p.To, p.From, m.sport, p.SrcPort, seq); !ok {
			return reply{}, false
		}
		return reply{addr: p.From, up: true, reason: reason}, true
	case rawnet.ReplyICMPError:
		return m.matchICMP(p)
	}
	return reply{}, false
}

// matchICMP: an ICMP error quoting one of our probes. From the host itself
// it proves the host is up; from a router it says the host cannot be
// reached, and why.
func (m matcher) matchICMP(p *rawnet.Reply) (reply, bool) {
	q := &p.Quoted
	switch q.Proto {
	case rawnet.ProtoTCP:
		if q.SrcPort != m.sport {
			return reply{}, false
		}
		if _, ok := m.cookie.Check(q.Src, q.Dst, m.sport, q.DstPort, q.Seq); !ok {
			return reply{}, false
		}
	case rawnet.ProtoICMP, rawnet.ProtoICMPv6:
		if id, seq := m.echoIDs(q.Src, q.Dst); q.EchoID != id || q.EchoSeq != seq {
			return reply{}, false
		}
	default:
		return reply{}, false
	}
	reason, ok := icmpReason(q.Dst.Is6(), p.ICMPType, p.ICMPCode)
	if !ok {
		return reply{}, false
	}
	return reply{addr: q.Dst, up: p.From == q.Dst, reason: reason}, true
}

// icmpReason names a destination-unreachable code; time exceeded is no
// verdict (the probe died on the way).
func icmpReason(v6 bool, typ, code uint8) (scan.Reason, bool) {
	if !v6 {
		if typ != 3 {
			return "", false
		}
		switch code {
		case 0, 6, 11:
			return scan.ReasonNetUnreachable, true
		case 2:
			return scan.ReasonProtoUnreach, true
		case 3:
			return scan.ReasonPortUnreachable, true
		case 9, 10, 13:
			return scan.ReasonICMPProhibited, true
		}
		return scan.ReasonHostUnreachable, true
	}
	if typ != 1 {
		return "", false
	}
	switch code {
	case 0:
		return scan.ReasonNetUnreachable, true
	case 1, 5, 6:
		return scan.ReasonICMPProhibited, true
	case 4:
		return scan.ReasonPortUnreachable, true
	}
	return scan.ReasonHostUnreachable, true
}
