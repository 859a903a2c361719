//go:build linux

package udp

import (
	"fmt"
	mrand "math/rand/v2"
	"net/netip"
	"time"

	"github.com/portwatch/portwatch/internal/scan"
	"golang.org/x/sys/unix"
)

// confirmer re-probes one host's silent ports. Each attempt sends the
// port's datagrams and, right behind them, an empty datagram to the
// host's canary, a port known to answer ICMP port-unreachable:
//
//   - the port answers (datagram or ICMP error): that is its state;
//   - only the canary answers: the host could send an ICMP error, and the
//     port's datagrams, which arrived first, did not make it send one: the
//     port is silent for real (open|filtered). Since Linux 6.x draws the
//     cost of each ICMP error from its global budget at random, this must
//     be seen twice;
//   - neither answers: the host's ICMP budget is spent; try again later.
//
// Attempts to a host start gap apart. The gap grows (×2, up to the scan's
// ConfirmInterval) when neither answered and shrinks slowly (×7/8) when
// something did, so it settles at the host's ICMP rate, whatever its
// limits: Linux refills its per-destination budget continuously, and an
// attempt that finds it empty costs nothing but time. If
// the host handles the canary's datagram first (another CPU), the port
// merely stays open|filtered: only an answer ever changes a state.
type confirmer struct {
	r        *run
	h        *hostState
	interval time.Duration
	gap      time.Duration
	next     time.Time // earliest start of the next attempt
	canary   int       // socket connected to the canary port; -1 if none
	rnd      mrand.Source
	buf, oob []byte
}

func newConfirmer(r *run, h *hostState, interval time.Duration) *confirmer {
	return &confirmer{r: r, h: h, interval: interval, gap: minConfirmGap, canary: -1, rnd: newRand(),
		buf: make([]byte, 65536), oob: make([]byte, 512)}
}

func (c *confirmer) close() {
	if c.canary >= 0 {
		unix.Close(c.canary)
	}
}

// port confirms one port; err means it could not be probed at all.
func (c *confirmer) port(port uint16) (scan.PortResult, [][]byte, error) {
	dst := netip.AddrPortFrom(c.h.addr, port)
	res := silentResult(c.h.addr, port)
	if c.canary < 0 {
		fd, err := openProbeSocket(c.r.open, netip.AddrPortFrom(c.h.addr, uint16(c.h.canary.Load())), false)
		if err != nil {
			return res, nil, fmt.Errorf("canary socket: %w", err)
		}
		c.canary = fd
	}
	datagrams, anySource := c.r.datagrams(dst, c.rnd)
	fd, err := openProbeSocket(c.r.open, dst, anySource)
	if err != nil {
		return res, nil, fmt.Errorf("probe socket: %w", err)
	}
	defer unix.Close(fd)
	silences := 0
	for range maxConfirmAttempts {
		if !c.sleep(c.next.Sub(c.r.now())) {
			break
		}
		start := c.r.now()
		for _, d := range datagrams {
			_ = sendDatagram(fd, d, dst, anySource) // a failure shows as silence or on the error queue
		}
		_, _ = unix.Write(c.canary, nil)
		c.r.prog.Sent.Add(1)
		state, reason, replies, canaryAnswered := c.wait(fd, anySource, c.h.rtt.Timeout())
		answered := len(replies) > 0 || state != "" || canaryAnswered
		if answered {
			c.gap = max(c.gap*7/8, minConfirmGap)
		} else {
			c.gap = min(2*c.gap, c.interval)
		}
		c.next = start.Add(c.gap)
		switch {
		case len(replies) > 0:
			res.State, res.Reason, res.RTT = scan.Open, scan.ReasonUDPResponse, c.r.now().Sub(start)
			return res, replies, nil
		case state != "":
			res.State, res.Reason, res.RTT = state, reason, c.r.now().Sub(start)
			return res, nil, nil
		case canaryAnswered:
			if silences++; silences == confirmSilences {
				return res, nil, nil
			}
		}
	}
	return res, nil, nil
}

// wait polls the probe and canary sockets until the probe is answered,
// the canary is (and the probe had as long again to be), or timeout.
func (c *confirmer) wait(fd int, anySource bool, timeout time.Duration) (scan.PortState, scan.Reason, [][]byte, bool) {
	deadline := c.r.now().Add(timeout)
	canaryAnswered := false
	var replies [][]byte
	for c.r.ctx.Err() == nil {
		left := deadline.Sub(c.r.now())
		if left <= 0 {
			break
		}
		fds := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLIN}, {Fd: int32(c.canary), Events: unix.POLLIN}}
		if _, err := unix.Poll(fds, int(min(left, 100*time.Millisecond)/time.Millisecond)+1); err != nil {
			continue // EINTR
		}
		if fds[0].Revents&unix.POLLIN != 0 {
			if replies = receive(fd, c.buf, c.h.addr, anySource, replies); len(replies) > 0 {
				return "", "", replies, canaryAnswered
			}
		}
		if fds[0].Revents&unix.POLLERR != 0 {
			if state, reason, ok := scan.ReadICMPError(fd, c.oob); ok {
				return state, reason, nil, canaryAnswered
			}
			_, _ = unix.GetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_ERROR)
		}
		if fds[1].Revents&unix.POLLERR != 0 {
			if _, reason, ok := scan.ReadICMPError(c.canary, c.oob); ok && reason == scan.ReasonPortUnreachable && !canaryAnswered {
				canaryAnswered = true
				// The probe's answer, if any, left the host first: give it
				// a little time in case it was handled on another CPU.
				deadline = c.r.now().Add(min(timeout, 2*time.Millisecond))
			}
			_, _ = unix.GetsockoptInt(c.canary, unix.SOL_SOCKET, unix.SO_ERROR)
		}
		if fds[1].Revents&unix.POLLIN != 0 {
			_ = receive(c.canary, c.buf, c.h.addr, false, nil) // the canary opened meanwhile: drain
		}
	}
	return "", "", nil, canaryAnswered
}

// sleep waits d unless the scan ends; it reports whether the scan goes on.
func (c *confirmer) sleep(d time.Duration) bool {
	if d <= 0 {
		return c.r.ctx.Err() == nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-c.r.ctx.Done():
		return false
	}
}
