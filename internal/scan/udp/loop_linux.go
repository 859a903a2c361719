//go:build linux

package udp

import (
	"container/heap"
	mrand "math/rand/v2"
	"net/netip"
	"time"

	"github.com/portwatch/portwatch/internal/scan"
	"golang.org/x/sys/unix"
)

// Datagram timing within one probe. A port's first datagram goes alone;
// the others follow after about two round trips if nothing answered yet,
// so a closed port costs the target one ICMP message (a rate-limited
// resource) rather than one per datagram. After a first answer the socket
// lingers as long for answers to the other datagrams, which may name the
// product better.
const (
	minFollowup     = time.Millisecond
	maxFollowup     = 50 * time.Millisecond
	initialFollowup = 10 * time.Millisecond // before any round trip was measured
	minLinger       = 2 * time.Millisecond
	maxLinger       = 50 * time.Millisecond
)

// Bounds on what one probe keeps.
const (
	maxReplies         = 8
	maxReplyBytes      = 4096
	maxResourceRetries = 50
)

// probe is one port being measured: its socket, its datagrams, its tries.
type probe struct {
	host      *hostState
	port      uint16
	datagrams [][]byte
	anySource bool // unconnected socket: answers may come from another port
	try       int
	next      int // next datagram of this try to send
	sent      int // datagrams sent over all tries
	fd        int
	seq       uint64
	start     time.Time // this try's first datagram
	sentAt    time.Time // this try's last datagram
	replies   [][]byte
	resource  int  // openings that failed for local reasons
	lingering bool // answered; waiting briefly for more answers
	done      bool
}

// timer is a probe's next action: follow-up datagrams, deadline or end of
// lingering. Entries of finished or re-armed probes are skipped lazily.
// loop drives up to window probes from one goroutine with epoll: no
// goroutine or timer per probe, and answers timed when the kernel reports
// them.
type loop struct {
	r        *run
	epfd     int
	window   int
	inflight map[int]*probe
	timers   scan.FDDeadlineHeap
	resend   []*probe // silent probes due for another try (socket open)
	reopen   []*probe // probes whose socket could not be opened yet
	seq      uint64
	events   []unix.EpollEvent
	buf      []byte
	oob      []byte
	rnd      mrand.Source
	workOpen bool
}

func newLoop(r *run, window int) (*loop, error) {
	epfd, err := unix.EpollCreate1(unix.EPOLL_CLOEXEC)
	if err != nil {
		return nil, err
	}
	return &loop{r: r, epfd: epfd, window: window, inflight: map[int]*probe{}, events: make([]unix.EpollEvent, 256),
		buf: make([]byte, 65536), oob: make([]byte, 512), rnd: newRand(), workOpen: true}, nil
}

// run probes work items until the channel is closed and every probe has
// finished, or the scan is cancelled.
func (l *loop) run(work <-chan workItem) {
	defer l.close()
	for l.r.ctx.Err() == nil {
		wait := l.fill(work)
		if len(l.inflight) == 0 && len(l.reopen) == 0 && !l.workOpen {
			return
		}
		l.poll(wait)
		l.expire()
	}
}

// fill sends due retries, then opens probes until the window is full; it
// returns how long the next poll may sleep.
func (l *loop) fill(work <-chan workItem) time.Duration {
	for len(l.resend) > 0 {
		if d := l.r.pace.Take(); d > 0 {
			return d
		}
		p := l.resend[0]
		l.resend = l.resend[1:]
		if !p.done {
			l.startTry(p)
		}
	}
	for len(l.inflight) < l.window {
		if d := l.r.pace.Take(); d > 0 {
			return d
		}
		p := l.next(work)
		if p == nil {
			break
		}
		l.open(p)
	}
	if l.workOpen && len(l.inflight) < l.window {
		return time.Millisecond // more work may arrive any moment
	}
	return time.Second // bounded by the nearest timer in poll
}

// next takes a probe to reopen, else a new item: blocking only when nothing
// is in flight (there is nothing else to wait for).
func (l *loop) next(work <-chan workItem) *probe {
	if n := len(l.reopen); n > 0 {
		p := l.reopen[n-1]
		l.reopen = l.reopen[:n-1]
		return p
	}
	if !l.workOpen {
		return nil
	}
	var it workItem
	var ok bool
	if len(l.inflight) == 0 {
		select {
		case it, ok = <-work:
		case <-l.r.ctx.Done():
			return nil
		}
	} else {
		select {
		case it, ok = <-work:
		default:
			return nil
		}
	}
	if !ok {
		l.workOpen = false
		return nil
	}
	return &probe{host: it.host, port: it.port, fd: -1}
}

