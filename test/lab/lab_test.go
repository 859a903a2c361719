package lab_test

import (
	"context"
	"errors"
	"net"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/portwatch/portwatch/test/lab"
)

// testPrefix is this package's lab prefix; other packages use their own.
const testPrefix = "pwlab"

// probeTimeout is how long a dial waits before calling a port filtered.
const probeTimeout = lab.ConnectTimeout

// unlistedCandidates are ports checked on every host where truth.json does
// not list them, to test DefaultTCP.
var unlistedCandidates = []int{1, 23, 3389, 8082, 9999}

// TestLabMatchesTruth checks the lab itself, not portwatch: every listed port
// and a few unlisted ones, on every host, over IPv4 and IPv6, must look from
// the scanner namespace as truth.json says, measured by independent means.
func TestLabMatchesTruth(t *testing.T) {
	start := time.Now()
	tr := lab.Up(t, testPrefix)
	t.Logf("lab up in %v", time.Since(start).Round(time.Millisecond))
	t.Logf("lab %s up: %d hosts, scanner %s in %s", tr.Prefix, len(tr.Hosts), tr.ScannerIPv4, tr.ScannerNetns)

	t.Run("isolation", func(t *testing.T) { testIsolation(t, tr) })
	t.Run("hostcmd", func(t *testing.T) { testHostCmd(t, tr) })
	t.Run("dial", func(t *testing.T) { testDial(t, tr) })
	t.Run("unassigned", func(t *testing.T) { testUnassigned(t, tr) })
	t.Run("services", func(t *testing.T) { testServices(t, tr) })
	t.Run("nmap", func(t *testing.T) { testNmap(t, tr) })
	t.Run("udp", func(t *testing.T) { testUDPServices(t, tr) })
	t.Run("icmp-ratelimit", func(t *testing.T) { testICMPRateLimit(t, tr) })
	t.Run("nmap-udp", func(t *testing.T) { testNmapUDP(t, tr) })
	t.Run("sparse", func(t *testing.T) { testSparse(t, tr) })
	t.Run("nmap-version", func(t *testing.T) { testNmapVersion(t, tr) })
}

// testIsolation: blackholes in the root namespace, no default route in the
// scanner's.
func testIsolation(t *testing.T, tr *lab.Truth) {
	ctx := context.Background()
	for _, c := range []struct{ family, blackhole string }{{"-4", "198.18.0.0/15"}, {"-6", "2001:2::/48"}} {
		out, err := exec.CommandContext(ctx, "ip", c.family, "route", "show", "type", "blackhole").CombinedOutput()
		if err != nil {
			t.Fatalf("ip %s route: %v\n%s", c.family, err, out)
		}
		if !strings.Contains(string(out), "blackhole "+c.blackhole) {
			t.Errorf("root namespace lacks blackhole %s:\n%s", c.blackhole, out)
		}
		out, err = tr.ScannerCmd(ctx, "ip", c.family, "route", "show", "default").CombinedOutput()
		if err != nil {
			t.Fatalf("scanner ip %s route: %v\n%s", c.family, err, out)
		}
		if strings.TrimSpace(string(out)) != "" {
			t.Errorf("scanner namespace has a default route (%s): %s", c.family, out)
		}
	}
}

// testHostCmd: commands run inside a host's namespace; unknown hosts fail.
func testHostCmd(t *testing.T, tr *lab.Truth) {
	ctx := context.Background()
	h := tr.Hosts[0]
	out, err := tr.HostCmd(ctx, h.Name, "ip", "-4", "-o", "addr", "show", "dev", "eth0").CombinedOutput()
	if err != nil {
		t.Fatalf("HostCmd %s: %v\n%s", h.Name, err, out)
	}
	if !strings.Contains(string(out), h.IPv4+"/") {
		t.Errorf("HostCmd %s: eth0 lacks %s:\n%s", h.Name, h.IPv4, out)
	}
	if err := tr.HostCmd(ctx, "no-such-host", "true").Run(); err == nil {
		t.Errorf("HostCmd on an unknown host succeeded")
	}
}

// probe is the outcome of one connect() from the scanner namespace.
type probe struct {
	state string // open, closed, filtered, or "error"
	why   string // syn-ack, conn-refused, no-response, unreachable, or the error
}

