package syn

import (
	"net/netip"
	"testing"

	"github.com/portwatch/portwatch/internal/rawnet"
	"github.com/portwatch/portwatch/internal/scan"
)

var (
	us, them = netip.MustParseAddr("198.18.0.2"), netip.MustParseAddr("198.18.0.11")
	router   = netip.MustParseAddr("198.18.0.1")
)

const sport = 40321

func testMatcher() matcher {
	return matcher{cookie: rawnet.CookieFromKey([16]byte{9, 8, 7}), sport: sport}
}

func TestMatchAnswers(t *testing.T) {
	m := testMatcher()
	seq := m.cookie.Seq(us, them, sport, 22, 1)
	synAck := rawnet.Reply{Kind: rawnet.ReplyTCP, From: them, To: us, SrcPort: 22, DstPort: sport,
		Ack: seq + 1, Flags: rawnet.FlagSYN | rawnet.FlagACK}
	r, ok := m.match(&synAck, 5)
	if !ok || r.addr != them || r.port != 22 || r.try != 1 || r.state != scan.Open || r.reason != scan.ReasonSynAck || !r.answer || r.at != 5 {
		t.Fatalf("syn-ack: %+v %v", r, ok)
	}
	rst := synAck
	rst.Flags = rawnet.FlagRST | rawnet.FlagACK
	if r, ok := m.match(&rst, 0); !ok || r.state != scan.Closed || r.reason != scan.ReasonRST {
		t.Fatalf("rst: %+v %v", r, ok)
	}
	seq = m.cookie.Seq(us, them, sport, 8081, 0)
	icmp := rawnet.Reply{Kind: rawnet.ReplyICMPError, From: router, To: us, ICMPType: 3, ICMPCode: 3,
		Quoted: rawnet.Quoted{Proto: rawnet.ProtoTCP, Src: us, Dst: them, SrcPort: sport, DstPort: 8081, Seq: seq}}
	r, ok = m.match(&icmp, 0)
	if !ok || r.addr != them || r.port != 8081 || r.state != scan.Filtered || r.reason != scan.ReasonPortUnreachable || r.answer {
		t.Fatalf("icmp: %+v %v", r, ok)
	}
}

// TestMatchRejectsDecoys: packets that do not carry this scan's cookie for
// exactly that address and port are dropped, whatever they claim.
func TestMatchRejectsDecoys(t *testing.T) {
	m := testMatcher()
	good := m.cookie.Seq(us, them, sport, 22, 0)
	base := rawnet.Reply{Kind: rawnet.ReplyTCP, From: them, To: us, SrcPort: 22, DstPort: sport,
		Ack: good + 1, Flags: rawnet.FlagSYN | rawnet.FlagACK}
	decoys := map[string]func(r *rawnet.Reply){
		"wrong ack":         func(r *rawnet.Reply) { r.Ack += 0x100 },
		"zero ack":          func(r *rawnet.Reply) { r.Ack = 0 },
		"other source port": func(r *rawnet.Reply) { r.SrcPort = 23 },
		"other sender":      func(r *rawnet.Reply) { r.From = netip.MustParseAddr("198.18.0.12") },
		"to another port":   func(r *rawnet.Reply) { r.DstPort = sport + 1 },
		"bare syn":          func(r *rawnet.Reply) { r.Flags = rawnet.FlagSYN },
		"bare rst":          func(r *rawnet.Reply) { r.Flags = rawnet.FlagRST },
		"ack only":          func(r *rawnet.Reply) { r.Flags = rawnet.FlagACK },
	}
	for name, mutate := range decoys {
		r := base
		mutate(&r)
		if got, ok := m.match(&r, 0); ok {
			t.Errorf("%s accepted as %+v", name, got)
		}
	}
	icmp := rawnet.Reply{Kind: rawnet.ReplyICMPError, ICMPType: 3, ICMPCode: 3,
		Quoted: rawnet.Quoted{Proto: rawnet.ProtoTCP, Src: us, Dst: them, SrcPort: sport, DstPort: 22, Seq: good ^ 0x10000}}
	if _, ok := m.match(&icmp, 0); ok {
		t.Error("icmp quoting a forged sequence number accepted")
	}
	icmp.Quoted.Seq, icmp.ICMPType = good, 11
	if _, ok := m.match(&icmp, 0); ok {
		t.Error("time exceeded taken as an answer")
	}
	if _, ok := m.match(&rawnet.Reply{Kind: rawnet.ReplyEcho, From: them}, 0); ok {
		t.Error("echo reply taken as a port answer")
	}
}

func TestClassifyICMP(t *testing.T) {
	for _, tc := range []struct {
		v6        bool
		typ, code uint8
		reason    scan.Reason
	}{
		{false, 3, 0, scan.ReasonNetUnreachable},
		{false, 3, 1, scan.ReasonHostUnreachable},
		{false, 3, 2, scan.ReasonProtoUnreach},
		{false, 3, 3, scan.ReasonPortUnreachable},
		{false, 3, 9, scan.ReasonICMPProhibited},
		{false, 3, 10, scan.ReasonICMPProhibited},
		{false, 3, 13, scan.ReasonICMPProhibited},
		{true, 1, 0, scan.ReasonNetUnreachable},
		{true, 1, 1, scan.ReasonICMPProhibited},
		{true, 1, 3, scan.ReasonHostUnreachable},
		{true, 1, 4, scan.ReasonPortUnreachable},
		{true, 1, 6, scan.ReasonICMPProhibited},
	} {
		state, reason, ok := classifyICMP(tc.v6, tc.typ, tc.code)
		if !ok || state != scan.Filtered || reason != tc.reason {
			t.Errorf("v6=%v %d/%d: %s %s %v, want filtered %s", tc.v6, tc.typ, tc.code, state, reason, ok, tc.reason)
		}
	}
	for _, tc := range []struct {
		v6        bool
		typ, code uint8
	}{{false, 11, 0}, {false, 0, 0}, {true, 3, 0}, {true, 129, 0}} {
		if _, _, ok := classifyICMP(tc.v6, tc.typ, tc.code); ok {
			t.Errorf("v6=%v %d/%d classified", tc.v6, tc.typ, tc.code)
		}
	}
}
