//go:build linux

package udp

import (
	"context"
	"encoding/json"
	"errors"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/portwatch/portwatch/internal/rawnet/netnstest"
	"github.com/portwatch/portwatch/internal/scan"
	"github.com/portwatch/portwatch/internal/scan/udp/internal/udptest"
	"github.com/portwatch/portwatch/internal/scan/udp/payloads"
	"github.com/portwatch/portwatch/internal/target"
	"github.com/portwatch/portwatch/test/lab"
	"golang.org/x/sys/unix"
)

// labPrefix is this package's lab namespace prefix.
const labPrefix = "pwg"

// Ports of h1 that the lab test sets up itself, outside every top-ports list.
const (
	portDropped  = 40001 // nftables drop
	portAdmin    = 40002 // nftables reject with admin-prohibited
	portSilent   = 40003 // a socket that reads and never answers
	portNoSocket = 40004 // nothing: the kernel answers port-unreachable
)

// TestLab scans the namespace lab from its scanner namespace: the lab's
// own UDP truth when it has one, then h1 with this test's stand-in daemons
// and firewall rules, and h2, which drops everything.
func TestLab(t *testing.T) {
	tr := lab.Up(t, labPrefix)
	h1, ok := tr.Host("h1")
	h2, ok2 := tr.Host("h2")
	if !ok || !ok2 {
		t.Fatal("lab has no h1 or h2")
	}
	// Probe sockets are created in the scanner namespace; they keep it.
	open := func(domain, typ, proto int) (fd int, err error) {
		nerr := netnstest.Do(tr.ScannerNetns, func() error {
			fd, err = unix.Socket(domain, typ, proto)
			return nil
		})
		return fd, errors.Join(nerr, err)
	}
	newScanner := func(reg *payloads.Registry) *Scanner {
		return &Scanner{Timing: scan.DefaultTiming(), ServiceDetection: true, OpenSocket: open, Payloads: reg}
	}

	t.Run("truth", func(t *testing.T) { testLabTruth(t, tr, newScanner(nil)) })
	listeners := startStandIns(t, tr, h1)
	t.Run("states", func(t *testing.T) { testLabStates(t, tr, h1, h2, newScanner(nil)) })
	t.Run("families", func(t *testing.T) { testLabFamilies(t, h1, listeners, newScanner(nil)) })
	t.Run("top100", func(t *testing.T) { testLabTop100(t, tr, h1, listeners, newScanner(nil)) })
}

// startStandIns starts the udptest daemons on their standard ports of h1
// (both families), skipping ports where a real daemon of the lab already
// listens, plus a silent socket; and adds firewall rules for the drop and
// admin-prohibited ports. It returns the service name per port served.
func startStandIns(t *testing.T, tr *lab.Truth, h lab.Host) map[uint16]string {
	served := map[uint16]string{}
	listen := func(port uint16) (pc net.PacketConn, err error) {
		nerr := netnstest.Do(h.Netns, func() error {
			pc, err = net.ListenPacket("udp", ":"+strconv.Itoa(int(port)))
			return nil
		})
		return pc, errors.Join(nerr, err)
	}
	start := func(port uint16, name string, serve func(pc net.PacketConn)) {
		pc, err := listen(port)
		if errors.Is(err, syscall.EADDRINUSE) {
			t.Logf("h1 udp/%d: a lab daemon listens there; no stand-in", port)
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { pc.Close() })
		served[port] = name
		go serve(pc)
	}
	responders := udptest.Responders(t)
	for _, p := range payloads.All() {
		r, ok := responders[p.Service]
		if !ok || served[p.Ports[0]] != "" {
			continue
		}
		start(p.Ports[0], p.Service, func(pc net.PacketConn) { udptest.Serve(pc, r) })
	}
	start(69, "tftp", func(pc net.PacketConn) {
		udptest.ServeTFTP(t, pc, func() (net.PacketConn, error) { return listen(0) })
	})
	start(portSilent, "", func(pc net.PacketConn) { udptest.Serve(pc, func([]byte) []byte { return nil }) })
	delete(served, portSilent)
	ctx := context.Background()
	for _, rule := range [][]string{
		{"udp", "dport", strconv.Itoa(portDropped), "drop"},
		{"udp", "dport", strconv.Itoa(portAdmin), "reject", "with", "icmpx", "type", "admin-prohibited"},
	} {
		args := append([]string{"add", "rule", "inet", "portwatch_lab", "input"}, rule...)
		if out, err := tr.HostCmd(ctx, h.Name, "nft", args...).CombinedOutput(); err != nil {
			t.Fatalf("nft %v: %v\n%s", args, err, out)
		}
	}
	return served
}

