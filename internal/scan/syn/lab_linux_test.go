package syn

import (
	"context"
	"log/slog"
	"net/netip"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/portwatch/portwatch/internal/rawnet/netnstest"
	"github.com/portwatch/portwatch/internal/scan"
	"github.com/portwatch/portwatch/test/lab"
)

// labPrefix is this package's lab (LAB_PREFIX pwf).
const labPrefix = "pwf"

var (
	labTruth *lab.Truth
	labSkip  string
)

func TestMain(m *testing.M) {
	if helperMode() {
		os.Exit(runHelper())
	}
	tr, teardown, skip := lab.UpMain(m, labPrefix)
	labTruth, labSkip = tr, skip
	code := m.Run()
	teardown()
	os.Exit(code)
}

func needLab(t *testing.T) *lab.Truth {
	t.Helper()
	if labTruth == nil {
		t.Skip(labSkip)
	}
	return labTruth
}

// outcome is what a scan reported.
type outcome struct {
	ports    map[netip.Addr]map[uint16]scan.PortResult
	verdicts map[netip.Addr]scan.HostVerdict
	elapsed  time.Duration
	prog     *scan.Progress
}

// labScan runs s from the scanner namespace: the sockets are opened there
// by Scan, and the scan then runs from ordinary goroutines.
func labScan(t *testing.T, tr *lab.Truth, s *Scanner, job scan.Job) outcome {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if s.Progress == nil {
		s.Progress = &scan.Progress{}
	}
	if s.Logger == nil {
		s.Logger = testLogger(t)
	}
	out := outcome{ports: map[netip.Addr]map[uint16]scan.PortResult{}, verdicts: map[netip.Addr]scan.HostVerdict{}, prog: s.Progress}
	start := time.Now()
	var events <-chan scan.Event
	err := netnstest.Do(tr.ScannerNetns, func() error {
		var err error
		events, err = s.Scan(ctx, job)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	for ev := range events {
		switch ev.Kind {
		case scan.PortEvent:
			p := ev.Port
			if out.ports[p.Addr] == nil {
				out.ports[p.Addr] = map[uint16]scan.PortResult{}
			}
			if _, dup := out.ports[p.Addr][p.Port]; dup {
				t.Errorf("%s:%d reported twice", p.Addr, p.Port)
			}
			out.ports[p.Addr][p.Port] = p
		case scan.HostEvent:
			out.verdicts[ev.Host.Addr] = ev.Host
		}
	}
	out.elapsed = time.Since(start)
	if ctx.Err() != nil {
		t.Fatalf("scan did not finish: %v", ctx.Err())
	}
	return out
}

// expectSYN is what a SYN scan must report for a port of the truth: the
// truth's reason, and its state except that nmap -sS (and we) call an ICMP
// port-unreachable answer filtered.
func expectSYN(h lab.Host, port int) (scan.PortState, scan.Reason) {
	p := h.ExpectedTCPPort(port)
	state := scan.PortState(p.State)
	if p.Reason == string(scan.ReasonPortUnreachable) {
		state = scan.Filtered
	}
	return state, scan.Reason(p.Reason)
}

// checkHost compares every port of ports on one address with the truth.
func checkHost(t *testing.T, out outcome, h lab.Host, addr netip.Addr, ports []uint16) {
	t.Helper()
	got := out.ports[addr]
	bad := 0
	for _, port := range ports {
		state, reason := expectSYN(h, int(port))
		r, ok := got[port]
		if !ok || r.State != state || r.Reason != reason {
			bad++
			if bad <= 20 {
				t.Errorf("%s (%s) port %d: got %s/%s, want %s/%s", h.Name, addr, port, r.State, r.Reason, state, reason)
			}
		}
	}
	if bad > 20 {
		t.Errorf("%s (%s): %d ports wrong in all", h.Name, addr, bad)
	}
	if len(got) != len(ports) {
		t.Errorf("%s (%s): %d ports reported, want %d", h.Name, addr, len(got), len(ports))
	}
}

func portRange(lo, hi int) []uint16 {
	out := make([]uint16, 0, hi-lo+1)
	for p := lo; p <= hi; p++ {
		out = append(out, uint16(p))
	}
	return out
}

func hostsOf(t *testing.T, tr *lab.Truth, names ...string) []lab.Host {
	t.Helper()
	var out []lab.Host
	for _, n := range names {
		h, ok := tr.Host(n)
		if !ok {
			t.Fatalf("lab has no host %s", n)
		}
		out = append(out, h)
	}
	return out
}

// TestLabFullRangeIPv4 scans every TCP port of h1 (answers everything),
// h2 (drops everything but two ports) and h3 (RST, TCP reset and
// admin-prohibited rejects) in one scan and compares each with the truth.
func TestLabFullRangeIPv4(t *testing.T) {
	tr := needLab(t)
	hosts := hostsOf(t, tr, "h1", "h2", "h3")
	var addrs scan.AddrList
	for _, h := range hosts {
		addrs = append(addrs, netip.MustParseAddr(h.IPv4))
	}
	ports := portRange(1, 65535)
	out := labScan(t, tr, &Scanner{}, scan.Job{Targets: addrs, Ports: ports, Seed: 1})
	for i, h := range hosts {
		checkHost(t, out, h, addrs[i], ports)
		if v := out.verdicts[addrs[i]]; v.Status != scan.HostUp || v.Reason != scan.ReasonARPResponse {
			t.Errorf("%s: verdict %+v, want up by arp-response", h.Name, v)
		}
	}
	t.Logf("3 hosts x 65535 ports in %v, %d packets", out.elapsed.Round(time.Millisecond), out.prog.Sent.Load())
	if d, total := out.prog.Done.Load(), out.prog.Total.Load(); d != total {
		t.Errorf("progress %d of %d", d, total)
	}
}

// TestLabFullRangeIPv6 is TestLabFullRangeIPv4 over IPv6 (discovery by
// neighbour solicitation, ICMPv6 codes).
func TestLabFullRangeIPv6(t *testing.T) {
	tr := needLab(t)
	hosts := hostsOf(t, tr, "h1", "h2", "h3")
	var addrs scan.AddrList
	for _, h := range hosts {
		addrs = append(addrs, netip.MustParseAddr(h.IPv6))
	}
	ports := portRange(1, 65535)
	out := labScan(t, tr, &Scanner{}, scan.Job{Targets: addrs, Ports: ports, Seed: 2})
	for i, h := range hosts {
		checkHost(t, out, h, addrs[i], ports)
		if v := out.verdicts[addrs[i]]; v.Status != scan.HostUp || v.Reason != "nd-response" {
			t.Errorf("%s: verdict %+v, want up by nd-response", h.Name, v)
		}
	}
	t.Logf("3 hosts x 65535 ports over IPv6 in %v, %d packets", out.elapsed.Round(time.Millisecond), out.prog.Sent.Load())
}

// testLogger sends the scanner's log, debug included, to the test log.
func testLogger(t *testing.T) *slog.Logger {
	return slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

type testWriter struct{ t *testing.T }

func (w testWriter) Write(b []byte) (int, error) {
	w.t.Log(strings.TrimSpace(string(b)))
	return len(b), nil
}
