package rawnet

import (
	"net"
	"net/netip"
	"testing"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
)

// Test addresses: us and a target, per family.
var (
	us4, them4 = netip.MustParseAddr("198.18.0.2"), netip.MustParseAddr("198.18.0.11")
	us6, them6 = netip.MustParseAddr("2001:2::2"), netip.MustParseAddr("2001:2::11")
	router4    = netip.MustParseAddr("198.18.0.1")
)

const testPort = 40123

func mustSerialize(t *testing.T, ls ...gopacket.SerializableLayer) []byte {
	t.Helper()
	buf := gopacket.NewSerializeBuffer()
	if err := gopacket.SerializeLayers(buf, serializeOpts, ls...); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// tcpReply is a segment from them:port to us:testPort.
func tcpReply(t *testing.T, from, to netip.Addr, port uint16, seq, ack uint32, syn, rst bool) []byte {
	t.Helper()
	ip, nl, err := ipLayer(from, to, layers.IPProtocolTCP)
	if err != nil {
		t.Fatal(err)
	}
	tcp := &layers.TCP{SrcPort: layers.TCPPort(port), DstPort: testPort, Seq: seq, Ack: ack, SYN: syn, RST: rst, ACK: true, Window: 100}
	_ = tcp.SetNetworkLayerForChecksum(nl)
	return mustSerialize(t, ip, tcp)
}

// icmpError is an ICMP(v6) error from `from` quoting probe.
func icmpError(t *testing.T, from netip.Addr, typ, code uint8, probe []byte) []byte {
	t.Helper()
	if from.Is4() {
		ip, _, _ := ipLayer(from, us4, layers.IPProtocolICMPv4)
		return mustSerialize(t, ip, &layers.ICMPv4{TypeCode: layers.CreateICMPv4TypeCode(typ, code)}, gopacket.Payload(probe))
	}
	ip, nl, _ := ipLayer(from, us6, layers.IPProtocolICMPv6)
	icmp := &layers.ICMPv6{TypeCode: layers.CreateICMPv6TypeCode(typ, code)}
	_ = icmp.SetNetworkLayerForChecksum(nl)
	return mustSerialize(t, ip, icmp, gopacket.Payload(append([]byte{0, 0, 0, 0}, probe...)))
}

func echoReply(t *testing.T, from, to netip.Addr, id, seq uint16) []byte {
	t.Helper()
	if from.Is4() {
		ip, _, _ := ipLayer(from, to, layers.IPProtocolICMPv4)
		return mustSerialize(t, ip, &layers.ICMPv4{TypeCode: layers.CreateICMPv4TypeCode(layers.ICMPv4TypeEchoReply, 0), Id: id, Seq: seq})
	}
	ip, nl, _ := ipLayer(from, to, layers.IPProtocolICMPv6)
	icmp := &layers.ICMPv6{TypeCode: layers.CreateICMPv6TypeCode(layers.ICMPv6TypeEchoReply, 0)}
	_ = icmp.SetNetworkLayerForChecksum(nl)
	return mustSerialize(t, ip, icmp, &layers.ICMPv6Echo{Identifier: id, SeqNumber: seq})
}

var theirMAC = net.HardwareAddr{0x36, 0x57, 0x59, 0x37, 0x15, 0xa3}

func arpReply(t *testing.T) []byte {
	t.Helper()
	arp := &layers.ARP{AddrType: layers.LinkTypeEthernet, Protocol: layers.EthernetTypeIPv4,
		HwAddressSize: 6, ProtAddressSize: 4, Operation: layers.ARPReply,
		SourceHwAddress: theirMAC, SourceProtAddress: them4.AsSlice(),
		DstHwAddress: net.HardwareAddr{2, 0, 0, 0, 0, 1}, DstProtAddress: us4.AsSlice()}
	return mustSerialize(t, arp)
}

func neighborAdvert(t *testing.T) []byte {
	t.Helper()
	ip, nl, _ := ipLayer(them6, us6, layers.IPProtocolICMPv6)
	icmp := &layers.ICMPv6{TypeCode: layers.CreateICMPv6TypeCode(layers.ICMPv6TypeNeighborAdvertisement, 0)}
	_ = icmp.SetNetworkLayerForChecksum(nl)
	na := &layers.ICMPv6NeighborAdvertisement{Flags: 0x60, TargetAddress: them6.AsSlice(),
		Options: layers.ICMPv6Options{{Type: layers.ICMPv6OptTargetAddress, Data: theirMAC}}}
	return mustSerialize(t, ip, icmp, na)
}

func mustProbe(t *testing.T, src, dst netip.Addr, port uint16, seq uint32) []byte {
	t.Helper()
	b, err := BuildTCP(TCPProbe{Src: src, Dst: dst, SrcPort: testPort, DstPort: port, Seq: seq, Flags: FlagSYN})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestDecodeReplies(t *testing.T) {
	var d Decoder
	var r Reply

	// SYN-ACK over IPv4 and RST over IPv6.
	if err := d.Decode(EtherTypeIPv4, tcpReply(t, them4, us4, 22, 5, 1001, true, false), &r); err != nil {
		t.Fatal(err)
	}
	if r.Kind != ReplyTCP || r.From != them4 || r.To != us4 || r.SrcPort != 22 || r.DstPort != testPort ||
		r.Ack != 1001 || r.Flags != FlagSYN|FlagACK {
		t.Fatalf("syn-ack: %+v", r)
	}
	if err := d.Decode(0, tcpReply(t, them6, us6, 23, 0, 2001, false, true), &r); err != nil {
		t.Fatal(err)
	}
	if r.Kind != ReplyTCP || r.From != them6 || r.Flags != FlagRST|FlagACK || r.Ack != 2001 {
		t.Fatalf("rst: %+v", r)
	}

	// ICMP errors quoting a probe: the quoted tuple and sequence number.
	probe4 := mustProbe(t, us4, them4, 8081, 0xabcdef01)
	if err := d.Decode(EtherTypeIPv4, icmpError(t, router4, 3, 13, probe4), &r); err != nil {
		t.Fatal(err)
	}
	q := r.Quoted
	if r.Kind != ReplyICMPError || r.From != router4 || r.ICMPType != 3 || r.ICMPCode != 13 ||
		q.Proto != ProtoTCP || q.Src != us4 || q.Dst != them4 || q.SrcPort != testPort || q.DstPort != 8081 || q.Seq != 0xabcdef01 {
		t.Fatalf("icmp error: %+v", r)
	}
	// Only the first 8 bytes of TCP quoted (RFC 792's minimum).
	if err := d.Decode(EtherTypeIPv4, icmpError(t, them4, 3, 3, probe4[:28]), &r); err != nil || r.Quoted.Seq != 0xabcdef01 {
		t.Fatalf("short quote: %v %+v", err, r)
	}
	probe6 := mustProbe(t, us6, them6, 5432, 0x01020304)
	if err := d.Decode(EtherTypeIPv6, icmpError(t, them6, 1, 1, probe6), &r); err != nil {
		t.Fatal(err)
	}
	if r.Kind != ReplyICMPError || r.ICMPType != 1 || r.ICMPCode != 1 || r.Quoted.DstPort != 5432 || r.Quoted.Seq != 0x01020304 || r.Quoted.Dst != them6 {
		t.Fatalf("icmpv6 error: %+v", r)
	}
	// An error quoting an echo request carries its identifier and sequence.
	echo, _ := BuildEcho(us4, them4, 0x1111, 0x2222)
	if err := d.Decode(EtherTypeIPv4, icmpError(t, router4, 3, 1, echo), &r); err != nil {
		t.Fatal(err)
	}
	if r.Quoted.Proto != ProtoICMP || r.Quoted.EchoID != 0x1111 || r.Quoted.EchoSeq != 0x2222 {
		t.Fatalf("quoted echo: %+v", r)
	}

	// Echo replies, ARP, neighbour advertisement.
	for _, from := range []netip.Addr{them4, them6} {
		to := us4
		if from.Is6() {
			to = us6
		}
		if err := d.Decode(0, echoReply(t, from, to, 7, 9), &r); err != nil {
			t.Fatal(err)
		}
		if r.Kind != ReplyEcho || r.From != from || r.EchoID != 7 || r.EchoSeq != 9 {
			t.Fatalf("echo reply: %+v", r)
		}
	}
	if err := d.Decode(EtherTypeARP, arpReply(t), &r); err != nil {
		t.Fatal(err)
	}
	if r.Kind != ReplyARP || r.From != them4 || r.To != us4 || net.HardwareAddr(r.HardwareAddr[:]).String() != theirMAC.String() {
		t.Fatalf("arp: %+v", r)
	}
	if err := d.Decode(EtherTypeIPv6, neighborAdvert(t), &r); err != nil {
		t.Fatal(err)
	}
	if r.Kind != ReplyNeighbor || r.From != them6 || net.HardwareAddr(r.HardwareAddr[:]).String() != theirMAC.String() {
		t.Fatalf("neighbour advertisement: %+v", r)
	}
}

func TestDecodeRejects(t *testing.T) {
	var d Decoder
	var r Reply
	req, _ := BuildARPRequest(theirMAC, us4, them4)
	ping, _ := BuildEcho(us4, them4, 1, 1)
	for name, pkt := range map[string][]byte{
		"arp request":  req,
		"echo request": ping,
		"garbage":      {0x45, 0, 0},
		"empty":        nil,
	} {
		if err := d.Decode(0, pkt, &r); err == nil {
			t.Errorf("%s: decoded as %+v", name, r)
		}
	}
}

func FuzzDecode(f *testing.F) {
	f.Add(uint16(0), []byte{0x45})
	f.Add(EtherTypeARP, []byte{0, 1, 8, 0, 6, 4, 0, 2})
	f.Fuzz(func(t *testing.T, et uint16, b []byte) {
		var d Decoder
		var r Reply
		_ = d.Decode(et, b, &r)
	})
}
