//go:build !linux

package rawnet

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"time"

	"golang.org/x/net/bpf"
)

// ErrUnsupported: raw scanning is implemented for Linux only.
var ErrUnsupported = errors.New("raw sockets are supported on Linux only")

// Packet is one IP packet to send, header included.
type Packet struct {
	Dst  netip.Addr
	Data []byte
}

// MaxBatch is the most packets one Send system call carries.
const MaxBatch = 64

// Frame is one received packet, from its network header on.
type Frame struct {
	Data      []byte
	EtherType uint16
	IfIndex   int
	Outgoing  bool
}

// Sender is unavailable on this system.
type Sender struct{}

// OpenSender fails on this system.
func OpenSender() (*Sender, error) { return nil, ErrUnsupported }

// Supports reports false.
func (*Sender) Supports(netip.Addr) bool { return false }

// Send fails.
func (*Sender) Send([]Packet) (int, error) { return 0, ErrUnsupported }

// Close does nothing.
func (*Sender) Close() error { return nil }

// PacketConn is unavailable on this system.
type PacketConn struct{}

// ListenPacket fails on this system.
func ListenPacket([]bpf.RawInstruction) (*PacketConn, error) { return nil, ErrUnsupported }

// ReadBatch fails.
func (*PacketConn) ReadBatch([]Frame) (int, error) { return 0, ErrUnsupported }

// SetReadDeadline fails.
func (*PacketConn) SetReadDeadline(time.Time) error { return ErrUnsupported }

// WriteTo fails.
func (*PacketConn) WriteTo(int, uint16, net.HardwareAddr, []byte) error { return ErrUnsupported }

// Drops fails.
func (*PacketConn) Drops() (uint64, error) { return 0, ErrUnsupported }

// Close does nothing.
func (*PacketConn) Close() error { return nil }

// Router is unavailable on this system.
type Router struct{}

// OpenRouter fails on this system.
func OpenRouter() (*Router, error) { return nil, ErrUnsupported }

// Lookup fails.
func (*Router) Lookup(context.Context, netip.Addr) (Route, error) { return Route{}, ErrUnsupported }

// Close does nothing.
func (*Router) Close() error { return nil }

// PortReservation is unavailable on this system.
type PortReservation struct{ Port uint16 }

// ReservePort fails on this system.
func ReservePort(uint16) (*PortReservation, error) { return nil, ErrUnsupported }

// Close does nothing.
func (*PortReservation) Close() error { return nil }

// CanRaw reports false on this system.
func CanRaw() (bool, string) { return false, ErrUnsupported.Error() }

// Receive fails.
func (*PacketConn) Receive(<-chan struct{}, func([]Reply, time.Time)) error { return ErrUnsupported }
