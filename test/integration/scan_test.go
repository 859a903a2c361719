package integration

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/portwatch/portwatch/internal/scan"
	"github.com/portwatch/portwatch/test/lab"
)

// runJSON runs a scan with JSON output and decodes it.
func (e *env) runJSON(t *testing.T, args ...string) (*scan.Result, int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	var out, errb bytes.Buffer
	cmd := e.portwatch(ctx, append([]string{"scan", "-q", "-o", "json"}, args...)...)
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("run portwatch: %v", err)
	}
	var res scan.Result
	if err := json.Unmarshal(out.Bytes(), &res); err != nil {
		t.Fatalf("portwatch %v: exit %d, stderr %q, output not JSON: %v", args, code, errb.String(), err)
	}
	return &res, code
}

// stateOf returns the state of a port in a host result, following the
// documented omission rule: an unlisted port has the one state counted in
// other_states.
func stateOf(t *testing.T, h scan.HostResult, index map[uint16]scan.PortResult, port uint16) string {
	if p, ok := index[port]; ok {
		return string(p.State)
	}
	if len(h.OtherStates) != 1 {
		t.Fatalf("host %s: port %d unlisted and other_states %v is ambiguous", h.Address, port, h.OtherStates)
	}
	for s := range h.OtherStates {
		return string(s)
	}
	return ""
}

// compareHost checks every port in [1, last] against the ground truth.
func compareHost(t *testing.T, h scan.HostResult, truth lab.Host, last int) {
	t.Helper()
	index := map[uint16]scan.PortResult{}
	for _, p := range h.Ports {
		index[p.Port] = p
	}
	var bad []string
	for port := 1; port <= last; port++ {
		got := stateOf(t, h, index, uint16(port))
		if want := truth.ExpectedTCP(port); got != want {
			bad = append(bad, fmt.Sprintf("%d: got %s (%s), want %s", port, got, index[uint16(port)].Reason, want))
		}
	}
	if len(bad) > 0 {
		if len(bad) > 20 {
			bad = append(bad[:20], fmt.Sprintf("... %d more", len(bad)-20))
		}
		t.Errorf("host %s (%s): %d ports misclassified:\n%s", truth.Name, truth.IPv4, len(bad), strings.Join(bad, "\n"))
	}
}

func findHost(t *testing.T, res *scan.Result, addr string) scan.HostResult {
	t.Helper()
	for _, h := range res.Hosts {
		if h.Address.String() == addr {
			return h
		}
	}
	t.Fatalf("no result for host %s", addr)
	return scan.HostResult{}
}

// TestConnectFullRangeMatchesTruth is the foundation issue's acceptance
// check: every port of every lab host, as a new user would scan it.
func TestConnectFullRangeMatchesTruth(t *testing.T) {
	e := labEnv(t)
	var addrs []string
	for _, h := range e.truth.Hosts {
		addrs = append(addrs, h.IPv4)
	}
	res, code := e.runJSON(t, append([]string{"--connect", "-p-"}, addrs...)...)
	if code != 0 {
		t.Errorf("exit code %d, want 0", code)
	}
	for _, th := range e.truth.Hosts {
		h := findHost(t, res, th.IPv4)
		if h.Status != scan.HostUp {
			t.Errorf("host %s: status %s, want up", th.Name, h.Status)
		}
		if h.Wildcard != th.Wildcard {
			t.Errorf("host %s: wildcard %v, want %v (note %q)", th.Name, h.Wildcard, th.Wildcard, h.Note)
		}
		compareHost(t, h, th, 65535)
	}
	if want := uint64(65535 * len(addrs)); res.Stats.Endpoints != want {
		t.Errorf("stats.endpoints %d, want %d", res.Stats.Endpoints, want)
	}
}

// connectReason is the reason a connect scan gives for what the lab's
// truth describes: a RST shows up as a refused connect.
func connectReason(truthReason string) scan.Reason {
	if truthReason == "rst" {
		return scan.ReasonConnRefused
	}
	return scan.Reason(truthReason)
}

// TestReasons checks state and reason of every special port of every host,
// over IPv4 and IPv6: RST, ICMP port-unreachable, admin-prohibited, drop.
func TestReasons(t *testing.T) {
	e := labEnv(t)
	var ports, addrs []string
	seen := map[string]bool{}
	for _, th := range e.truth.Hosts {
		for _, p := range th.TCPPorts() {
			if ps := strconv.Itoa(p); !seen[ps] {
				seen[ps] = true
				ports = append(ports, ps)
			}
		}
		addrs = append(addrs, th.IPv4)
		if th.IPv6 != "" {
			addrs = append(addrs, th.IPv6)
		}
	}
	res, _ := e.runJSON(t, append([]string{"--connect", "--all-states", "-p", strings.Join(ports, ",")}, addrs...)...)
	for _, th := range e.truth.Hosts {
		for _, addr := range []string{th.IPv4, th.IPv6} {
			if addr == "" {
				continue
			}
			h := findHost(t, res, addr)
			for _, p := range h.Ports {
				want := th.ExpectedTCPPort(int(p.Port))
				if string(p.State) != want.State || p.Reason != connectReason(want.Reason) {
					t.Errorf("%s %s:%d: %s/%s, want %s/%s", th.Name, addr, p.Port, p.State, p.Reason, want.State, connectReason(want.Reason))
				}
				if p.State != scan.Filtered || p.Reason != scan.ReasonNoResponse {
					if p.RTT <= 0 {
						t.Errorf("%s %s:%d answered but has no rtt", th.Name, addr, p.Port)
					}
				}
			}
		}
	}
}

