package rawnet

import (
	"errors"
	"fmt"

	"golang.org/x/sys/unix"
)

// PortReservation holds a TCP port of this machine (IPv4 and IPv6) with a
// bound, never-listening socket, so no other socket is given it while raw
// probes use it as their source port. Replies to those probes find no
// socket, so the kernel answers SYN-ACKs with RST and tears the half-open
// connection down on the target, as nmap's SYN scan relies on.
type PortReservation struct {
	fd   int
	Port uint16
}

// ReservePort binds port, or a free ephemeral port when port is 0.
func ReservePort(port uint16) (*PortReservation, error) {
	fd, err := unix.Socket(unix.AF_INET6, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	var sa unix.Sockaddr = &unix.SockaddrInet6{Port: int(port)}
	if err == nil {
		// One dual-stack socket holds the port for both families.
		err = unix.SetsockoptInt(fd, unix.IPPROTO_IPV6, unix.IPV6_V6ONLY, 0)
	}
	if err != nil && fd >= 0 {
		unix.Close(fd)
	}
	if errors.Is(err, unix.EAFNOSUPPORT) {
		fd, err = unix.Socket(unix.AF_INET, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
		sa = &unix.SockaddrInet4{Port: int(port)}
	}
	if err != nil {
		return nil, fmt.Errorf("reserve source port: %w", err)
	}
	if err := unix.Bind(fd, sa); err != nil {
		unix.Close(fd)
		return nil, fmt.Errorf("reserve source port %d: %w", port, err)
	}
	got, err := unix.Getsockname(fd)
	if err != nil {
		unix.Close(fd)
		return nil, fmt.Errorf("reserve source port: %w", err)
	}
	switch a := got.(type) {
	case *unix.SockaddrInet6:
		port = uint16(a.Port)
	case *unix.SockaddrInet4:
		port = uint16(a.Port)
	}
	return &PortReservation{fd: fd, Port: port}, nil
}

// Close releases the port.
func (p *PortReservation) Close() error {
	return unix.Close(p.fd)
}
