package rawnet

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"net/netip"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
)

// TCPFlags are the flag bits of a TCP header.
type TCPFlags uint8

// TCP flag bits.
const (
	FlagFIN TCPFlags = 1 << iota
	FlagSYN
	FlagRST
	FlagPSH
	FlagACK
)

// Probe header constants: what a SYN from an ordinary client looks like
// (window and MSS option), and the hop limit.
const (
	probeWindow = 64240
	probeMSS    = 1460
	probeTTL    = 64
)

// TCPProbe describes one TCP probe packet.
type TCPProbe struct {
	Src, Dst         netip.Addr
	SrcPort, DstPort uint16
	Seq, Ack         uint32
	Flags            TCPFlags
}

var serializeOpts = gopacket.SerializeOptions{FixLengths: true, ComputeChecksums: true}

// ipLayer returns the network layer from src to dst carrying proto.
func ipLayer(src, dst netip.Addr, proto layers.IPProtocol) (gopacket.SerializableLayer, gopacket.NetworkLayer, error) {
	switch {
	case src.Is4() && dst.Is4():
		ip := &layers.IPv4{Version: 4, IHL: 5, TTL: probeTTL, Protocol: proto,
			SrcIP: src.AsSlice(), DstIP: dst.AsSlice()}
		return ip, ip, nil
	case src.Is6() && dst.Is6() && !src.Is4In6() && !dst.Is4In6():
		ip := &layers.IPv6{Version: 6, HopLimit: probeTTL, NextHeader: proto,
			SrcIP: src.AsSlice(), DstIP: dst.AsSlice()}
		return ip, ip, nil
	}
	return nil, nil, fmt.Errorf("addresses %s and %s: not one IP family", src, dst)
}

// BuildTCP serialises a TCP probe with its IP header (gopacket/layers):
// IPv4 (the kernel fills the identification) or IPv6, then TCP with an MSS
// option, checksums computed.
func BuildTCP(p TCPProbe) ([]byte, error) {
	ip, nl, err := ipLayer(p.Src, p.Dst, layers.IPProtocolTCP)
	if err != nil {
		return nil, err
	}
	tcp := &layers.TCP{
		SrcPort: layers.TCPPort(p.SrcPort), DstPort: layers.TCPPort(p.DstPort),
		Seq: p.Seq, Ack: p.Ack, Window: probeWindow,
		FIN: p.Flags&FlagFIN != 0, SYN: p.Flags&FlagSYN != 0, RST: p.Flags&FlagRST != 0,
		PSH: p.Flags&FlagPSH != 0, ACK: p.Flags&FlagACK != 0,
		Options: []layers.TCPOption{{OptionType: layers.TCPOptionKindMSS, OptionLength: 4,
			OptionData: []byte{probeMSS >> 8, probeMSS & 0xff}}},
	}
	if err := tcp.SetNetworkLayerForChecksum(nl); err != nil {
		return nil, fmt.Errorf("tcp checksum: %w", err)
	}
	buf := gopacket.NewSerializeBuffer()
	if err := gopacket.SerializeLayers(buf, serializeOpts, ip, tcp); err != nil {
		return nil, fmt.Errorf("serialise tcp probe: %w", err)
	}
	return buf.Bytes(), nil
}

// TCPTemplate makes TCP probes from one source address and port quickly: it
// is built once by BuildTCP, and Fill patches the destination, port,
// sequence and acknowledgement numbers and recomputes the checksums, so the
// send loop neither allocates nor serialises layer by layer.
type TCPTemplate struct {
	pkt   []byte
	ipLen int
	src   netip.Addr
}

// NewTCPTemplate prepares probes from src:srcPort with the given flags.
func NewTCPTemplate(src netip.Addr, srcPort uint16, flags TCPFlags) (*TCPTemplate, error) {
	dst := netip.IPv6Unspecified()
	ipLen := 40
	if src.Is4() {
		dst, ipLen = netip.IPv4Unspecified(), 20
	}
	pkt, err := BuildTCP(TCPProbe{Src: src, Dst: dst, SrcPort: srcPort, Flags: flags})
	if err != nil {
		return nil, err
	}
	return &TCPTemplate{pkt: pkt, ipLen: ipLen, src: src}, nil
}

// Len is the length of every packet the template makes.
func (t *TCPTemplate) Len() int { return len(t.pkt) }

// Src is the template's source address.
func (t *TCPTemplate) Src() netip.Addr { return t.src }

// Fill writes the probe to dst:dstPort into b (which must hold Len bytes)
// and returns it. It returns nil if dst is not of the template's family.
func (t *TCPTemplate) Fill(b []byte, dst netip.Addr, dstPort uint16, seq, ack uint32) []byte {
	if dst.Is4() != t.src.Is4() || len(b) < len(t.pkt) {
		return nil
	}
	b = b[:len(t.pkt)]
	copy(b, t.pkt)
	if t.ipLen == 20 {
		a := dst.As4()
		copy(b[16:20], a[:])
		b[10], b[11] = 0, 0
		binary.BigEndian.PutUint16(b[10:], fold(sum16(0, b[:20])))
	} else {
		a := dst.As16()
		copy(b[24:40], a[:])
	}
	tcp := b[t.ipLen:]
	binary.BigEndian.PutUint16(tcp[2:], dstPort)
	binary.BigEndian.PutUint32(tcp[4:], seq)
	binary.BigEndian.PutUint32(tcp[8:], ack)
	tcp[16], tcp[17] = 0, 0
	sum := pseudoHeaderSum(t.src, dst, uint8(layers.IPProtocolTCP), len(tcp))
	binary.BigEndian.PutUint16(tcp[16:], fold(sum16(sum, tcp)))
	return b
}

