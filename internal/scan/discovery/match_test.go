package discovery

import (
	"net/netip"
	"testing"
	"time"

	"github.com/portwatch/portwatch/internal/rawnet"
	"github.com/portwatch/portwatch/internal/scan"
)

var (
	us, them = netip.MustParseAddr("2001:2::2"), netip.MustParseAddr("2001:2::11")
	router   = netip.MustParseAddr("2001:2::1")
)

const sport = 41000

func testMatcher() matcher {
	return matcher{cookie: rawnet.CookieFromKey([16]byte{1, 2, 3}), sport: sport}
}

func TestMatchProbes(t *testing.T) {
	m := testMatcher()
	id, seq := m.echoIDs(us, them)
	synSeq := m.cookie.Seq(us, them, sport, 443, 0)
	ackSeq := m.cookie.Seq(us, them, sport, 80, 1)
	for name, tc := range map[string]struct {
		in     rawnet.Reply
		up     bool
		reason scan.Reason
	}{
		"echo reply": {rawnet.Reply{Kind: rawnet.ReplyEcho, From: them, To: us, EchoID: id, EchoSeq: seq}, true, ReasonEchoReply},
		"syn-ack": {rawnet.Reply{Kind: rawnet.ReplyTCP, From: them, To: us, SrcPort: 443, DstPort: sport,
			Ack: synSeq + 1, Flags: rawnet.FlagSYN | rawnet.FlagACK}, true, scan.ReasonSynAck},
		"rst to syn": {rawnet.Reply{Kind: rawnet.ReplyTCP, From: them, To: us, SrcPort: 443, DstPort: sport,
			Ack: synSeq + 1, Flags: rawnet.FlagRST | rawnet.FlagACK}, true, scan.ReasonRST},
		"rst to ack": {rawnet.Reply{Kind: rawnet.ReplyTCP, From: them, To: us, SrcPort: 80, DstPort: sport,
			Seq: ackSeq, Flags: rawnet.FlagRST}, true, scan.ReasonRST},
		"arp": {rawnet.Reply{Kind: rawnet.ReplyARP, From: them}, true, scan.ReasonARPResponse},
		"na":  {rawnet.Reply{Kind: rawnet.ReplyNeighbor, From: them}, true, ReasonNDResponse},
		"port unreachable from the host": {rawnet.Reply{Kind: rawnet.ReplyICMPError, From: them, ICMPType: 1, ICMPCode: 4,
			Quoted: rawnet.Quoted{Proto: rawnet.ProtoTCP, Src: us, Dst: them, SrcPort: sport, DstPort: 443, Seq: synSeq}}, true, scan.ReasonPortUnreachable},
		"unreachable from a router": {rawnet.Reply{Kind: rawnet.ReplyICMPError, From: router, ICMPType: 1, ICMPCode: 3,
			Quoted: rawnet.Quoted{Proto: rawnet.ProtoICMPv6, Src: us, Dst: them, EchoID: id, EchoSeq: seq}}, false, scan.ReasonHostUnreachable},
	} {
		r, ok := m.match(&tc.in)
		if !ok || r.addr != them || r.up != tc.up || r.reason != tc.reason {
			t.Errorf("%s: %+v %v", name, r, ok)
		}
	}
}

func TestMatchRejectsForgeries(t *testing.T) {
	m := testMatcher()
	id, seq := m.echoIDs(us, them)
	for name, in := range map[string]rawnet.Reply{
		"echo with other ids": {Kind: rawnet.ReplyEcho, From: them, To: us, EchoID: id + 1, EchoSeq: seq},
		"echo from elsewhere": {Kind: rawnet.ReplyEcho, From: router, To: us, EchoID: id, EchoSeq: seq},
		"syn-ack, bad ack": {Kind: rawnet.ReplyTCP, From: them, To: us, SrcPort: 443, DstPort: sport,
			Ack: 12345, Flags: rawnet.FlagSYN | rawnet.FlagACK},
		"other port": {Kind: rawnet.ReplyTCP, From: them, To: us, SrcPort: 443, DstPort: sport + 1,
			Ack: m.cookie.Seq(us, them, sport+1, 443, 0) + 1, Flags: rawnet.FlagSYN | rawnet.FlagACK},
		"icmp quoting a stranger": {Kind: rawnet.ReplyICMPError, From: router, ICMPType: 1, ICMPCode: 3,
			Quoted: rawnet.Quoted{Proto: rawnet.ProtoTCP, Src: us, Dst: them, SrcPort: sport, DstPort: 443, Seq: 1}},
		"time exceeded": {Kind: rawnet.ReplyICMPError, From: router, ICMPType: 3,
			Quoted: rawnet.Quoted{Proto: rawnet.ProtoICMPv6, Src: us, Dst: them, EchoID: id, EchoSeq: seq}},
	} {
		if r, ok := m.match(&in); ok {
			t.Errorf("%s accepted: %+v", name, r)
		}
	}
}

func TestEstimatorWait(t *testing.T) {
	var e estimator
	if w := e.wait(time.Second, time.Millisecond, 2*time.Second); w != time.Second {
		t.Fatalf("initial %v", w)
	}
	for range 20 {
		e.observe(100 * time.Microsecond)
	}
	if w := e.wait(time.Second, 50*time.Millisecond, 2*time.Second); w != 50*time.Millisecond {
		t.Fatalf("floor %v", w)
	}
	e.observe(time.Second)
	if w := e.wait(time.Second, 50*time.Millisecond, 500*time.Millisecond); w != 500*time.Millisecond {
		t.Fatalf("ceiling %v", w)
	}
}

func TestFIFO(t *testing.T) {
	var q fifo[int]
	for i := range 5000 {
		q.push(i)
	}
	for i := range 5000 {
		if x, ok := q.pop(); !ok || x != i {
			t.Fatalf("pop %d: %d", i, x)
		}
		if i == 2500 {
			q.push(-1)
		}
	}
	if x, _ := q.pop(); x != -1 || q.len() != 0 {
		t.Fatalf("tail %d len %d", x, q.len())
	}
}

func TestOptionsDefaults(t *testing.T) {
	o := Options{}.withDefaults()
	if o.Rate != DefaultRate || o.Timing != scan.DefaultTiming() || len(o.SYNPorts) != 2 || o.ACKPorts[0] != 80 {
		t.Fatalf("%+v", o)
	}
}
