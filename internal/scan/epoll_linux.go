//go:build linux

package scan

import (
	"container/heap"
	"errors"
	"net/netip"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// Young attempts (see epollLoop.youngLimit): an attempt is young for four
// smoothed round trips of the scan, within [minYoungAge, maxYoungAge], long
// enough for an answer to come back.
const (
	minYoungAge  = time.Millisecond
	maxYoungAge  = 20 * time.Millisecond
	youngPerLoop = 128
)

// errSilence stands for an attempt that met no answer before its deadline.
var errSilence = syscall.ETIMEDOUT

// attempt is one in-flight non-blocking connect.
type attempt struct {
	host     *hostState
	port     uint16
	try      int
	resource int // attempts that failed for local reasons
	start    time.Time
	deadline time.Time
	fd       int
	seq      uint64
	young    bool // counted in epollLoop.young
}

// epollLoop drives up to window non-blocking connects from one goroutine:
// no goroutine, timer or context per attempt, and round trips measured when
// the kernel reports them rather than when a goroutine gets scheduled.
type epollLoop struct {
	r      *run
	epfd   int
	window int
	// youngLimit bounds attempts younger than run.youngAge. Answers come back
	// within a round trip, so on a responsive host only young attempts
	// matter and a small number of them keeps the CPU busy probing, not
	// queueing; silent attempts grow old and only the window bounds them.
	youngLimit int
	young      int
	fifo       []*attempt // attempts in start order, for ageing
	inflight   map[int]*attempt
	timers     FDDeadlineHeap
	retry      []*attempt
	seq        uint64
	events     []unix.EpollEvent
	oob        []byte // control-message buffer for error-queue reads
	workOpen   bool
}

// hasEpollEngine reports whether the event-loop engine exists here.
func hasEpollEngine() bool { return true }

// runEpoll scans work items with an event loop; it returns when the work
// channel is closed and every attempt has finished, or ctx ends.
func (r *run) runEpoll(work <-chan workItem, window int) error {
	epfd, err := unix.EpollCreate1(unix.EPOLL_CLOEXEC)
	if err != nil {
		return err
	}
	l := &epollLoop{r: r, epfd: epfd, window: window, youngLimit: min(window, youngPerLoop), inflight: map[int]*attempt{},
		events: make([]unix.EpollEvent, 256), oob: make([]byte, 256), workOpen: true}
	defer l.close()
	for {
		if r.ctx.Err() != nil {
			return nil
		}
		wait := l.fill(work)
		if len(l.inflight) == 0 && len(l.retry) == 0 && !l.workOpen {
			return nil
		}
		l.poll(wait)
		l.expire()
	}
}

// fill starts attempts until the window is full; it returns how long the
// next poll may sleep.
func (l *epollLoop) fill(work <-chan workItem) time.Duration {
	l.age()
	for len(l.inflight) < l.window && l.young < l.youngLimit {
		if d := l.r.pace.Take(); d > 0 {
			return d
		}
		a := l.next(work)
		if a == nil {
			break
		}
		if a.host.down.Load() {
			l.r.prog.Done.Add(1)
			continue
		}
		l.start(a)
	}
	if l.young >= l.youngLimit && len(l.fifo) > 0 {
		return max(time.Millisecond, l.fifo[0].start.Add(l.r.youngAge()).Sub(l.r.now()))
	}
	if l.workOpen && len(l.inflight) < l.window {
		return time.Millisecond // more work may arrive any moment
	}
	return time.Second // bounded by the nearest deadline in poll
}

// next takes a retry, else a new item: blocking only when nothing is in
// flight (there is nothing else to wait for).
func (l *epollLoop) next(work <-chan workItem) *attempt {
	if n := len(l.retry); n > 0 {
		a := l.retry[n-1]
		l.retry = l.retry[:n-1]
		return a
	}
	if !l.workOpen {
		return nil
	}
	if len(l.inflight) == 0 {
		select {
		case it, ok := <-work:
			return l.item(it, ok)
		case <-l.r.ctx.Done():
			return nil
		}
	}
	select {
	case it, ok := <-work:
		return l.item(it, ok)
	default:
		return nil
	}
}

func (l *epollLoop) item(it workItem, ok bool) *attempt {
	if !ok {
		l.workOpen = false
		return nil
	}
	return &attempt{host: it.host, port: it.port}
}

// start opens a non-blocking socket and connects it.
func (l *epollLoop) start(a *attempt) {
	r := l.r
	a.start = r.now()
	a.deadline = a.start.Add(r.attemptTimeout(a.host, a.try))
	fd, err := openConnect(netip.AddrPortFrom(a.host.addr, a.port))
	r.prog.Sent.Add(1)
	if err != nil {
		if IsResourceError(err) && a.resource < maxResourceRetries {
			// Not the endpoint's fault: the same attempt again, with fewer
			// sockets in flight.
			a.resource++
			l.retry = append(l.retry, a)
			l.window = max(1, l.window*3/4)
			return
		}
		l.done(a, err)
		return
	}
	if fd < 0 { // connected at once (loopback)
		l.done(a, nil)
		return
	}
	ev := unix.EpollEvent{Events: unix.EPOLLOUT | unix.EPOLLERR | unix.EPOLLHUP, Fd: int32(fd)}
	if err := unix.EpollCtl(l.epfd, unix.EPOLL_CTL_ADD, fd, &ev); err != nil {
		unix.Close(fd)
		l.done(a, err)
		return
	}
	l.seq++
	a.fd, a.seq = fd, l.seq
	a.young = true
	l.young++
	l.fifo = append(l.fifo, a)
	l.inflight[fd] = a
	heap.Push(&l.timers, FDDeadline{At: a.deadline, FD: fd, Seq: a.seq})
}

// poll waits for connect completions, at most until the nearest deadline.
func (l *epollLoop) poll(limit time.Duration) {
	if len(l.timers) > 0 {
		if d := l.timers[0].At.Sub(l.r.now()); d < limit {
			limit = d
		}
	}
	ms := int((limit + time.Millisecond - 1) / time.Millisecond)
	if ms < 0 {
		ms = 0
	}
	n, err := unix.EpollWait(l.epfd, l.events, ms)
	if err != nil {
		return // EINTR: loop again
	}
	for _, ev := range l.events[:n] {
		fd := int(ev.Fd)
		a, ok := l.inflight[fd]
		if !ok {
			continue
		}
		delete(l.inflight, fd)
		l.done(a, finishConnect(fd, ev.Events, l.oob))
	}
}

// expire ends attempts whose deadline passed.
func (l *epollLoop) expire() {
	now := l.r.now()
	for len(l.timers) > 0 && !l.timers[0].At.After(now) {
		e := heap.Pop(&l.timers).(FDDeadline)
		a, ok := l.inflight[e.FD]
		if !ok || a.seq != e.Seq {
			continue
		}
		delete(l.inflight, e.FD)
		unix.Close(e.FD)
		l.done(a, errSilence)
	}
}

// age stops counting attempts as young once they are run.youngAge old.
func (l *epollLoop) age() {
	cutoff := l.r.now().Add(-l.r.youngAge())
	i := 0
	for ; i < len(l.fifo); i++ {
		a := l.fifo[i]
		if a.young && a.start.After(cutoff) {
			break
		}
		if a.young {
			a.young = false
			l.young--
		}
	}
	l.fifo = l.fifo[i:]
}

// done applies an attempt's outcome: finished, or queued for a retry.
func (l *epollLoop) done(a *attempt, err error) {
	r := l.r
	if a.young {
		a.young = false
		l.young--
	}
	elapsed := r.now().Sub(a.start)
	res, retry := r.outcome(a.host, a.port, a.try, err, elapsed)
	if retry {
		a.try++
		l.retry = append(l.retry, a)
		return
	}
	r.finish(res)
}

func (l *epollLoop) close() {
	for fd := range l.inflight {
		unix.Close(fd)
	}
	unix.Close(l.epfd)
}

// finishConnect reads a completed connect's outcome and closes the socket.
// An established connection is closed with SO_LINGER 0, i.e. reset, so a
// full-range scan leaves no TIME_WAIT pile-up; refused and unanswered
// sockets never reach TIME_WAIT and are simply closed.
func finishConnect(fd int, events uint32, oob []byte) error {
	defer unix.Close(fd)
	if events&(unix.EPOLLERR|unix.EPOLLHUP) == 0 {
		_ = unix.SetsockoptLinger(fd, unix.SOL_SOCKET, unix.SO_LINGER, &unix.Linger{Onoff: 1, Linger: 0})
		return nil
	}
	if state, reason, ok := ReadICMPError(fd, oob); ok {
		return icmpError{state: state, reason: reason}
	}
	soErr, err := unix.GetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_ERROR)
	switch {
	case err != nil:
		return err
	case soErr != 0:
		return syscall.Errno(soErr)
	}
	_ = unix.SetsockoptLinger(fd, unix.SOL_SOCKET, unix.SO_LINGER, &unix.Linger{Onoff: 1, Linger: 0})
	return nil
}

