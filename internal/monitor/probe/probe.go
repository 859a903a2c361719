// Package probe checks one endpoint once, the way a monitor does: a TCP
// handshake (open, closed or filtered, with the handshake time as RTT) or
// a UDP request (any answer is open, ICMP port-unreachable is closed,
// silence is open|filtered). Each check holds one socket for at most its
// timeout and closes it with SO_LINGER 0, so thousands of checks a second
// leave no TIME_WAIT behind.
package probe

import (
	"context"
	"errors"
	"math/rand/v2"
	"net"
	"net/netip"
	"os"
	"syscall"
	"time"

	"github.com/portwatch/portwatch/internal/model"
	"github.com/portwatch/portwatch/internal/scan"
	"github.com/portwatch/portwatch/internal/scan/udp/payloads"
)

// Result is what one check saw.
type Result struct {
	State  scan.PortState
	Reason scan.Reason
	// RTT is the TCP handshake time, or the UDP request-to-answer time;
	// zero when nothing answered.
	RTT time.Duration
	// Err is set for local failures (no route, out of file descriptors)
	// that say nothing about the endpoint; State is then filtered with
	// reason error.
	Err error
}

// Prober checks endpoints. The zero value is ready to use.
type Prober struct {
	// Payloads supplies UDP requests (default payloads.Default()).
	Payloads *payloads.Registry
}

// Check checks ep once within timeout (and ctx).
func (p *Prober) Check(ctx context.Context, ep model.Endpoint, timeout time.Duration) Result {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	addr := netip.AddrPortFrom(ep.Addr, ep.Port)
	if ep.Protocol == scan.UDP {
		return p.checkUDP(ctx, addr)
	}
	return checkTCP(ctx, addr)
}

// checkTCP completes a handshake and resets the connection at once.
func checkTCP(ctx context.Context, addr netip.AddrPort) Result {
	var d net.Dialer
	start := time.Now()
	conn, err := d.DialContext(ctx, "tcp", addr.String())
	rtt := time.Since(start)
	if err == nil {
		if tc, ok := conn.(*net.TCPConn); ok {
			_ = tc.SetLinger(0)
		}
		conn.Close()
		return Result{State: scan.Open, Reason: scan.ReasonSynAck, RTT: rtt}
	}
	if errors.Is(err, syscall.ECONNRESET) {
		// A reset of an established connection: the SYN-ACK came (a RST
		// to the SYN itself is ECONNREFUSED) and the peer reset before
		// the connect was reaped, as SYN proxies with nothing behind a
		// port and services that close at once on a busy host do.
		return Result{State: scan.Open, Reason: scan.ReasonSynAck, RTT: rtt}
	}
	return classify(ctx, err)
}

// classify maps a failed connect or read to a state and reason.
func classify(ctx context.Context, err error) Result {
	var errno syscall.Errno
	switch {
	case errors.As(err, &errno):
		switch errno {
		case syscall.ECONNREFUSED:
			return Result{State: scan.Closed, Reason: scan.ReasonConnRefused}
		case syscall.EHOSTUNREACH, syscall.EHOSTDOWN:
			return Result{State: scan.Filtered, Reason: scan.ReasonHostUnreachable}
		case syscall.ENETUNREACH:
			return Result{State: scan.Filtered, Reason: scan.ReasonNetUnreachable}
		case syscall.EACCES, syscall.EPERM:
			// A local firewall refused to send.
			return Result{State: scan.Filtered, Reason: scan.ReasonAdminProhibited}
		case syscall.ETIMEDOUT:
			return Result{State: scan.Filtered, Reason: scan.ReasonNoResponse}
		}
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, os.ErrDeadlineExceeded):
		return Result{State: scan.Filtered, Reason: scan.ReasonNoResponse}
	case ctx.Err() != nil:
		return Result{State: scan.Filtered, Reason: scan.ReasonNoResponse, Err: ctx.Err()}
	}
	return Result{State: scan.Filtered, Reason: scan.ReasonError, Err: err}
}

// checkUDP sends the port's requests on a connected socket and waits for
// any answer or an ICMP port-unreachable.
func (p *Prober) checkUDP(ctx context.Context, addr netip.AddrPort) Result {
	reg := p.Payloads
	if reg == nil {
		reg = payloads.Default()
	}
	var d net.Dialer
	conn, err := d.DialContext(ctx, "udp", addr.String())
	if err != nil {
		return classify(ctx, err)
	}
	defer conn.Close()
	deadline, _ := ctx.Deadline()
	if err := conn.SetDeadline(deadline); err != nil {
		return Result{State: scan.Filtered, Reason: scan.ReasonError, Err: err}
	}
	rng := rand.NewPCG(rand.Uint64(), rand.Uint64())
	start := time.Now()
	for _, pl := range reg.For(addr.Port()) {
		if pl.AnySourcePort {
			continue // answers come from another port; a connected socket never sees them
		}
		// An ICMP error to an earlier datagram fails a later write.
		if _, err := conn.Write(pl.Build(payloads.Request{Dst: addr, Rand: rng})); err != nil {
			return udpFailure(ctx, err)
		}
	}
	buf := make([]byte, 2048)
	if _, err := conn.Read(buf); err != nil {
		return udpFailure(ctx, err)
	}
	return Result{State: scan.Open, Reason: scan.ReasonUDPResponse, RTT: time.Since(start)}
}

// udpFailure classifies a failed UDP write or read: a refusal is the ICMP
// port-unreachable, silence leaves the port open|filtered.
func udpFailure(ctx context.Context, err error) Result {
	r := classify(ctx, err)
	switch r.Reason {
	case scan.ReasonConnRefused:
		r.Reason = scan.ReasonPortUnreachable
	case scan.ReasonNoResponse:
		r.State = scan.OpenFiltered
	}
	return r
}