// dialProbe classifies a connect() the way a connect scanner must.
func dialProbe(ctx context.Context, tr *lab.Truth, ip string, port int) probe {
	ctx, cancel := context.WithTimeout(ctx, probeTimeout)
	defer cancel()
	conn, err := tr.ScannerDial(ctx, "tcp", net.JoinHostPort(ip, strconv.Itoa(port)))
	if err == nil {
		conn.Close()
		return probe{lab.StateOpen, "syn-ack"}
	}
	var ne net.Error
	switch {
	case errors.Is(err, syscall.ECONNREFUSED):
		return probe{lab.StateClosed, "conn-refused"}
	case errors.Is(err, syscall.ECONNRESET):
		// Established, then reset: the SYN proxy of a wildcard host
		// completed the handshake and found nothing behind it.
		return probe{lab.StateOpen, "syn-ack"}
	case errors.As(err, &ne) && ne.Timeout():
		return probe{lab.StateFiltered, "no-response"}
	case errors.Is(err, syscall.EHOSTUNREACH), errors.Is(err, syscall.EACCES):
		// ICMP admin-prohibited: EHOSTUNREACH over IPv4, EACCES over IPv6.
		return probe{lab.StateFiltered, "unreachable"}
	}
	return probe{"error", err.Error()}
}

// connectWhy is what connect() reports for each reason in the truth.
var connectWhy = map[string]string{
	"syn-ack":               "syn-ack",
	"rst":                   "conn-refused",
	"icmp-port-unreachable": "conn-refused",
	"no-response":           "no-response",
	"icmp-admin-prohibited": "unreachable",
}

// probePorts are the ports to check on h: the listed ones and a few others.
func probePorts(h lab.Host) []int {
	ports := h.TCPPorts()
	for _, p := range unlistedCandidates {
		if _, listed := h.TCP[strconv.Itoa(p)]; !listed {
			ports = append(ports, p)
		}
	}
	return ports
}

// testDial dials every probe port of every host over both families, all at
// once (filtered ports cost probeTimeout each), then compares with the truth.
func testDial(t *testing.T, tr *lab.Truth) {
	type job struct {
		host lab.Host
		ip   string
		port int
		got  probe
	}
	var jobs []*job
	for _, h := range tr.AllHosts() {
		for _, ip := range []string{h.IPv4, h.IPv6} {
			for _, port := range probePorts(h) {
				jobs = append(jobs, &job{host: h, ip: ip, port: port})
			}
		}
	}
	var wg sync.WaitGroup
	for _, j := range jobs {
		wg.Go(func() { j.got = dialProbe(context.Background(), tr, j.ip, j.port) })
	}
	wg.Wait()
	for _, j := range jobs {
		want := j.host.ExpectedTCPPort(j.port)
		if j.got.state != want.State {
			t.Errorf("%s %s port %d: dial says %s (%s), truth says %s (rule %q)",
				j.host.Name, j.ip, j.port, j.got.state, j.got.why, want.State, want.Rule)
			continue
		}
		if w := connectWhy[want.Reason]; j.got.why != w {
			t.Errorf("%s %s port %d: dial reason %s, truth reason %s implies %s",
				j.host.Name, j.ip, j.port, j.got.why, want.Reason, w)
		}
	}
}

// testUnassigned: nothing answers on unassigned lab addresses.
func testUnassigned(t *testing.T, tr *lab.Truth) {
	if len(tr.Unassigned) == 0 {
		t.Fatal("truth lists no unassigned addresses")
	}
	addrs := []string{tr.Unassigned[0], tr.Unassigned[len(tr.Unassigned)-1]}
	if len(tr.UnassignedIPv6) > 0 {
		addrs = append(addrs, tr.UnassignedIPv6[0])
	}
	got := make([]probe, len(addrs))
	var wg sync.WaitGroup
	for i, ip := range addrs {
		wg.Go(func() { got[i] = dialProbe(context.Background(), tr, ip, 80) })
	}
	wg.Wait()
	for i, ip := range addrs {
		if got[i].state != lab.StateFiltered {
			t.Errorf("unassigned %s port 80: dial says %s (%s), want no answer", ip, got[i].state, got[i].why)
		}
	}
}