// openConnect starts a non-blocking connect. It returns the socket while the
// handshake is under way, -1 when it completed at once, or the error.
func openConnect(ap netip.AddrPort) (int, error) {
	family := unix.AF_INET
	var sa unix.Sockaddr
	if ap.Addr().Is4() {
		sa = &unix.SockaddrInet4{Port: int(ap.Port()), Addr: ap.Addr().As4()}
	} else {
		family = unix.AF_INET6
		sa = &unix.SockaddrInet6{Port: int(ap.Port()), Addr: ap.Addr().As16()}
	}
	fd, err := unix.Socket(family, unix.SOCK_STREAM|unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, unix.IPPROTO_TCP)
	if err != nil {
		return 0, err
	}
	// Queue ICMP errors on the socket: their type and code tell a reject
	// from an unreachable host, and they wake epoll even when they arrive
	// while connect(2) still holds the socket (on a zero-latency link the
	// kernel would otherwise keep them as a soft error until the SYN is
	// retransmitted a second later).
	if err := EnableRecvErr(fd, family == unix.AF_INET6); err != nil {
		unix.Close(fd)
		return 0, err
	}
	err = unix.Connect(fd, sa)
	switch {
	case errors.Is(err, unix.EINPROGRESS):
		return fd, nil
	case err == nil:
		_ = unix.SetsockoptLinger(fd, unix.SOL_SOCKET, unix.SO_LINGER, &unix.Linger{Onoff: 1, Linger: 0})
		unix.Close(fd)
		return -1, nil
	default:
		unix.Close(fd)
		return 0, err
	}
}