func scanLab(t *testing.T, s *Scanner, ports []uint16, addrs ...string) (map[netip.AddrPort]scan.PortResult, time.Duration) {
	t.Helper()
	var targets scan.AddrList
	for _, a := range addrs {
		targets = append(targets, netip.MustParseAddr(a))
	}
	start := time.Now()
	res, services := runScan(t, s, scan.Job{Targets: targets, Ports: ports, Seed: uint64(start.UnixNano())})
	elapsed := time.Since(start)
	out := map[netip.AddrPort]scan.PortResult{}
	for _, r := range res {
		if ev, ok := services[netip.AddrPortFrom(r.Addr, r.Port)]; ok {
			r.Service = ev.Service
		}
		out[netip.AddrPortFrom(r.Addr, r.Port)] = r
	}
	return out, elapsed
}

func testLabStates(t *testing.T, tr *lab.Truth, h1, h2 lab.Host, s *Scanner) {
	ports := []uint16{portDropped, portAdmin, portSilent, portNoSocket}
	want := map[uint16][2]string{
		portDropped:  {string(scan.OpenFiltered), string(scan.ReasonNoResponse)},
		portAdmin:    {string(scan.Filtered), string(scan.ReasonICMPProhibited)},
		portSilent:   {string(scan.OpenFiltered), string(scan.ReasonNoResponse)},
		portNoSocket: {string(scan.Closed), string(scan.ReasonPortUnreachable)},
	}
	res, _ := scanLab(t, s, ports, h1.IPv4, h1.IPv6, h2.IPv4)
	for _, ip := range []string{h1.IPv4, h1.IPv6} {
		for _, port := range ports {
			r := res[netip.AddrPortFrom(netip.MustParseAddr(ip), port)]
			if w := want[port]; string(r.State) != w[0] || string(r.Reason) != w[1] {
				t.Errorf("%s udp/%d: %s/%s, want %s/%s", ip, port, r.State, r.Reason, w[0], w[1])
			}
		}
	}
	for _, port := range ports { // h2 drops everything
		if r := res[netip.AddrPortFrom(netip.MustParseAddr(h2.IPv4), port)]; r.State != scan.OpenFiltered {
			t.Errorf("h2 udp/%d: %s/%s, want open|filtered", port, r.State, r.Reason)
		}
	}
}

func testLabFamilies(t *testing.T, h lab.Host, served map[uint16]string, s *Scanner) {
	var ports []uint16
	for port := range served {
		ports = append(ports, port)
	}
	res, _ := scanLab(t, s, ports, h.IPv4, h.IPv6)
	for _, ip := range []string{h.IPv4, h.IPv6} {
		for port, name := range served {
			r := res[netip.AddrPortFrom(netip.MustParseAddr(ip), port)]
			if r.State != scan.Open || r.Service == nil || r.Service.Name != name {
				t.Errorf("%s udp/%d: %s/%s service %+v, want open %s", ip, port, r.State, r.Reason, r.Service, name)
			}
		}
	}
}

// testLabTop100 is the outcome: the top 100 UDP ports of a host
// with DNS and SNMP; the lab's own (real daemons, the kernel's ICMP rate
// limits) when its truth has one, else h1 with this test's stand-ins.
// What listens must be open, nothing else open, no port closed without an
// ICMP port-unreachable, and a port the truth calls filtered never open
// or closed. It logs the time taken; compare with
// ip netns exec pwg-scan nmap -n -Pn -sU --top-ports 100 -T4 ADDRESS
func testLabTop100(t *testing.T, tr *lab.Truth, h1 lab.Host, served map[uint16]string, s *Scanner) {
	ports, err := target.TopPorts("udp", 100)
	if err != nil {
		t.Fatal(err)
	}
	addr, expect := h1.IPv4, map[uint16]lab.Port{}
	for port, name := range served {
		expect[port] = lab.Port{State: lab.StateOpen, Service: name}
	}
	if h, ok := udpServiceHost(t, tr); ok {
		addr, expect = h.IPv4, map[uint16]lab.Port{}
		for p, want := range h.UDP {
			n, _ := strconv.Atoi(p)
			expect[uint16(n)] = want
		}
	}
	res, elapsed := scanLab(t, s, ports, addr)
	counts := map[scan.PortState]int{}
	for _, port := range ports {
		r := res[netip.AddrPortFrom(netip.MustParseAddr(addr), port)]
		counts[r.State]++
		want, listed := expect[port]
		switch {
		case listed:
			checkTruthPort(t, addr+" udp/"+strconv.Itoa(int(port)), want, r)
		case r.State == scan.Open:
			t.Errorf("udp/%d: open, but nothing listens there", port)
		case r.State == scan.Closed && r.Reason != scan.ReasonPortUnreachable:
			t.Errorf("udp/%d: closed by %s", port, r.Reason)
		}
	}
	t.Logf("top 100 UDP ports of %s in %v: %v", addr, elapsed.Round(time.Millisecond), counts)
}

