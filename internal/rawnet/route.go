package rawnet

import (
	"errors"
	"net"
	"net/netip"
)

// Route errors: why a destination cannot be reached from here. They match
// the reasons a scanner reports (net-unreachable, host-unreachable,
// admin-prohibited) and are returned wrapped by Router.Lookup.
var (
	// ErrNetUnreachable: no route (the kernel says ENETUNREACH), or a
	// blackhole route that swallows everything sent to it.
	ErrNetUnreachable = errors.New("network unreachable")
	// ErrHostUnreachable: an "unreachable" route.
	ErrHostUnreachable = errors.New("host unreachable")
	// ErrProhibited: a "prohibit" route.
	ErrProhibited = errors.New("administratively prohibited")
)

// Link is a network interface.
type Link struct {
	Index        int
	Name         string
	HardwareAddr net.HardwareAddr
	MTU          int
	// Type is the ARPHRD_* hardware type (1 for Ethernet, 772 loopback).
	Type uint16
	// Flags are the IFF_* interface flags.
	Flags uint32
}

// Link hardware types and flags that decide whether ARP and NDP apply.
const (
	arphrdEther = 1
	iffLoopback = 0x8
	iffNoARP    = 0x80
)

// Resolves reports whether neighbours on this link are found with ARP or
// NDP: an Ethernet-like interface that is not loopback and does ARP.
func (l Link) Resolves() bool {
	return l.Type == arphrdEther && len(l.HardwareAddr) == 6 && l.Flags&(iffLoopback|iffNoARP) == 0
}

// RouteType is the kernel's RTN_* route type.
type RouteType uint8

// Route types that matter to a scanner.
const (
	RouteUnicast   RouteType = 1
	RouteLocal     RouteType = 2 // the destination is one of this machine's addresses
	RouteBroadcast RouteType = 3
	RouteMulticast RouteType = 5
)

// Route is how packets to one destination leave this machine, as the
// kernel's routing table (policy rules included) says.
type Route struct {
	Dst  netip.Addr
	Type RouteType
	// Src is the source address the kernel would choose.
	Src netip.Addr
	// Gateway is the next hop, or the zero Addr when Dst is on-link.
	Gateway netip.Addr
	// Link is the output interface.
	Link Link
}

// OnLink reports whether Dst is reached directly (no gateway) on the link.
func (r Route) OnLink() bool {
	return !r.Gateway.IsValid() && r.Type == RouteUnicast
}
