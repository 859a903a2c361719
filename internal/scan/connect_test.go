package scan

import (
	"context"
	"net"
	"net/netip"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// listen opens a loopback listener that accepts and drops connections.
func listen(t *testing.T) uint16 {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			c.Close()
		}
	}()
	return uint16(ln.Addr().(*net.TCPAddr).Port)
}

// closedPort returns a loopback port that was just released.
func closedPort(t *testing.T) uint16 {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := uint16(ln.Addr().(*net.TCPAddr).Port)
	ln.Close()
	return p
}

func fastTiming() Timing {
	return Timing{Initial: 200 * time.Millisecond, Min: 50 * time.Millisecond, Max: 300 * time.Millisecond, Retries: 1}
}

func runScan(t *testing.T, s *ConnectScanner, job Job) *Collector {
	t.Helper()
	events, err := s.Scan(context.Background(), job)
	if err != nil {
		t.Fatal(err)
	}
	c := NewCollector()
	for ev := range events {
		c.Add(ev)
	}
	return c
}

func TestConnectScanLoopback(t *testing.T) {
	open1, open2 := listen(t), listen(t)
	closed := closedPort(t)
	lo := netip.MustParseAddr("127.0.0.1")
	prog := &Progress{}
	s := &ConnectScanner{Timing: fastTiming(), Concurrency: 8, Progress: prog}
	c := runScan(t, s, Job{Targets: AddrList{lo}, Ports: []uint16{open1, closed, open2}, Seed: 1})
	hosts := c.Hosts(nil, true)
	if len(hosts) != 1 {
		t.Fatalf("got %d hosts, want 1", len(hosts))
	}
	h := hosts[0]
	if h.Status != HostUp || h.Reason != ReasonSynAck {
		t.Errorf("status %s/%s, want up/syn-ack", h.Status, h.Reason)
	}
	want := map[uint16]PortState{open1: Open, open2: Open, closed: Closed}
	if len(h.Ports) != len(want) {
		t.Fatalf("got %d ports, want %d: %+v", len(h.Ports), len(want), h.Ports)
	}
	for _, p := range h.Ports {
		if p.State != want[p.Port] {
			t.Errorf("port %d: %s, want %s", p.Port, p.State, want[p.Port])
		}
		if p.RTT <= 0 {
			t.Errorf("port %d: no RTT for an answered port", p.Port)
		}
	}
	if prog.Done.Load() != 3 || prog.Open.Load() != 2 || prog.Total.Load() != 3 {
		t.Errorf("progress done=%d open=%d total=%d, want 3/2/3", prog.Done.Load(), prog.Open.Load(), prog.Total.Load())
	}
}

// silentDial stands in for a host that drops every SYN; loopback cannot.
func silentDial(calls *atomic.Int64) DialFunc {
	return func(ctx context.Context, _, _ string) (net.Conn, error) {
		if calls != nil {
			calls.Add(1)
		}
		<-ctx.Done()
		return nil, ctx.Err()
	}
}

func TestConnectScanRetriesOnlySilence(t *testing.T) {
	var calls atomic.Int64
	s := &ConnectScanner{Timing: Timing{Initial: 10 * time.Millisecond, Min: 5 * time.Millisecond, Max: 20 * time.Millisecond, Retries: 2},
		Concurrency: 1, Dial: silentDial(&calls)}
	c := runScan(t, s, Job{Targets: AddrList{netip.MustParseAddr("198.18.0.99")}, Ports: []uint16{1}})
	h := c.Hosts(nil, true)[0]
	// 1 port × (1 + 2 retries) plus possibly the liveness connect.
	if n := calls.Load(); n < 3 || n > 4 {
		t.Errorf("dialled %d times, want 3 attempts (+1 liveness)", n)
	}
	if h.Ports[0].State != Filtered || h.Ports[0].Reason != ReasonNoResponse {
		t.Errorf("got %s/%s, want filtered/no-response", h.Ports[0].State, h.Ports[0].Reason)
	}
	if h.Status != HostUnknown {
		t.Errorf("status %s, want unknown for a host that never answered", h.Status)
	}
}