// open builds a probe's datagrams, opens its socket and sends its first try.
func (l *loop) open(p *probe) {
	if p.datagrams == nil {
		p.datagrams, p.anySource = l.r.datagrams(netip.AddrPortFrom(p.host.addr, p.port), l.rnd)
	}
	fd, err := l.socket(p)
	if err != nil {
		if isResourceError(err) && p.resource < maxResourceRetries {
			// Not the port's fault: the same probe again later, with fewer
			// sockets in flight.
			p.resource++
			l.reopen = append(l.reopen, p)
			l.window = max(1, l.window*3/4)
			return
		}
		l.finishErr(p, err)
		return
	}
	ev := unix.EpollEvent{Events: unix.EPOLLIN | unix.EPOLLERR, Fd: int32(fd)}
	if err := unix.EpollCtl(l.epfd, unix.EPOLL_CTL_ADD, fd, &ev); err != nil {
		unix.Close(fd)
		l.finishErr(p, err)
		return
	}
	l.seq++
	p.fd, p.seq = fd, l.seq
	l.inflight[fd] = p
	l.startTry(p)
}

// socket opens a probe's socket.
func (l *loop) socket(p *probe) (int, error) {
	return openProbeSocket(l.r.open, netip.AddrPortFrom(p.host.addr, p.port), p.anySource)
}

// startTry sends a try's first datagram and arms the follow-up or deadline.
func (l *loop) startTry(p *probe) {
	now := l.r.now()
	p.start, p.sentAt, p.next = now, now, 0
	l.r.prog.Sent.Add(1)
	if !l.send(p, 1) {
		return
	}
	if p.next < len(p.datagrams) {
		l.arm(p, now.Add(l.followup(p.host)))
		return
	}
	l.armDeadline(p)
}

// armDeadline arms the check of a try's deadline: sentAt plus the host's
// timeout. The estimate shrinks as answers arrive (before the first, it is
// the initial timeout), so the check comes at the earliest the deadline
// could be, and expire re-arms it while the current estimate says wait.
func (l *loop) armDeadline(p *probe) {
	l.arm(p, p.sentAt.Add(min(l.timeout(p), l.r.s.Timing.Min<<p.try)))
}

// send sends up to n more datagrams of the current try. It returns false
// when the probe finished because sending failed.
func (l *loop) send(p *probe, n int) bool {
	for ; n > 0 && p.next < len(p.datagrams); n-- {
		err := sendDatagram(p.fd, p.datagrams[p.next], netip.AddrPortFrom(p.host.addr, p.port), p.anySource)
		p.next++
		if err == nil {
			p.sent++
			continue
		}
		if isResourceError(err) {
			continue // as if lost on the way: silence is retried
		}
		// An ICMP error for an earlier datagram makes the next send fail;
		// the queued message says more than the errno.
		if !l.readError(p) {
			l.finishErr(p, err)
		}
		return false
	}
	return true
}

// timeout is the host's adaptive timeout, doubled for each retry.
func (l *loop) timeout(p *probe) time.Duration { return p.host.rtt.Timeout() << p.try }

// followup is how long a probe's first datagram waits alone.
func (l *loop) followup(h *hostState) time.Duration {
	srtt, ok := h.rtt.Smoothed()
	if !ok {
		return initialFollowup
	}
	return min(max(2*srtt, minFollowup), maxFollowup)
}

func (l *loop) linger(h *hostState) time.Duration {
	srtt, _ := h.rtt.Smoothed()
	return min(max(2*srtt, minLinger), maxLinger)
}

func (l *loop) arm(p *probe, at time.Time) {
	l.seq++
	p.seq = l.seq
	heap.Push(&l.timers, scan.FDDeadline{At: at, FD: p.fd, Seq: p.seq})
}

