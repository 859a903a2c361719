package rawnet

import (
	"errors"
	"fmt"
	"net/netip"
	"os"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

// socketBufferSize is the send and receive buffer raw sockets ask for: a
// few thousand packets, enough to ride out a scheduling hiccup at 100,000
// packets per second.
const socketBufferSize = 8 << 20

// Packet is one IP packet to send, header included.
type Packet struct {
	Dst  netip.Addr
	Data []byte
}

// Sender sends complete IP packets (IP_HDRINCL) through raw IPv4 and IPv6
// sockets, many per system call. It is not safe for concurrent use.
type Sender struct {
	f4, f6   *os.File
	rc4, rc6 syscall.RawConn
	msgs     []unix.Mmsghdr
	iovs     []unix.Iovec
	sa4      []unix.RawSockaddrInet4
	sa6      []unix.RawSockaddrInet6
}

// MaxBatch is the most packets one Send system call carries.
const MaxBatch = 64

// OpenSender opens raw send sockets for both IP families. It fails only if
// neither family can be opened (the error then says why, typically a
// missing CAP_NET_RAW).
func OpenSender() (*Sender, error) {
	s := &Sender{
		msgs: make([]unix.Mmsghdr, MaxBatch),
		iovs: make([]unix.Iovec, MaxBatch),
		sa4:  make([]unix.RawSockaddrInet4, MaxBatch),
		sa6:  make([]unix.RawSockaddrInet6, MaxBatch),
	}
	var err4, err6 error
	s.f4, s.rc4, err4 = openRawIP(unix.AF_INET)
	s.f6, s.rc6, err6 = openRawIP(unix.AF_INET6)
	if err4 != nil && err6 != nil {
		return nil, err4
	}
	return s, nil
}

// openRawIP opens a non-blocking IPPROTO_RAW socket, which implies
// IP_HDRINCL for IPv4 and IPv6 alike, and hands it to the runtime poller.
func openRawIP(family int) (*os.File, syscall.RawConn, error) {
	name := map[int]string{unix.AF_INET: "ipv4", unix.AF_INET6: "ipv6"}[family]
	fd, err := unix.Socket(family, unix.SOCK_RAW|unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, unix.IPPROTO_RAW)
	if err != nil {
		return nil, nil, fmt.Errorf("open raw %s socket: %w", name, err)
	}
	setBuffer(fd, unix.SO_SNDBUFFORCE, unix.SO_SNDBUF)
	f := os.NewFile(uintptr(fd), "raw-"+name)
	rc, err := f.SyscallConn()
	if err != nil {
		f.Close()
		return nil, nil, fmt.Errorf("raw %s socket: %w", name, err)
	}
	return f, rc, nil
}

// setBuffer asks for socketBufferSize with the privileged option (which
// ignores the system maximum) and falls back to the plain one.
func setBuffer(fd, force, plain int) {
	if unix.SetsockoptInt(fd, unix.SOL_SOCKET, force, socketBufferSize) != nil {
		_ = unix.SetsockoptInt(fd, unix.SOL_SOCKET, plain, socketBufferSize)
	}
}

// Supports reports whether packets to addresses of a's family can be sent.
func (s *Sender) Supports(a netip.Addr) bool {
	if a.Is4() {
		return s.f4 != nil
	}
	return s.f6 != nil
}

// Send sends pkts in order, batching consecutive packets of one family
// into one sendmmsg call. It returns how many were sent; when that is fewer
// than len(pkts), err is why pkts[n] was not (for instance
// syscall.ENETUNREACH, or syscall.ENOBUFS when the kernel is out of buffer
// space), and the caller decides whether to skip or repeat it.
func (s *Sender) Send(pkts []Packet) (int, error) {
	sent := 0
	for sent < len(pkts) {
		v4 := pkts[sent].Dst.Is4()
		end := sent + 1
		for end < len(pkts) && end-sent < MaxBatch && pkts[end].Dst.Is4() == v4 {
			end++
		}
		n, err := s.sendRun(pkts[sent:end], v4)
		sent += n
		if err != nil {
			return sent, err
		}
	}
	return sent, nil
}

// sendRun sends packets of one family, waiting while the socket buffer is
// full.
func (s *Sender) sendRun(pkts []Packet, v4 bool) (int, error) {
	rc := s.rc6
	if v4 {
		rc = s.rc4
	}
	if rc == nil {
		return 0, fmt.Errorf("send to %s: %w", pkts[0].Dst, syscall.EAFNOSUPPORT)
	}
	for i, p := range pkts {
		s.iovs[i] = unix.Iovec{Base: unsafe.SliceData(p.Data)}
		s.iovs[i].SetLen(len(p.Data))
		m := &s.msgs[i].Hdr
		*m = unix.Msghdr{Iov: &s.iovs[i]}
		m.SetIovlen(1)
		if v4 {
			s.sa4[i] = unix.RawSockaddrInet4{Family: unix.AF_INET, Addr: p.Dst.As4()}
			m.Name = (*byte)(unsafe.Pointer(&s.sa4[i]))
			m.Namelen = unix.SizeofSockaddrInet4
		} else {
			s.sa6[i] = unix.RawSockaddrInet6{Family: unix.AF_INET6, Addr: p.Dst.As16()}
			m.Name = (*byte)(unsafe.Pointer(&s.sa6[i]))
			m.Namelen = unix.SizeofSockaddrInet6
		}
	}
	done := 0
	var serr error
	err := rc.Write(func(fd uintptr) bool {
		for done < len(pkts) {
			n, err := sendmmsg(int(fd), s.msgs[done:len(pkts)])
			if errors.Is(err, unix.EAGAIN) {
				return false // wait until writable
			}
			if err != nil {
				serr = err
				return true
			}
			done += n
		}
		return true
	})
	if err != nil {
		return done, fmt.Errorf("send: %w", err)
	}
	if serr != nil {
		return done, fmt.Errorf("send to %s: %w", pkts[done].Dst, serr)
	}
	return done, nil
}

// Close closes the sockets.
func (s *Sender) Close() error {
	var errs []error
	for _, f := range []*os.File{s.f4, s.f6} {
		if f != nil {
			errs = append(errs, f.Close())
		}
	}
	return errors.Join(errs...)
}
