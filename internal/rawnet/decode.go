package rawnet

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net/netip"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
)

// Ethernet types of the packets a Decoder understands.
const (
	EtherTypeIPv4 uint16 = 0x0800
	EtherTypeARP  uint16 = 0x0806
	EtherTypeIPv6 uint16 = 0x86dd
)

// IP protocol numbers used by probes.
const (
	ProtoICMP   uint8 = 1
	ProtoTCP    uint8 = 6
	ProtoICMPv6 uint8 = 58
)

// ReplyKind says what kind of packet a Reply is.
type ReplyKind uint8

// Reply kinds.
const (
	ReplyTCP       ReplyKind = iota + 1 // a TCP segment
	ReplyICMPError                      // ICMP(v6) destination unreachable or time exceeded, quoting a probe
	ReplyEcho                           // ICMP(v6) echo reply
	ReplyARP                            // ARP reply
	ReplyNeighbor                       // ICMPv6 neighbour advertisement
)

// ErrNotReply is returned for packets that are none of the reply kinds
// (the receive filter lets few of them through).
var ErrNotReply = errors.New("not a probe reply")

// Quoted is the start of the probe an ICMP error quotes: enough to find
// the probe (addresses, ports) and check its cookie (sequence number or
// echo identifier and sequence).
type Quoted struct {
	Proto            uint8
	Src, Dst         netip.Addr
	SrcPort, DstPort uint16
	Seq              uint32
	EchoID, EchoSeq  uint16
}

// Reply is one decoded packet that may answer a probe. Which fields are set
// depends on Kind.
type Reply struct {
	Kind ReplyKind
	// From is who sent the reply: the IP source, the ARP sender, or the
	// advertised address of a neighbour advertisement. To is its IP
	// destination (one of ours) or the ARP target.
	From, To netip.Addr
	// TCP: ports, numbers and flags of the segment.
	SrcPort, DstPort uint16
	Seq, Ack         uint32
	Flags            TCPFlags
	// ICMP: type and code; for echo replies the identifier and sequence.
	ICMPType, ICMPCode uint8
	EchoID, EchoSeq    uint16
	// Quoted is the probe an ICMP error refers to.
	Quoted Quoted
	// HardwareAddr is the link-layer address of an ARP or NDP answer.
	HardwareAddr [6]byte
}

// Decoder decodes received packets into Replies with gopacket/layers,
// reusing its layer structures. It is not safe for concurrent use.
type Decoder struct {
	ip4   layers.IPv4
	ip6   layers.IPv6
	tcp   layers.TCP
	icmp4 layers.ICMPv4
	icmp6 layers.ICMPv6
	echo6 layers.ICMPv6Echo
	na    layers.ICMPv6NeighborAdvertisement
	arp   layers.ARP
}

// Decode decodes one network-layer packet (no link-layer header) of the
// given Ethernet type into r. An etherType of 0 means "tell by the IP
// version". It returns ErrNotReply (possibly wrapped) for anything that is
// not a reply kind.
func (d *Decoder) Decode(etherType uint16, data []byte, r *Reply) error {
	*r = Reply{}
	if etherType == 0 && len(data) > 0 {
		switch data[0] >> 4 {
		case 4:
			etherType = EtherTypeIPv4
		case 6:
			etherType = EtherTypeIPv6
		}
	}
	nf := gopacket.NilDecodeFeedback
	switch etherType {
	case EtherTypeIPv4:
		if err := d.ip4.DecodeFromBytes(data, nf); err != nil {
			return fmt.Errorf("ipv4: %w", err)
		}
		if d.ip4.FragOffset != 0 {
			return ErrNotReply
		}
		r.From, _ = netip.AddrFromSlice(d.ip4.SrcIP)
		r.To, _ = netip.AddrFromSlice(d.ip4.DstIP)
		switch uint8(d.ip4.Protocol) {
		case ProtoTCP:
			return d.decodeTCP(d.ip4.Payload, r)
		case ProtoICMP:
			return d.decodeICMP4(d.ip4.Payload, r)
		}
	case EtherTypeIPv6:
		if err := d.ip6.DecodeFromBytes(data, nf); err != nil {
			return fmt.Errorf("ipv6: %w", err)
		}
		r.From, _ = netip.AddrFromSlice(d.ip6.SrcIP)
		r.To, _ = netip.AddrFromSlice(d.ip6.DstIP)
		switch uint8(d.ip6.NextHeader) {
		case ProtoTCP:
			return d.decodeTCP(d.ip6.Payload, r)
		case ProtoICMPv6:
			return d.decodeICMP6(d.ip6.Payload, r)
		}
	case EtherTypeARP:
		return d.decodeARP(data, r)
	}
	return ErrNotReply
}

func (d *Decoder) decodeTCP(b []byte, r *Reply) error {
	if err := d.tcp.DecodeFromBytes(b, gopacket.NilDecodeFeedback); err != nil {
		return fmt.Errorf("tcp: %w", err)
	}
	r.Kind = ReplyTCP
	r.SrcPort, r.DstPort = uint16(d.tcp.SrcPort), uint16(d.tcp.DstPort)
	r.Seq, r.Ack = d.tcp.Seq, d.tcp.Ack
	for _, f := range []struct {
		set  bool
		flag TCPFlags
	}{{d.tcp.FIN, FlagFIN}, {d.tcp.SYN, FlagSYN}, {d.tcp.RST, FlagRST}, {d.tcp.PSH, FlagPSH}, {d.tcp.ACK, FlagACK}} {
		if f.set {
			r.Flags |= f.flag
		}
	}
	return nil
}

