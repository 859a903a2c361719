package rawnet

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"syscall"

	"golang.org/x/sys/unix"
)

// Netlink wire sizes (linux/netlink.h, linux/rtnetlink.h).
const (
	nlmsgHdrLen  = 16
	rtmsgLen     = 12
	ifinfomsgLen = 16
	rtaHdrLen    = 4
)

// nlAlign rounds a length up to netlink's 4-byte alignment.
func nlAlign(n int) int { return (n + 3) &^ 3 }

// nlMessage is one netlink message: its type and payload.
type nlMessage struct {
	typ  uint16
	seq  uint32
	data []byte
}

// parseNetlink splits a datagram into messages.
func parseNetlink(b []byte) ([]nlMessage, error) {
	var out []nlMessage
	for len(b) >= nlmsgHdrLen {
		l := int(binary.NativeEndian.Uint32(b[0:4]))
		if l < nlmsgHdrLen || l > len(b) {
			return nil, fmt.Errorf("netlink: bad message length %d of %d", l, len(b))
		}
		out = append(out, nlMessage{
			typ:  binary.NativeEndian.Uint16(b[4:6]),
			seq:  binary.NativeEndian.Uint32(b[8:12]),
			data: b[nlmsgHdrLen:l],
		})
		b = b[min(nlAlign(l), len(b)):]
	}
	return out, nil
}

// parseAttrs splits route attributes (struct rtattr) by type.
func parseAttrs(b []byte) (map[uint16][]byte, error) {
	attrs := map[uint16][]byte{}
	for len(b) >= rtaHdrLen {
		l := int(binary.NativeEndian.Uint16(b[0:2]))
		if l < rtaHdrLen || l > len(b) {
			return nil, fmt.Errorf("netlink: bad attribute length %d of %d", l, len(b))
		}
		attrs[binary.NativeEndian.Uint16(b[2:4])] = b[rtaHdrLen:l]
		b = b[min(nlAlign(l), len(b)):]
	}
	return attrs, nil
}

// nlError returns the errno of an NLMSG_ERROR payload (nil for an ack).
func nlError(data []byte) error {
	if len(data) < 4 {
		return errors.New("netlink: short error message")
	}
	if e := int32(binary.NativeEndian.Uint32(data)); e < 0 {
		return syscall.Errno(-e)
	}
	return nil
}

// routeRequest builds an RTM_GETROUTE request for dst.
func routeRequest(seq uint32, dst netip.Addr) []byte {
	family, bitsLen := unix.AF_INET6, 128
	addr := dst.AsSlice()
	if dst.Is4() {
		family, bitsLen = unix.AF_INET, 32
	}
	attrLen := rtaHdrLen + len(addr)
	total := nlmsgHdrLen + rtmsgLen + nlAlign(attrLen)
	b := make([]byte, total)
	putNlHeader(b, total, unix.RTM_GETROUTE, unix.NLM_F_REQUEST, seq)
	rt := b[nlmsgHdrLen:]
	rt[0] = byte(family)
	rt[1] = byte(bitsLen)
	a := rt[rtmsgLen:]
	binary.NativeEndian.PutUint16(a[0:], uint16(attrLen))
	binary.NativeEndian.PutUint16(a[2:], unix.RTA_DST)
	copy(a[rtaHdrLen:], addr)
	return b
}

// linkRequest builds an RTM_GETLINK request for one interface.
func linkRequest(seq uint32, index int) []byte {
	total := nlmsgHdrLen + ifinfomsgLen
	b := make([]byte, total)
	putNlHeader(b, total, unix.RTM_GETLINK, unix.NLM_F_REQUEST, seq)
	binary.NativeEndian.PutUint32(b[nlmsgHdrLen+4:], uint32(int32(index)))
	return b
}

func putNlHeader(b []byte, length int, typ, flags uint16, seq uint32) {
	binary.NativeEndian.PutUint32(b[0:], uint32(length))
	binary.NativeEndian.PutUint16(b[4:], typ)
	binary.NativeEndian.PutUint16(b[6:], flags)
	binary.NativeEndian.PutUint32(b[8:], seq)
}

// parseRouteReply reads the kernel's answer to routeRequest: the route
// (without its Link filled in beyond Index) or the reason there is none.
func parseRouteReply(b []byte, seq uint32, dst netip.Addr) (Route, error) {
	msgs, err := parseNetlink(b)
	if err != nil {
		return Route{}, err
	}
	for _, m := range msgs {
		if m.seq != seq {
			continue
		}
		switch m.typ {
		case unix.NLMSG_ERROR:
			if err := nlError(m.data); err != nil {
				return Route{}, routeErrno(dst, err)
			}
		case unix.RTM_NEWROUTE:
			return parseRoute(m.data, dst)
		}
	}
	return Route{}, fmt.Errorf("route to %s: no answer from the kernel", dst)
}

