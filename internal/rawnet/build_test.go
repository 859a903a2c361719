package rawnet

import (
	"bytes"
	"math/rand/v2"
	"net"
	"net/netip"
	"testing"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
)

func TestTemplateMatchesSerialisation(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, src := range []netip.Addr{netip.MustParseAddr("198.18.0.2"), netip.MustParseAddr("2001:2::2")} {
		for _, flags := range []TCPFlags{FlagSYN, FlagACK} {
			tpl, err := NewTCPTemplate(src, 40123, flags)
			if err != nil {
				t.Fatal(err)
			}
			buf := make([]byte, tpl.Len())
			for range 200 {
				var dst netip.Addr
				if src.Is4() {
					dst = netip.AddrFrom4([4]byte{198, 18, byte(rng.IntN(256)), byte(rng.IntN(256))})
				} else {
					var a [16]byte
					for i := range a {
						a[i] = byte(rng.IntN(256))
					}
					dst = netip.AddrFrom16(a)
				}
				port, seq, ack := uint16(rng.IntN(65536)), rng.Uint32(), rng.Uint32()
				got := tpl.Fill(buf, dst, port, seq, ack)
				want, err := BuildTCP(TCPProbe{Src: src, Dst: dst, SrcPort: 40123, DstPort: port, Seq: seq, Ack: ack, Flags: flags})
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(got, want) {
					t.Fatalf("%s -> %s:%d: template\n%x\ngopacket\n%x", src, dst, port, got, want)
				}
			}
		}
	}
}

func TestTemplateRejectsOtherFamily(t *testing.T) {
	tpl, err := NewTCPTemplate(netip.MustParseAddr("198.18.0.2"), 1, FlagSYN)
	if err != nil {
		t.Fatal(err)
	}
	if tpl.Fill(make([]byte, 100), netip.MustParseAddr("2001:2::1"), 1, 1, 1) != nil {
		t.Fatal("filled an IPv6 destination into an IPv4 template")
	}
}

func TestBuiltPacketsDecode(t *testing.T) {
	src4, dst4 := netip.MustParseAddr("198.18.0.2"), netip.MustParseAddr("198.18.0.11")
	src6, dst6 := netip.MustParseAddr("2001:2::2"), netip.MustParseAddr("2001:2::11")
	syn, err := BuildTCP(TCPProbe{Src: src4, Dst: dst4, SrcPort: 1000, DstPort: 22, Seq: 77, Flags: FlagSYN})
	if err != nil {
		t.Fatal(err)
	}
	p := gopacket.NewPacket(syn, layers.LayerTypeIPv4, gopacket.Default)
	tcp, _ := p.Layer(layers.LayerTypeTCP).(*layers.TCP)
	if tcp == nil || !tcp.SYN || tcp.ACK || tcp.Seq != 77 || tcp.DstPort != 22 || len(tcp.Options) != 1 {
		t.Fatalf("syn decoded as %v", p)
	}
	echo, err := BuildEcho(src6, dst6, 0x1234, 0x5678)
	if err != nil {
		t.Fatal(err)
	}
	p = gopacket.NewPacket(echo, layers.LayerTypeIPv6, gopacket.Default)
	e, _ := p.Layer(layers.LayerTypeICMPv6Echo).(*layers.ICMPv6Echo)
	if e == nil || e.Identifier != 0x1234 || e.SeqNumber != 0x5678 {
		t.Fatalf("echo decoded as %v", p)
	}
	mac := net.HardwareAddr{2, 0, 0, 0, 0, 1}
	arp, err := BuildARPRequest(mac, src4, dst4)
	if err != nil {
		t.Fatal(err)
	}
	p = gopacket.NewPacket(arp, layers.LayerTypeARP, gopacket.Default)
	a, _ := p.Layer(layers.LayerTypeARP).(*layers.ARP)
	if a == nil || a.Operation != layers.ARPRequest || !bytes.Equal(a.DstProtAddress, dst4.AsSlice()) {
		t.Fatalf("arp decoded as %v", p)
	}
	ns, dmac, err := BuildNeighborSolicitation(mac, src6, dst6)
	if err != nil {
		t.Fatal(err)
	}
	if dmac.String() != "33:33:ff:00:00:11" {
		t.Fatalf("solicited-node MAC %s", dmac)
	}
	p = gopacket.NewPacket(ns, layers.LayerTypeIPv6, gopacket.Default)
	n, _ := p.Layer(layers.LayerTypeICMPv6NeighborSolicitation).(*layers.ICMPv6NeighborSolicitation)
	ip6, _ := p.Layer(layers.LayerTypeIPv6).(*layers.IPv6)
	if n == nil || !n.TargetAddress.Equal(dst6.AsSlice()) || ip6.HopLimit != 255 || ip6.DstIP.String() != "ff02::1:ff00:11" {
		t.Fatalf("neighbour solicitation decoded as %v", p)
	}
}