func TestIPv6MatchesTruth(t *testing.T) {
	e := labEnv(t)
	var addrs []string
	for _, h := range e.truth.Hosts {
		if h.IPv6 != "" {
			addrs = append(addrs, h.IPv6)
		}
	}
	if len(addrs) == 0 {
		t.Skip("lab has no IPv6 hosts")
	}
	res, _ := e.runJSON(t, append([]string{"--connect", "-p", "1-10000,16379"}, addrs...)...)
	for _, th := range e.truth.Hosts {
		if th.IPv6 == "" {
			continue
		}
		compareHost(t, findHost(t, res, th.IPv6), th, 10000)
	}
}

func TestUnassignedAddressesAreDown(t *testing.T) {
	e := labEnv(t)
	if len(e.truth.Unassigned) == 0 {
		t.Skip("lab has no unassigned addresses")
	}
	start := time.Now()
	res, _ := e.runJSON(t, append([]string{"--connect", "-p", "1-2000"}, e.truth.Unassigned...)...)
	t.Logf("%d absent hosts × 2000 ports took %s", len(e.truth.Unassigned), time.Since(start).Round(time.Millisecond))
	if len(res.Hosts) != len(e.truth.Unassigned) {
		t.Fatalf("%d host results, want %d", len(res.Hosts), len(e.truth.Unassigned))
	}
	for _, h := range res.Hosts {
		if h.Status != scan.HostDown || h.Reason != scan.ReasonHostUnreachable {
			t.Errorf("%s: %s/%s, want down/host-unreachable", h.Address, h.Status, h.Reason)
		}
	}
	if res.Stats.HostsDown != len(e.truth.Unassigned) {
		t.Errorf("stats.hosts_down %d, want %d", res.Stats.HostsDown, len(e.truth.Unassigned))
	}
}

// listenInNetns opens a TCP listener inside a lab host's namespace: the
// socket is created on an OS thread moved into that namespace, and stays
// there after the thread is gone.
func listenInNetns(t *testing.T, netns, addr string) net.Listener {
	t.Helper()
	type result struct {
		ln  net.Listener
		err error
	}
	ch := make(chan result, 1)
	go func() {
		runtime.LockOSThread() // never unlocked: the thread exits with this goroutine
		f, err := os.Open(filepath.Join("/var/run/netns", netns))
		if err != nil {
			ch <- result{err: err}
			return
		}
		defer f.Close()
		if err := unix.Setns(int(f.Fd()), unix.CLONE_NEWNET); err != nil {
			ch <- result{err: fmt.Errorf("setns %s: %w", netns, err)}
			return
		}
		ln, err := net.Listen("tcp", addr)
		ch <- result{ln, err}
	}()
	r := <-ch
	if r.err != nil {
		t.Fatalf("listen %s in %s: %v", addr, netns, r.err)
	}
	go func() {
		for {
			c, err := r.ln.Accept()
			if err != nil {
				return
			}
			c.Close()
		}
	}()
	t.Cleanup(func() { r.ln.Close() })
	return r.ln
}

func TestNdiffAcceptsOurXML(t *testing.T) {
	e := labEnv(t)
	ndiff, err := exec.LookPath("ndiff")
	if err != nil {
		t.Skip("ndiff not installed (Debian package ndiff)")
	}
	h := e.truth.Hosts[0]
	dir := t.TempDir()
	scanXML := func(name string) string {
		path := filepath.Join(dir, name)
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		out, err := e.portwatch(ctx, "scan", "-q", "-p", "1-1024,7000-7010", "-oX", path, h.IPv4).CombinedOutput()
		if err != nil {
			t.Fatalf("scan: %v\n%s", err, out)
		}
		return path
	}
	a := scanXML("a.xml")
	listenInNetns(t, h.Netns, net.JoinHostPort(h.IPv4, "7007"))
	b := scanXML("b.xml")

	out, err := exec.Command(ndiff, a, a).CombinedOutput()
	if err != nil {
		t.Fatalf("ndiff of identical scans: %v\n%s", err, out)
	}
	out, err = exec.Command(ndiff, a, b).CombinedOutput()
	ee, ok := err.(*exec.ExitError)
	if !ok || ee.ExitCode() != 1 {
		t.Fatalf("ndiff a b: %v, want exit 1 (different)\n%s", err, out)
	}
	if !strings.Contains(string(out), "7007") {
		t.Errorf("ndiff output does not mention the new port 7007:\n%s", out)
	}
	t.Logf("ndiff output:\n%s", out)
}

func TestUnresolvableTargetExitsOne(t *testing.T) {
	e := labEnv(t)
	// Name resolution fails at once inside the scanner namespace (no route).
	res, code := e.runJSON(t, "-p", "22", "no-such-host.invalid", e.truth.Hosts[0].IPv4)
	if code != 1 {
		t.Errorf("exit %d, want 1 when a target cannot be resolved", code)
	}
	if len(res.Errors) != 1 || res.Errors[0].Target != "no-such-host.invalid" {
		t.Errorf("errors %+v, want the unresolvable name", res.Errors)
	}
	if len(res.Hosts) != 1 {
		t.Errorf("the resolvable target was not scanned: %+v", res.Hosts)
	}
}