// udpServiceHost returns the lab host whose UDP truth has DNS and SNMP open.
func udpServiceHost(t *testing.T, tr *lab.Truth) (labUDPHost, bool) {
	for _, h := range readUDPTruth(t, tr).Hosts {
		if h.UDP["53"].State == lab.StateOpen && h.UDP["161"].State == lab.StateOpen {
			return h, true
		}
	}
	return labUDPHost{}, false
}

// labUDPTruth is the part of truth.json a UDP-aware lab adds: per host, a
// "udp" map like "tcp" (port -> state, reason, service, product, version).
type labUDPTruth struct {
	Hosts []labUDPHost `json:"hosts"`
}

type labUDPHost struct {
	Name string              `json:"name"`
	IPv4 string              `json:"ipv4"`
	IPv6 string              `json:"ipv6"`
	UDP  map[string]lab.Port `json:"udp"`
}

func readUDPTruth(t *testing.T, tr *lab.Truth) labUDPTruth {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(tr.Dir, "truth.json"))
	if err != nil {
		t.Fatal(err)
	}
	var truth labUDPTruth
	if err := json.Unmarshal(data, &truth); err != nil {
		t.Fatal(err)
	}
	return truth
}

// testLabTruth compares the scan with the lab's UDP truth: open ports must
// be open with the service and product the truth names, closed ports
// closed or silent, filtered ports filtered or open|filtered (a dropped
// datagram and a silent service look the same).
func testLabTruth(t *testing.T, tr *lab.Truth, s *Scanner) {
	any := false
	for _, h := range readUDPTruth(t, tr).Hosts {
		if len(h.UDP) == 0 {
			continue
		}
		any = true
		var ports []uint16
		for p := range h.UDP {
			n, err := strconv.ParseUint(p, 10, 16)
			if err != nil {
				t.Fatalf("truth %s: udp port %q", h.Name, p)
			}
			ports = append(ports, uint16(n))
		}
		res, _ := scanLab(t, s, ports, h.IPv4, h.IPv6)
		for _, ip := range []string{h.IPv4, h.IPv6} {
			for _, port := range ports {
				want := h.UDP[strconv.Itoa(int(port))]
				got := res[netip.AddrPortFrom(netip.MustParseAddr(ip), port)]
				checkTruthPort(t, h.Name+" "+ip+" udp/"+strconv.Itoa(int(port)), want, got)
			}
		}
	}
	if !any {
		t.Skip("the lab's truth lists no UDP ports yet")
	}
}

func checkTruthPort(t *testing.T, what string, want lab.Port, got scan.PortResult) {
	switch want.State {
	case lab.StateOpen:
		if got.State != scan.Open {
			t.Errorf("%s: %s/%s, want open", what, got.State, got.Reason)
			return
		}
		if want.Service != "" && (got.Service == nil || got.Service.Name != want.Service) {
			t.Errorf("%s: service %+v, want %s", what, got.Service, want.Service)
		}
		if want.Product != "" && got.Service != nil && got.Service.Product != want.Product {
			t.Errorf("%s: product %q, want %q", what, got.Service.Product, want.Product)
		}
		if want.Version != "" && got.Service != nil && got.Service.Version != "" && got.Service.Version != want.Version {
			t.Errorf("%s: version %q, want %q", what, got.Service.Version, want.Version)
		}
	case lab.StateClosed:
		// A rate-limited host may keep its ICMP error: silence is allowed,
		// anything else is not.
		if got.State != scan.Closed && got.Reason != scan.ReasonNoResponse {
			t.Errorf("%s: %s/%s, want closed (or open|filtered if the ICMP error was rate-limited)", what, got.State, got.Reason)
		}
	default:
		if got.State != scan.Filtered && got.State != scan.OpenFiltered {
			t.Errorf("%s: %s/%s, want filtered or open|filtered", what, got.State, got.Reason)
		}
	}
}