func TestConnectScanRefusedIsNotRetried(t *testing.T) {
	var calls atomic.Int64
	dial := func(ctx context.Context, _, _ string) (net.Conn, error) {
		calls.Add(1)
		return nil, &net.OpError{Op: "dial", Err: syscall.ECONNREFUSED}
	}
	s := &ConnectScanner{Timing: fastTiming(), Concurrency: 1, Dial: dial}
	c := runScan(t, s, Job{Targets: AddrList{netip.MustParseAddr("198.18.0.99")}, Ports: []uint16{5}})
	if got := c.Hosts(nil, true)[0].Ports[0]; got.State != Closed || got.Reason != ReasonConnRefused {
		t.Errorf("got %s/%s, want closed/conn-refused", got.State, got.Reason)
	}
	if n := calls.Load(); n > 2 { // one probe, at most one liveness connect
		t.Errorf("dialled %d times; a refusal must not be retried", n)
	}
}

func TestConnectScanAbsentHostIsDown(t *testing.T) {
	// The kernel reports EHOSTUNREACH for an address that does not answer
	// ARP only after its resolution retries; simulate that delay.
	dial := func(ctx context.Context, _, _ string) (net.Conn, error) {
		select {
		case <-time.After(1100 * time.Millisecond):
			return nil, &net.OpError{Op: "dial", Err: syscall.EHOSTUNREACH}
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	ports := make([]uint16, 2000)
	for i := range ports {
		ports[i] = uint16(i + 1)
	}
	// Initial 1 s: discovery waits 2 s for an off-link host, which outlasts
	// the simulated 1.1 s neighbour failure.
	s := &ConnectScanner{Timing: Timing{Initial: time.Second, Min: 50 * time.Millisecond, Max: 100 * time.Millisecond, Retries: 1},
		Concurrency: 64, Dial: dial, Progress: &Progress{}}
	c := runScan(t, s, Job{Targets: AddrList{netip.MustParseAddr("198.18.0.55")}, Ports: ports})
	h := c.Hosts(nil, false)[0]
	if h.Status != HostDown || h.Reason != ReasonHostUnreachable {
		t.Errorf("status %s/%s, want down/host-unreachable", h.Status, h.Reason)
	}
	if len(h.Ports) != 0 {
		t.Errorf("a down host lists %d ports, want none", len(h.Ports))
	}
	// Discovery found the host absent, so the sweep sent nothing.
	if n := s.Progress.Sent.Load(); n != 0 {
		t.Errorf("%d sweep probes sent to an absent host, want 0", n)
	}
	if d := s.Progress.Done.Load(); d != 2000 {
		t.Errorf("done %d, want all 2000 endpoints accounted for", d)
	}
}

func TestQuickRejectDoesNotMarkHostDown(t *testing.T) {
	// An ICMP admin-prohibited reject comes back at once as EHOSTUNREACH;
	// the host is there.
	dial := func(ctx context.Context, _, addr string) (net.Conn, error) {
		_, p, _ := net.SplitHostPort(addr)
		if p == "7" {
			return nil, &net.OpError{Op: "dial", Err: syscall.EHOSTUNREACH}
		}
		<-ctx.Done()
		return nil, ctx.Err()
	}
	s := &ConnectScanner{Timing: Timing{Initial: 20 * time.Millisecond, Min: 10 * time.Millisecond, Max: 20 * time.Millisecond},
		Concurrency: 4, Dial: dial}
	c := runScan(t, s, Job{Targets: AddrList{netip.MustParseAddr("198.18.0.13")}, Ports: []uint16{7, 8, 9}})
	h := c.Hosts(nil, true)[0]
	if h.Status == HostDown {
		t.Fatalf("host marked down after a prompt reject")
	}
	for _, p := range h.Ports {
		want := ReasonNoResponse
		if p.Port == 7 {
			want = ReasonHostUnreachable
		}
		if p.State != Filtered || p.Reason != want {
			t.Errorf("port %d: %s/%s, want filtered/%s", p.Port, p.State, p.Reason, want)
		}
	}
}

func TestConnectScanCancelDropsCutAttempts(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	s := &ConnectScanner{Timing: Timing{Initial: time.Hour, Min: time.Hour, Max: time.Hour}, Concurrency: 16, Dial: silentDial(nil)}
	ports := make([]uint16, 100)
	for i := range ports {
		ports[i] = uint16(i + 1)
	}
	events, err := s.Scan(ctx, Job{Targets: AddrList{netip.MustParseAddr("198.18.0.99")}, Ports: ports})
	if err != nil {
		t.Fatal(err)
	}
	time.AfterFunc(50*time.Millisecond, cancel)
	n := 0
	for range events {
		n++
	}
	if n != 0 {
		t.Errorf("got %d events from attempts cut short by cancellation, want 0", n)
	}
}

func TestScanRejectsEmptyJobs(t *testing.T) {
	s := &ConnectScanner{Timing: fastTiming()}
	if _, err := s.Scan(context.Background(), Job{Targets: AddrList{}, Ports: []uint16{1}}); err == nil {
		t.Error("no error for an empty target list")
	}
	if _, err := s.Scan(context.Background(), Job{Targets: AddrList{netip.MustParseAddr("127.0.0.1")}}); err == nil {
		t.Error("no error for an empty port list")
	}
	bad := &ConnectScanner{Timing: Timing{Min: time.Second, Max: time.Millisecond}}
	if _, err := bad.Scan(context.Background(), Job{Targets: AddrList{netip.MustParseAddr("127.0.0.1")}, Ports: []uint16{1}}); err == nil {
		t.Error("no error for max < min timing")
	}
}

func TestRTTEstimatorAdapts(t *testing.T) {
	tm := Timing{Initial: time.Second, Min: 100 * time.Millisecond, Max: 2 * time.Second}
	parent := NewRTTEstimator(tm, nil)
	e := NewRTTEstimator(tm, parent)
	if got := e.Timeout(); got != time.Second {
		t.Errorf("initial timeout %s, want 1s", got)
	}
	for range 20 {
		e.Observe(time.Millisecond)
	}
	if got := e.Timeout(); got != 100*time.Millisecond {
		t.Errorf("after fast samples timeout %s, want the 100ms floor", got)
	}
	other := NewRTTEstimator(tm, parent)
	if got := other.Timeout(); got != 100*time.Millisecond {
		t.Errorf("a host without samples should use the group's %s, got %s", 100*time.Millisecond, got)
	}
	for range 20 {
		e.Observe(5 * time.Second)
	}
	if got := e.Timeout(); got != 2*time.Second {
		t.Errorf("after slow samples timeout %s, want the 2s ceiling", got)
	}
}

func TestPacerLimitsRate(t *testing.T) {
	now := time.Unix(0, 0)
	p := NewPacer(1000, func() time.Time { return now })
	// With a frozen clock, the pacer hands out slots 1 ms apart; the burst
	// allowance lets the first ~10 through at once.
	if p.interval != time.Millisecond {
		t.Fatalf("interval %s, want 1ms", p.interval)
	}
	ctx := context.Background()
	start := time.Now()
	for range 30 {
		if err := p.Wait(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if time.Since(start) < 10*time.Millisecond {
		t.Errorf("30 events at 1000/s took %s; the pacer did not pace", time.Since(start))
	}
}

func TestConcurrencyForFileLimit(t *testing.T) {
	for _, c := range []struct {
		limit uint64
		want  int
	}{{20000, 8192}, {1024, 768}, {300, 150}, {1, 1}} {
		if got := ConcurrencyForFileLimit(c.limit); got != c.want {
			t.Errorf("limit %d: %d, want %d", c.limit, got, c.want)
		}
	}
}

func TestClassifyDialError(t *testing.T) {
	for _, c := range []struct {
		err    error
		state  PortState
		reason Reason
	}{
		{nil, Open, ReasonSynAck},
		{syscall.ECONNREFUSED, Closed, ReasonConnRefused},
		{syscall.EHOSTUNREACH, Filtered, ReasonHostUnreachable},
		{syscall.ENETUNREACH, Filtered, ReasonNetUnreachable},
		{syscall.EPERM, Filtered, ReasonAdminProhibited},
		{context.DeadlineExceeded, Filtered, ReasonNoResponse},
		{syscall.ECONNRESET, Open, ReasonSynAck}, // established, then reset
	} {
		s, r, ok := classifyDialError(c.err)
		if !ok || s != c.state || r != c.reason {
			t.Errorf("%v: %s/%s/%v, want %s/%s", c.err, s, r, ok, c.state, c.reason)
		}
	}
	if _, _, ok := classifyDialError(syscall.EMFILE); ok {
		t.Error("EMFILE classified as an endpoint state")
	}
}