// routeErrno maps the kernel's refusal to a route error.
func routeErrno(dst netip.Addr, err error) error {
	switch {
	case errors.Is(err, syscall.ENETUNREACH):
		return fmt.Errorf("route to %s: %w", dst, ErrNetUnreachable)
	case errors.Is(err, syscall.EHOSTUNREACH):
		return fmt.Errorf("route to %s: %w", dst, ErrHostUnreachable)
	case errors.Is(err, syscall.EACCES), errors.Is(err, syscall.EPERM):
		return fmt.Errorf("route to %s: %w", dst, ErrProhibited)
	case errors.Is(err, syscall.EINVAL):
		// What RTM_GETROUTE answers for a blackhole route.
		return fmt.Errorf("route to %s: blackhole: %w", dst, ErrNetUnreachable)
	}
	return fmt.Errorf("route to %s: %w", dst, err)
}

func parseRoute(data []byte, dst netip.Addr) (Route, error) {
	if len(data) < rtmsgLen {
		return Route{}, errors.New("netlink: short route message")
	}
	r := Route{Dst: dst, Type: RouteType(data[7])}
	attrs, err := parseAttrs(data[rtmsgLen:])
	if err != nil {
		return Route{}, err
	}
	if v, ok := attrs[unix.RTA_OIF]; ok && len(v) >= 4 {
		r.Link.Index = int(int32(binary.NativeEndian.Uint32(v)))
	}
	if v, ok := netip.AddrFromSlice(attrs[unix.RTA_PREFSRC]); ok {
		r.Src = v
	}
	if v, ok := netip.AddrFromSlice(attrs[unix.RTA_GATEWAY]); ok {
		r.Gateway = v
	}
	switch r.Type {
	case RouteUnicast, RouteLocal, RouteBroadcast, RouteMulticast:
	case unix.RTN_UNREACHABLE:
		return Route{}, fmt.Errorf("route to %s: %w", dst, ErrHostUnreachable)
	case unix.RTN_PROHIBIT:
		return Route{}, fmt.Errorf("route to %s: %w", dst, ErrProhibited)
	default: // blackhole, throw, nat...
		return Route{}, fmt.Errorf("route to %s: type %d: %w", dst, r.Type, ErrNetUnreachable)
	}
	if !r.Src.IsValid() {
		return Route{}, fmt.Errorf("route to %s: no source address", dst)
	}
	return r, nil
}

// parseLinkReply reads the kernel's answer to linkRequest.
func parseLinkReply(b []byte, seq uint32) (Link, error) {
	msgs, err := parseNetlink(b)
	if err != nil {
		return Link{}, err
	}
	for _, m := range msgs {
		if m.seq != seq {
			continue
		}
		switch m.typ {
		case unix.NLMSG_ERROR:
			if err := nlError(m.data); err != nil {
				return Link{}, fmt.Errorf("link: %w", err)
			}
		case unix.RTM_NEWLINK:
			return parseLink(m.data)
		}
	}
	return Link{}, errors.New("link: no answer from the kernel")
}

func parseLink(data []byte) (Link, error) {
	if len(data) < ifinfomsgLen {
		return Link{}, errors.New("netlink: short link message")
	}
	l := Link{
		Type:  binary.NativeEndian.Uint16(data[2:4]),
		Index: int(int32(binary.NativeEndian.Uint32(data[4:8]))),
		Flags: binary.NativeEndian.Uint32(data[8:12]),
	}
	attrs, err := parseAttrs(data[ifinfomsgLen:])
	if err != nil {
		return Link{}, err
	}
	if v := attrs[unix.IFLA_IFNAME]; len(v) > 0 {
		if i := indexByte(v, 0); i >= 0 {
			v = v[:i]
		}
		l.Name = string(v)
	}
	if v := attrs[unix.IFLA_ADDRESS]; len(v) > 0 {
		l.HardwareAddr = net.HardwareAddr(append([]byte(nil), v...))
	}
	if v := attrs[unix.IFLA_MTU]; len(v) >= 4 {
		l.MTU = int(binary.NativeEndian.Uint32(v))
	}
	return l, nil
}

func indexByte(b []byte, c byte) int {
	for i, x := range b {
		if x == c {
			return i
		}
	}
	return -1
}
