package syn

import (
	"net/netip"
	"time"

	"github.com/portwatch/portwatch/internal/rawnet"
	"github.com/portwatch/portwatch/internal/scan"
)

// reply is a checked answer to one transmission of one probe.
type reply struct {
	addr netip.Addr
	port uint16
	try  uint8
	// answer is set for TCP answers from the host itself, which prove it
	// is there and time its round trip.
	answer bool
	state  scan.PortState
	reason scan.Reason
	at     time.Duration // since the scan started
}

// matcher turns decoded packets into replies, keeping only those that carry
// this scan's cookie: a SYN-ACK or RST must acknowledge a sequence number we
// sent to that address and port, and an ICMP error must quote one.
type matcher struct {
	cookie rawnet.Cookie
	sport  uint16
}

func (m matcher) match(p *rawnet.Reply, at time.Duration) (reply, bool) {
	switch p.Kind {
	case rawnet.ReplyTCP:
		if p.DstPort != m.sport || p.Flags&rawnet.FlagACK == 0 {
			// Without an acknowledgement (a bare RST) there is no
			// cookie to check, so nothing proves the packet answers us.
			return reply{}, false
		}
		state, reason, ok := classifyTCP(p.Flags)
		if !ok {
			return reply{}, false
		}
		try, ok := m.cookie.Check(p.To, p.From, m.sport, p.SrcPort, p.Ack-1)
		if !ok {
			return reply{}, false // a decoy, or an answer to someone else
		}
		return reply{addr: p.From, port: p.SrcPort, try: uint8(try), answer: true, state: state, reason: reason, at: at}, true
	case rawnet.ReplyICMPError:
		q := &p.Quoted
		if q.Proto != rawnet.ProtoTCP || q.SrcPort != m.sport {
			return reply{}, false
		}
		state, reason, ok := classifyICMP(q.Dst.Is6(), p.ICMPType, p.ICMPCode)
		if !ok {
			return reply{}, false
		}
		try, ok := m.cookie.Check(q.Src, q.Dst, m.sport, q.DstPort, q.Seq)
		if !ok {
			return reply{}, false
		}
		return reply{addr: q.Dst, port: q.DstPort, try: uint8(try), state: state, reason: reason, at: at}, true
	}
	return reply{}, false
}

// replyBatches is how many batches of replies may be in flight between
// the receiver and the send loop.
const replyBatches = 64

// receiver checks what the packet socket hears and hands batches of
// replies to the send loop. It runs in its own goroutine (PacketConn.Receive)
// so that reading, decoding and hashing overlap with sending.
type receiver struct {
	match matcher
	start time.Time
	out   chan []reply
	free  chan []reply
	stop  <-chan struct{}
}

func newReceiver(m matcher, start time.Time, stop <-chan struct{}) *receiver {
	rc := &receiver{match: m, start: start, out: make(chan []reply, replyBatches),
		free: make(chan []reply, replyBatches), stop: stop}
	for range replyBatches {
		rc.free <- make([]reply, 0, rawnet.MaxBatch)
	}
	return rc
}

// handle is the PacketConn.Receive callback.
func (rc *receiver) handle(pkts []rawnet.Reply, at time.Time) {
	var batch []reply
	select {
	case batch = <-rc.free:
	case <-rc.stop:
		return
	}
	batch = batch[:0]
	since := at.Sub(rc.start)
	for i := range pkts {
		if r, ok := rc.match.match(&pkts[i], since); ok {
			batch = append(batch, r)
		}
	}
	if len(batch) == 0 {
		rc.free <- batch
		return
	}
	select {
	case rc.out <- batch:
	case <-rc.stop:
	}
}
