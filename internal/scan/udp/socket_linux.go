//go:build linux

package udp

import (
	"errors"
	"net/netip"
	"syscall"

	"github.com/portwatch/portwatch/internal/scan"
	"golang.org/x/sys/unix"
)

// The socket operations of a probe, shared by the event loop and the
// confirmation pass.

func defaultSocket(domain, typ, proto int) (int, error) { return unix.Socket(domain, typ, proto) }

// openProbeSocket opens a non-blocking UDP socket that queues ICMP errors,
// connected to dst unless answers may come from another port.
func openProbeSocket(open func(domain, typ, proto int) (int, error), dst netip.AddrPort, anySource bool) (int, error) {
	addr := dst.Addr().Unmap()
	domain := unix.AF_INET
	if addr.Is6() {
		domain = unix.AF_INET6
	}
	fd, err := open(domain, unix.SOCK_DGRAM|unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, unix.IPPROTO_UDP)
	if err != nil {
		return -1, err
	}
	if err := scan.EnableRecvErr(fd, addr.Is6()); err != nil {
		unix.Close(fd)
		return -1, err
	}
	if !anySource {
		if err := unix.Connect(fd, sockaddr(netip.AddrPortFrom(addr, dst.Port()))); err != nil {
			unix.Close(fd)
			return -1, err
		}
	}
	return fd, nil
}

func sockaddr(ap netip.AddrPort) unix.Sockaddr {
	if ap.Addr().Is4() {
		return &unix.SockaddrInet4{Port: int(ap.Port()), Addr: ap.Addr().As4()}
	}
	return &unix.SockaddrInet6{Port: int(ap.Port()), Addr: ap.Addr().As16()}
}

// sendDatagram sends d on a probe socket (to dst if it is unconnected).
func sendDatagram(fd int, d []byte, dst netip.AddrPort, anySource bool) error {
	if anySource {
		return unix.Sendto(fd, d, 0, sockaddr(netip.AddrPortFrom(dst.Addr().Unmap(), dst.Port())))
	}
	_, err := unix.Write(fd, d)
	return err
}

// receive appends the answers queued on fd (from host addr, when the
// socket is unconnected) to replies, keeping at most maxReplies.
func receive(fd int, buf []byte, addr netip.Addr, anySource bool, replies [][]byte) [][]byte {
	for range maxReplies {
		n, from, err := unix.Recvfrom(fd, buf, unix.MSG_DONTWAIT)
		if err != nil {
			break
		}
		if anySource && !fromHost(from, addr) {
			continue
		}
		if len(replies) < maxReplies {
			replies = append(replies, append([]byte(nil), buf[:min(n, maxReplyBytes)]...))
		}
	}
	return replies
}

func fromHost(from unix.Sockaddr, addr netip.Addr) bool {
	switch sa := from.(type) {
	case *unix.SockaddrInet4:
		return netip.AddrFrom4(sa.Addr) == addr.Unmap()
	case *unix.SockaddrInet6:
		return netip.AddrFrom16(sa.Addr).Unmap() == addr.Unmap()
	}
	return false
}

// classifyErrno maps a local send or socket error to a port state: the
// kernel's translation of an ICMP error that was not queued, or a local
// refusal.
func classifyErrno(err error) (scan.PortState, scan.Reason) {
	switch {
	case errors.Is(err, syscall.ECONNREFUSED):
		return scan.Closed, scan.ReasonPortUnreachable
	case errors.Is(err, syscall.EHOSTUNREACH), errors.Is(err, syscall.EHOSTDOWN):
		return scan.Filtered, scan.ReasonHostUnreachable
	case errors.Is(err, syscall.ENETUNREACH), errors.Is(err, syscall.ENONET):
		return scan.Filtered, scan.ReasonNetUnreachable
	case errors.Is(err, syscall.EACCES), errors.Is(err, syscall.EPERM):
		return scan.Filtered, scan.ReasonAdminProhibited
	}
	return scan.Filtered, scan.ReasonError
}

// isResourceError reports local exhaustion, after which a probe is
// repeated rather than counted.
func isResourceError(err error) bool {
	return errors.Is(err, syscall.EMFILE) || errors.Is(err, syscall.ENFILE) ||
		errors.Is(err, syscall.EADDRNOTAVAIL) || errors.Is(err, syscall.ENOBUFS) ||
		errors.Is(err, syscall.EAGAIN)
}