func (d *Decoder) decodeICMP4(b []byte, r *Reply) error {
	if err := d.icmp4.DecodeFromBytes(b, gopacket.NilDecodeFeedback); err != nil {
		return fmt.Errorf("icmp: %w", err)
	}
	r.ICMPType, r.ICMPCode = d.icmp4.TypeCode.Type(), d.icmp4.TypeCode.Code()
	switch r.ICMPType {
	case layers.ICMPv4TypeEchoReply:
		r.Kind = ReplyEcho
		r.EchoID, r.EchoSeq = d.icmp4.Id, d.icmp4.Seq
		return nil
	case layers.ICMPv4TypeDestinationUnreachable, layers.ICMPv4TypeTimeExceeded:
		if !parseQuoted(d.icmp4.Payload, &r.Quoted) {
			return fmt.Errorf("icmp error: %w: quoted packet too short", ErrNotReply)
		}
		r.Kind = ReplyICMPError
		return nil
	}
	return ErrNotReply
}

func (d *Decoder) decodeICMP6(b []byte, r *Reply) error {
	if err := d.icmp6.DecodeFromBytes(b, gopacket.NilDecodeFeedback); err != nil {
		return fmt.Errorf("icmpv6: %w", err)
	}
	r.ICMPType, r.ICMPCode = d.icmp6.TypeCode.Type(), d.icmp6.TypeCode.Code()
	payload := d.icmp6.Payload
	switch r.ICMPType {
	case layers.ICMPv6TypeEchoReply:
		if err := d.echo6.DecodeFromBytes(payload, gopacket.NilDecodeFeedback); err != nil {
			return fmt.Errorf("icmpv6 echo: %w", err)
		}
		r.Kind = ReplyEcho
		r.EchoID, r.EchoSeq = d.echo6.Identifier, d.echo6.SeqNumber
		return nil
	case layers.ICMPv6TypeDestinationUnreachable, layers.ICMPv6TypeTimeExceeded:
		// Four unused bytes precede the quoted packet.
		if len(payload) < 4 || !parseQuoted(payload[4:], &r.Quoted) {
			return fmt.Errorf("icmpv6 error: %w: quoted packet too short", ErrNotReply)
		}
		r.Kind = ReplyICMPError
		return nil
	case layers.ICMPv6TypeNeighborAdvertisement:
		if err := d.na.DecodeFromBytes(payload, gopacket.NilDecodeFeedback); err != nil {
			return fmt.Errorf("neighbour advertisement: %w", err)
		}
		r.Kind = ReplyNeighbor
		r.From, _ = netip.AddrFromSlice(d.na.TargetAddress)
		for _, o := range d.na.Options {
			if o.Type == layers.ICMPv6OptTargetAddress && len(o.Data) >= 6 {
				copy(r.HardwareAddr[:], o.Data)
			}
		}
		return nil
	}
	return ErrNotReply
}

func (d *Decoder) decodeARP(b []byte, r *Reply) error {
	if err := d.arp.DecodeFromBytes(b, gopacket.NilDecodeFeedback); err != nil {
		return fmt.Errorf("arp: %w", err)
	}
	a := &d.arp
	if a.Operation != layers.ARPReply || a.Protocol != layers.EthernetTypeIPv4 ||
		a.HwAddressSize != 6 || a.ProtAddressSize != 4 {
		return ErrNotReply
	}
	r.Kind = ReplyARP
	r.From, _ = netip.AddrFromSlice(a.SourceProtAddress)
	r.To, _ = netip.AddrFromSlice(a.DstProtAddress)
	copy(r.HardwareAddr[:], a.SourceHwAddress)
	return nil
}

// parseQuoted reads the IP header and the first eight bytes of the
// transport header that an ICMP error quotes (RFC 792 and 4443 guarantee
// that much).
func parseQuoted(b []byte, q *Quoted) bool {
	if len(b) < 1 {
		return false
	}
	var l4 []byte
	switch b[0] >> 4 {
	case 4:
		ihl := int(b[0]&0xf) * 4
		if ihl < 20 || len(b) < ihl+8 {
			return false
		}
		q.Proto = b[9]
		q.Src = netip.AddrFrom4([4]byte(b[12:16]))
		q.Dst = netip.AddrFrom4([4]byte(b[16:20]))
		l4 = b[ihl:]
	case 6:
		if len(b) < 48 {
			return false
		}
		q.Proto = b[6]
		q.Src = netip.AddrFrom16([16]byte(b[8:24]))
		q.Dst = netip.AddrFrom16([16]byte(b[24:40]))
		l4 = b[40:]
	default:
		return false
	}
	switch q.Proto {
	case ProtoTCP:
		q.SrcPort = binary.BigEndian.Uint16(l4[0:])
		q.DstPort = binary.BigEndian.Uint16(l4[2:])
		q.Seq = binary.BigEndian.Uint32(l4[4:])
	case ProtoICMP, ProtoICMPv6:
		q.EchoID = binary.BigEndian.Uint16(l4[4:])
		q.EchoSeq = binary.BigEndian.Uint16(l4[6:])
	}
	return true
}
