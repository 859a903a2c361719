package rawnet

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"os"
	"sync/atomic"
	"syscall"
	"time"
	"unsafe"

	"golang.org/x/net/bpf"
	"golang.org/x/sys/unix"
)

// Frame is one received packet, from its network header on.
type Frame struct {
	// Data is the packet; ReadBatch slices it from the caller's buffer.
	Data []byte
	// EtherType is the packet's link-layer protocol (EtherTypeIPv4, ...).
	EtherType uint16
	// IfIndex is the interface it arrived on.
	IfIndex int
	// Outgoing is set for packets this machine sent (a packet socket sees
	// both directions); replies never are.
	Outgoing bool
}

// PacketConn is an AF_PACKET SOCK_DGRAM socket that hears every interface
// of its network namespace through a BPF filter, and sends link-layer
// frames (ARP, neighbour solicitations) on a chosen interface. Listening on
// all interfaces at once is what lets one scan span targets routed through
// different interfaces; the filter keeps everything else in the kernel.
type PacketConn struct {
	closed atomic.Bool
	f      *os.File
	rc     syscall.RawConn
	msgs   []unix.Mmsghdr
	iovs   []unix.Iovec
	sas    []unix.RawSockaddrLinklayer
}

// ListenPacket opens the socket with filter attached before it is bound,
// so no unfiltered packet is ever queued on it.
func ListenPacket(filter []bpf.RawInstruction) (*PacketConn, error) {
	if len(filter) == 0 {
		return nil, errors.New("packet socket: empty filter")
	}
	// Protocol 0: the socket receives nothing until bound below.
	fd, err := unix.Socket(unix.AF_PACKET, unix.SOCK_DGRAM|unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("open packet socket: %w", err)
	}
	prog := unix.SockFprog{Len: uint16(len(filter)), Filter: (*unix.SockFilter)(unsafe.Pointer(&filter[0]))}
	if err := unix.SetsockoptSockFprog(fd, unix.SOL_SOCKET, unix.SO_ATTACH_FILTER, &prog); err != nil {
		unix.Close(fd)
		return nil, fmt.Errorf("attach filter to packet socket: %w", err)
	}
	setBuffer(fd, unix.SO_RCVBUFFORCE, unix.SO_RCVBUF)
	if err := unix.Bind(fd, &unix.SockaddrLinklayer{Protocol: htons(unix.ETH_P_ALL)}); err != nil {
		unix.Close(fd)
		return nil, fmt.Errorf("bind packet socket: %w", err)
	}
	f := os.NewFile(uintptr(fd), "packet")
	rc, err := f.SyscallConn()
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("packet socket: %w", err)
	}
	return &PacketConn{f: f, rc: rc}, nil
}

func htons(v uint16) uint16 {
	var b [2]byte
	binary.BigEndian.PutUint16(b[:], v)
	return binary.NativeEndian.Uint16(b[:])
}

// ReadBatch reads up to len(frames) packets into the frames' Data buffers
// (each needs capacity for FilterSnapLen bytes), waiting until at least one
// arrives, the read deadline passes or the socket is closed. It returns how
// many frames were filled.
func (c *PacketConn) ReadBatch(frames []Frame) (int, error) {
	if len(frames) > len(c.msgs) {
		c.msgs = make([]unix.Mmsghdr, len(frames))
		c.iovs = make([]unix.Iovec, len(frames))
		c.sas = make([]unix.RawSockaddrLinklayer, len(frames))
	}
	for i := range frames {
		b := frames[i].Data[:cap(frames[i].Data)]
		if len(b) == 0 {
			return 0, errors.New("read packets: frame without buffer")
		}
		c.iovs[i] = unix.Iovec{Base: &b[0]}
		c.iovs[i].SetLen(len(b))
		m := &c.msgs[i]
		*m = unix.Mmsghdr{}
		m.Hdr.Iov = &c.iovs[i]
		m.Hdr.SetIovlen(1)
		m.Hdr.Name = (*byte)(unsafe.Pointer(&c.sas[i]))
		m.Hdr.Namelen = unix.SizeofSockaddrLinklayer
	}
	var n int
	var rerr error
	err := c.rc.Read(func(fd uintptr) bool {
		n, rerr = recvmmsg(int(fd), c.msgs[:len(frames)])
		return !errors.Is(rerr, unix.EAGAIN)
	})
	if err != nil {
		if c.closed.Load() {
			err = os.ErrClosed // RawConn reports an unexported "file closing" error
		}
		return 0, fmt.Errorf("read packets: %w", err)
	}
	if rerr != nil {
		return 0, fmt.Errorf("read packets: %w", rerr)
	}
	for i := range n {
		sa := &c.sas[i]
		fr := &frames[i]
		fr.Data = fr.Data[:min(int(c.msgs[i].Len), cap(fr.Data))]
		fr.EtherType = htons(sa.Protocol) // byte swap both ways
		fr.IfIndex = int(sa.Ifindex)
		fr.Outgoing = sa.Pkttype == unix.PACKET_OUTGOING
	}
	return n, nil
}

// SetReadDeadline bounds ReadBatch; a past time wakes a blocked reader.
func (c *PacketConn) SetReadDeadline(t time.Time) error {
	return c.f.SetReadDeadline(t)
}

// WriteTo sends a network-layer packet of the given Ethernet type to the
// link-layer address dst on interface ifIndex; the kernel adds the
// link-layer header.
func (c *PacketConn) WriteTo(ifIndex int, etherType uint16, dst net.HardwareAddr, data []byte) error {
	sa := &unix.SockaddrLinklayer{Protocol: htons(etherType), Ifindex: ifIndex, Halen: uint8(len(dst))}
	copy(sa.Addr[:], dst)
	var serr error
	err := c.rc.Write(func(fd uintptr) bool {
		serr = unix.Sendto(int(fd), data, 0, sa)
		return !errors.Is(serr, unix.EAGAIN)
	})
	if err == nil {
		err = serr
	}
	if err != nil {
		return fmt.Errorf("send frame on interface %d: %w", ifIndex, err)
	}
	return nil
}

// Drops returns how many packets that passed the filter the kernel dropped
// for lack of buffer space since the previous call: replies this process
// was too slow to read, which a scanner must treat as loss.
func (c *PacketConn) Drops() (uint64, error) {
	var st *unix.TpacketStats
	var serr error
	err := c.rc.Control(func(fd uintptr) {
		st, serr = unix.GetsockoptTpacketStats(int(fd), unix.SOL_PACKET, unix.PACKET_STATISTICS)
	})
	if err == nil {
		err = serr
	}
	if err != nil {
		return 0, fmt.Errorf("packet socket statistics: %w", err)
	}
	return uint64(st.Drops), nil
}

// Close closes the socket, waking a blocked ReadBatch.
func (c *PacketConn) Close() error {
	c.closed.Store(true)
	return c.f.Close()
}