// sizeofSockExtendedErr is sizeof(struct sock_extended_err).
const sizeofSockExtendedErr = 16

// EnableRecvErr makes the kernel queue ICMP errors on the socket
// (IP_RECVERR or IPV6_RECVERR), where ReadICMPError finds type and code.
func EnableRecvErr(fd int, v6 bool) error {
	if v6 {
		return unix.SetsockoptInt(fd, unix.IPPROTO_IPV6, unix.IPV6_RECVERR, 1)
	}
	return unix.SetsockoptInt(fd, unix.IPPROTO_IP, unix.IP_RECVERR, 1)
}

// ReadICMPError reads the socket's error queue for an ICMP
// destination-unreachable message and classifies it. oob is a scratch
// buffer of at least 64 bytes.
func ReadICMPError(fd int, oob []byte) (PortState, Reason, bool) {
	var buf [1]byte
	_, oobn, _, _, err := unix.Recvmsg(fd, buf[:], oob, unix.MSG_ERRQUEUE|unix.MSG_DONTWAIT)
	if err != nil {
		return "", "", false
	}
	msgs, err := unix.ParseSocketControlMessage(oob[:oobn])
	if err != nil {
		return "", "", false
	}
	for _, m := range msgs {
		isV4 := m.Header.Level == unix.IPPROTO_IP && m.Header.Type == unix.IP_RECVERR
		isV6 := m.Header.Level == unix.IPPROTO_IPV6 && m.Header.Type == unix.IPV6_RECVERR
		if (!isV4 && !isV6) || len(m.Data) < sizeofSockExtendedErr {
			continue
		}
		// struct sock_extended_err: ee_errno u32, ee_origin, ee_type, ee_code u8, ...
		if state, reason, ok := ClassifyICMP(m.Data[4], m.Data[5], m.Data[6]); ok {
			return state, reason, true
		}
	}
	return "", "", false
}