// BuildEcho serialises an ICMP echo request (ICMPv6 for IPv6 addresses)
// with its IP header.
func BuildEcho(src, dst netip.Addr, id, seq uint16) ([]byte, error) {
	buf := gopacket.NewSerializeBuffer()
	if src.Is4() {
		ip, _, err := ipLayer(src, dst, layers.IPProtocolICMPv4)
		if err != nil {
			return nil, err
		}
		icmp := &layers.ICMPv4{TypeCode: layers.CreateICMPv4TypeCode(layers.ICMPv4TypeEchoRequest, 0), Id: id, Seq: seq}
		if err := gopacket.SerializeLayers(buf, serializeOpts, ip, icmp); err != nil {
			return nil, fmt.Errorf("serialise echo request: %w", err)
		}
		return buf.Bytes(), nil
	}
	ip, nl, err := ipLayer(src, dst, layers.IPProtocolICMPv6)
	if err != nil {
		return nil, err
	}
	icmp := &layers.ICMPv6{TypeCode: layers.CreateICMPv6TypeCode(layers.ICMPv6TypeEchoRequest, 0)}
	if err := icmp.SetNetworkLayerForChecksum(nl); err != nil {
		return nil, fmt.Errorf("icmpv6 checksum: %w", err)
	}
	echo := &layers.ICMPv6Echo{Identifier: id, SeqNumber: seq}
	if err := gopacket.SerializeLayers(buf, serializeOpts, ip, icmp, echo); err != nil {
		return nil, fmt.Errorf("serialise echo request: %w", err)
	}
	return buf.Bytes(), nil
}

// BuildARPRequest serialises an ARP request ("who has target? tell src")
// without a link-layer header: a SOCK_DGRAM packet socket adds it.
func BuildARPRequest(srcMAC net.HardwareAddr, src, target netip.Addr) ([]byte, error) {
	if !src.Is4() || !target.Is4() || len(srcMAC) != 6 {
		return nil, errors.New("arp request needs IPv4 addresses and a 6-byte hardware address")
	}
	arp := &layers.ARP{
		AddrType: layers.LinkTypeEthernet, Protocol: layers.EthernetTypeIPv4,
		HwAddressSize: 6, ProtAddressSize: 4, Operation: layers.ARPRequest,
		SourceHwAddress: srcMAC, SourceProtAddress: src.AsSlice(),
		DstHwAddress: make([]byte, 6), DstProtAddress: target.AsSlice(),
	}
	buf := gopacket.NewSerializeBuffer()
	if err := arp.SerializeTo(buf, serializeOpts); err != nil {
		return nil, fmt.Errorf("serialise arp request: %w", err)
	}
	return buf.Bytes(), nil
}

// SolicitedNode returns the solicited-node multicast address of an IPv6
// address (RFC 4291 2.7.1) and the Ethernet multicast address it maps to.
func SolicitedNode(target netip.Addr) (netip.Addr, net.HardwareAddr) {
	t := target.As16()
	a := [16]byte{0: 0xff, 1: 0x02, 11: 0x01, 12: 0xff, 13: t[13], 14: t[14], 15: t[15]}
	return netip.AddrFrom16(a), net.HardwareAddr{0x33, 0x33, 0xff, t[13], t[14], t[15]}
}

// BuildNeighborSolicitation serialises an ICMPv6 neighbour solicitation for
// target from src (with srcMAC as source link-layer option), addressed to
// the target's solicited-node multicast group, with its IPv6 header. It
// returns the packet and the Ethernet destination to send it to.
func BuildNeighborSolicitation(srcMAC net.HardwareAddr, src, target netip.Addr) ([]byte, net.HardwareAddr, error) {
	if !src.Is6() || src.Is4In6() || !target.Is6() || target.Is4In6() || len(srcMAC) != 6 {
		return nil, nil, errors.New("neighbour solicitation needs IPv6 addresses and a 6-byte hardware address")
	}
	group, mac := SolicitedNode(target)
	ip := &layers.IPv6{Version: 6, HopLimit: 255, NextHeader: layers.IPProtocolICMPv6,
		SrcIP: src.AsSlice(), DstIP: group.AsSlice()}
	icmp := &layers.ICMPv6{TypeCode: layers.CreateICMPv6TypeCode(layers.ICMPv6TypeNeighborSolicitation, 0)}
	if err := icmp.SetNetworkLayerForChecksum(ip); err != nil {
		return nil, nil, fmt.Errorf("icmpv6 checksum: %w", err)
	}
	ns := &layers.ICMPv6NeighborSolicitation{TargetAddress: target.AsSlice(),
		Options: layers.ICMPv6Options{{Type: layers.ICMPv6OptSourceAddress, Data: srcMAC}}}
	buf := gopacket.NewSerializeBuffer()
	if err := gopacket.SerializeLayers(buf, serializeOpts, ip, icmp, ns); err != nil {
		return nil, nil, fmt.Errorf("serialise neighbour solicitation: %w", err)
	}
	return buf.Bytes(), mac, nil
}
