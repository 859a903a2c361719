package rawnet

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"sync"
	"time"

	"golang.org/x/sys/unix"
)

// netlinkTimeout bounds one request; the kernel answers route and link
// queries at once, so this only guards against a lost datagram.
const netlinkTimeout = 2 * time.Second

// Router answers "how would this machine reach that address?" from the
// kernel's routing tables over a NETLINK_ROUTE socket (RTM_GETROUTE, as `ip
// route get` does), and describes output interfaces (RTM_GETLINK). The
// socket belongs to the namespace it was opened in. Safe for concurrent use.
type Router struct {
	mu    sync.Mutex
	fd    int
	seq   uint32
	buf   []byte
	links map[int]Link
}

// OpenRouter opens the netlink socket.
func OpenRouter() (*Router, error) {
	fd, err := unix.Socket(unix.AF_NETLINK, unix.SOCK_RAW|unix.SOCK_CLOEXEC, unix.NETLINK_ROUTE)
	if err != nil {
		return nil, fmt.Errorf("open netlink socket: %w", err)
	}
	tv := unix.NsecToTimeval(netlinkTimeout.Nanoseconds())
	if err := unix.SetsockoptTimeval(fd, unix.SOL_SOCKET, unix.SO_RCVTIMEO, &tv); err != nil {
		unix.Close(fd)
		return nil, fmt.Errorf("netlink socket timeout: %w", err)
	}
	if err := unix.Bind(fd, &unix.SockaddrNetlink{Family: unix.AF_NETLINK}); err != nil {
		unix.Close(fd)
		return nil, fmt.Errorf("bind netlink socket: %w", err)
	}
	return &Router{fd: fd, buf: make([]byte, 64<<10), links: map[int]Link{}}, nil
}

// Lookup returns the route to dst, with its output interface described.
// Unroutable destinations give an error wrapping ErrNetUnreachable,
// ErrHostUnreachable or ErrProhibited.
func (r *Router) Lookup(ctx context.Context, dst netip.Addr) (Route, error) {
	if err := ctx.Err(); err != nil {
		return Route{}, err
	}
	dst = dst.Unmap()
	r.mu.Lock()
	defer r.mu.Unlock()
	r.seq++
	b, err := r.roundTrip(routeRequest(r.seq, dst), r.seq)
	if err != nil {
		return Route{}, fmt.Errorf("route to %s: %w", dst, err)
	}
	rt, err := parseRouteReply(b, r.seq, dst)
	if err != nil {
		return Route{}, err
	}
	l, err := r.link(rt.Link.Index)
	if err != nil {
		return Route{}, fmt.Errorf("route to %s: %w", dst, err)
	}
	rt.Link = l
	return rt, nil
}

// link returns an interface, from the cache when it was seen before.
// Callers hold r.mu.
func (r *Router) link(index int) (Link, error) {
	if l, ok := r.links[index]; ok {
		return l, nil
	}
	r.seq++
	b, err := r.roundTrip(linkRequest(r.seq, index), r.seq)
	if err != nil {
		return Link{}, fmt.Errorf("interface %d: %w", index, err)
	}
	l, err := parseLinkReply(b, r.seq)
	if err != nil {
		return Link{}, fmt.Errorf("interface %d: %w", index, err)
	}
	r.links[index] = l
	return l, nil
}

// roundTrip sends a request and returns the datagram that answers it,
// skipping stale answers to earlier requests.
func (r *Router) roundTrip(req []byte, seq uint32) ([]byte, error) {
	if err := unix.Sendto(r.fd, req, 0, &unix.SockaddrNetlink{Family: unix.AF_NETLINK}); err != nil {
		return nil, fmt.Errorf("netlink send: %w", err)
	}
	for {
		n, _, err := unix.Recvfrom(r.fd, r.buf, 0)
		if errors.Is(err, unix.EINTR) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("netlink receive: %w", err)
		}
		msgs, err := parseNetlink(r.buf[:n])
		if err != nil {
			return nil, err
		}
		for _, m := range msgs {
			if m.seq == seq {
				return r.buf[:n], nil
			}
		}
	}
}

// Close closes the netlink socket.
func (r *Router) Close() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.fd < 0 {
		return nil
	}
	err := unix.Close(r.fd)
	r.fd = -1
	return err
}
