package integration

import (
	"strconv"
	"strings"
	"testing"

	"github.com/portwatch/portwatch/internal/scan"
	"github.com/portwatch/portwatch/test/lab"
)

// synState is what a SYN scan must report for a port of the truth: the
// truth's state, except that an ICMP port-unreachable answer to a SYN is
// filtered (nmap -sS says the same; a connect scan says closed).
func synState(p lab.Port) string {
	if p.Reason == string(scan.ReasonPortUnreachable) {
		return string(scan.Filtered)
	}
	return p.State
}

// TestSYNFullRangeMatchesTruth: the default scan as root is a SYN scan; it
// must agree with the truth on every port of every host, IPv4 and IPv6.
func TestSYNFullRangeMatchesTruth(t *testing.T) {
	e := labEnv(t)
	var addrs []string
	for _, h := range e.truth.Hosts {
		addrs = append(addrs, h.IPv4, h.IPv6)
	}
	res, code := e.runJSON(t, append([]string{"--syn", "-p-"}, addrs...)...)
	if code != 0 {
		t.Errorf("exit code %d, want 0", code)
	}
	for _, th := range e.truth.Hosts {
		for _, addr := range []string{th.IPv4, th.IPv6} {
			if th.Wildcard && strings.Contains(addr, ":") {
				continue // the kernel's synproxy ignores raw IPv6 SYNs (see test/lab/nmap_test.go)
			}
			h := findHost(t, res, addr)
			index := map[uint16]scan.PortResult{}
			for _, p := range h.Ports {
				index[p.Port] = p
			}
			var bad []string
			for port := 1; port <= 65535; port++ {
				want := synState(th.ExpectedTCPPort(port))
				if got := stateOf(t, h, index, uint16(port)); got != want {
					bad = append(bad, strconv.Itoa(port)+": got "+got+" want "+want)
				}
			}
			if len(bad) > 0 {
				t.Errorf("%s %s: %d ports misclassified, first: %s", th.Name, addr, len(bad), strings.Join(bad[:min(10, len(bad))], "; "))
			}
			if h.Wildcard != th.Wildcard {
				t.Errorf("%s %s: wildcard %v, want %v", th.Name, addr, h.Wildcard, th.Wildcard)
			}
		}
	}
}

// TestSYNReasons: with raw sockets every ICMP code is told apart.
func TestSYNReasons(t *testing.T) {
	e := labEnv(t)
	var addrs []string
	ports := map[int]bool{}
	for _, th := range e.truth.Hosts {
		if th.Wildcard {
			continue
		}
		addrs = append(addrs, th.IPv4, th.IPv6)
		for _, p := range th.TCPPorts() {
			ports[p] = true
		}
	}
	var list []string
	for p := range ports {
		list = append(list, strconv.Itoa(p))
	}
	res, _ := e.runJSON(t, append([]string{"--syn", "--all-states", "-p", strings.Join(list, ",")}, addrs...)...)
	for _, th := range e.truth.Hosts {
		if th.Wildcard {
			continue
		}
		for _, addr := range []string{th.IPv4, th.IPv6} {
			for _, p := range findHost(t, res, addr).Ports {
				want := th.ExpectedTCPPort(int(p.Port))
				if string(p.State) != synState(want) || string(p.Reason) != want.Reason {
					t.Errorf("%s %s:%d: %s/%s, want %s/%s", th.Name, addr, p.Port, p.State, p.Reason, synState(want), want.Reason)
				}
			}
		}
	}
}

// TestSYNDiscoverySkipsAbsentHosts: absent addresses are reported down and
// not swept.
func TestSYNDiscoverySkipsAbsentHosts(t *testing.T) {
	e := labEnv(t)
	if len(e.truth.Unassigned) == 0 {
		t.Skip("lab has no unassigned addresses")
	}
	res, _ := e.runJSON(t, append([]string{"--syn", "-p", "1-1000", e.truth.Hosts[0].IPv4}, e.truth.Unassigned...)...)
	for _, h := range res.Hosts {
		up := h.Address.String() == e.truth.Hosts[0].IPv4
		if up != (h.Status == scan.HostUp) {
			t.Errorf("%s: status %s (%s)", h.Address, h.Status, h.Reason)
		}
		if !up && len(h.Ports) != 0 {
			t.Errorf("%s: down host lists %d ports", h.Address, len(h.Ports))
		}
	}
}