// poll waits for answers and ICMP errors, at most until the nearest timer.
func (l *loop) poll(limit time.Duration) {
	if len(l.timers) > 0 {
		limit = min(limit, l.timers[0].At.Sub(l.r.now()))
	}
	ms := max(0, int((limit+time.Millisecond-1)/time.Millisecond))
	n, err := unix.EpollWait(l.epfd, l.events, ms)
	if err != nil {
		return // EINTR: loop again
	}
	for _, ev := range l.events[:n] {
		p, ok := l.inflight[int(ev.Fd)]
		if !ok {
			continue
		}
		if ev.Events&unix.EPOLLIN != 0 {
			l.read(p)
		}
		if !p.done && ev.Events&unix.EPOLLERR != 0 && !l.readError(p) {
			_, _ = unix.GetsockoptInt(p.fd, unix.SOL_SOCKET, unix.SO_ERROR) // clear a stray error
		}
	}
}

// read takes the answers queued on a probe's socket.
func (l *loop) read(p *probe) {
	before := len(p.replies)
	p.replies = receive(p.fd, l.buf, p.host.addr, p.anySource, p.replies)
	if len(p.replies) == before {
		return
	}
	if before == 0 {
		l.observe(p)
	}
	// More datagrams went out than answers came back: wait a moment for
	// the others' answers, which may identify the service better.
	if l.r.s.ServiceDetection && len(p.replies) < min(p.sent, maxReplies) {
		if !p.lingering {
			p.lingering = true
			l.arm(p, l.r.now().Add(l.linger(p.host)))
		}
		return
	}
	l.finishOpen(p)
}

// observe feeds the host's round-trip estimate, but only from a probe with
// a single datagram out, whose answer cannot belong to another (Karn).
func (l *loop) observe(p *probe) {
	if p.sent == 1 {
		p.host.rtt.Observe(l.r.now().Sub(p.start))
	}
}

// readError reads the socket's error queue; it reports whether an ICMP
// error finished the probe.
func (l *loop) readError(p *probe) bool {
	for range 4 { // one entry per datagram at most
		state, reason, ok := scan.ReadICMPError(p.fd, l.oob)
		if !ok {
			continue
		}
		if len(p.replies) > 0 {
			return false // answered already: the port is open
		}
		if reason == scan.ReasonPortUnreachable {
			p.host.notePortUnreachable(p.port)
			l.observe(p)
		}
		l.finish(p, state, reason)
		return true
	}
	return false
}

// expire acts on due timers: send follow-ups, end lingering, re-check a
// deadline against the current estimate, retry or give up.
func (l *loop) expire() {
	now := l.r.now()
	for len(l.timers) > 0 && !l.timers[0].At.After(now) {
		t := heap.Pop(&l.timers).(scan.FDDeadline)
		p, ok := l.inflight[t.FD]
		if !ok || p.seq != t.Seq || p.done {
			continue
		}
		switch {
		case p.lingering:
			l.finishOpen(p)
		case p.next < len(p.datagrams):
			p.sentAt = now
			if l.send(p, len(p.datagrams)) {
				l.armDeadline(p)
			}
		case now.Before(p.sentAt.Add(l.timeout(p))):
			l.arm(p, p.sentAt.Add(l.timeout(p)))
		case p.try < l.r.s.Timing.Retries:
			p.try++
			l.resend = append(l.resend, p)
		default:
			l.finish(p, scan.OpenFiltered, scan.ReasonNoResponse)
		}
	}
}

func (l *loop) finishOpen(p *probe) { l.finish(p, scan.Open, scan.ReasonUDPResponse) }

// finishErr ends a probe on a local error (no route, firewall).
func (l *loop) finishErr(p *probe, err error) {
	state, reason := classifyErrno(err)
	l.finish(p, state, reason)
}

// finish closes a probe's socket and reports its port.
func (l *loop) finish(p *probe, state scan.PortState, reason scan.Reason) {
	p.done = true
	if p.fd >= 0 {
		delete(l.inflight, p.fd)
		unix.Close(p.fd)
		p.fd = -1
	}
	res := scan.PortResult{Addr: p.host.addr, Protocol: scan.UDP, Port: p.port, State: state, Reason: reason}
	if reason != scan.ReasonNoResponse && !p.start.IsZero() {
		res.RTT = l.r.now().Sub(p.start)
	}
	l.r.finish(p.host, res, p.replies, false)
}

func (l *loop) close() {
	for fd := range l.inflight {
		unix.Close(fd)
	}
	unix.Close(l.epfd)
}
