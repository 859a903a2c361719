package discovery

import (
	"context"
	"net/netip"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/portwatch/portwatch/internal/rawnet/netnstest"
	"github.com/portwatch/portwatch/internal/scan"
	"github.com/portwatch/portwatch/test/lab"
)

// labPrefix is this package's lab (the syn scanner's is pwf).
const labPrefix = "pwfd"

var (
	labTruth *lab.Truth
	labSkip  string
)

func TestMain(m *testing.M) {
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

// discoverIn runs a one-shot discovery from the scanner namespace and
// returns the verdicts by address.
func discoverIn(t *testing.T, tr *lab.Truth, targets scan.Targets) (map[netip.Addr]Result, time.Duration) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	start := time.Now()
	var results <-chan Result
	err := netnstest.Do(tr.ScannerNetns, func() error {
		var err error
		results, err = Discover(ctx, targets, Options{})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	out := map[netip.Addr]Result{}
	for r := range results {
		if _, dup := out[r.Addr]; dup {
			t.Errorf("%s: two verdicts", r.Addr)
		}
		out[r.Addr] = r
	}
	if ctx.Err() != nil {
		t.Fatal("discovery did not finish")
	}
	return out, time.Since(start)
}

// want is an expected verdict.
type want struct {
	status scan.HostStatus
	reason scan.Reason
}

func check(t *testing.T, got map[netip.Addr]Result, addrs []netip.Addr, expect func(netip.Addr) want) {
	t.Helper()
	for _, a := range addrs {
		w := expect(a)
		r, ok := got[a]
		if !ok || r.Status != w.status || r.Reason != w.reason {
			t.Errorf("%s: got %s/%s, want %s/%s", a, r.Status, r.Reason, w.status, w.reason)
		}
		if ok && r.Status == scan.HostUp && r.Reason != ReasonLocalhost && (r.RTT <= 0 || !r.Route.Src.IsValid()) {
			t.Errorf("%s: up without round trip or route: %+v", a, r)
		}
	}
	if len(got) != len(addrs) {
		t.Errorf("%d verdicts for %d targets", len(got), len(addrs))
	}
}

// TestLabMainSubnet discovers the lab's main IPv4 /24: the lab hosts
// answer ARP, the scanner's own address is local, the broadcast address is
// not probed, and every other address (Truth.Unassigned among them) is down.
func TestLabMainSubnet(t *testing.T) {
	tr := needLab(t)
	live := map[netip.Addr]bool{}
	for _, h := range tr.Hosts {
		live[netip.MustParseAddr(h.IPv4)] = true
	}
	testSubnet(t, tr, "198.18.0.0/24", tr.ScannerIPv4, live, tr.Unassigned)
}

// TestLabSparseSubnet discovers the sparse /24: a handful of live hosts,
// the rest empty.
func TestLabSparseSubnet(t *testing.T) {
	tr := needLab(t)
	sub, ok := tr.Subnet("sparse")
	if !ok {
		t.Skip("lab has no sparse subnet")
	}
	live := map[netip.Addr]bool{}
	for _, a := range sub.Live {
		live[netip.MustParseAddr(a)] = true
	}
	empty, err := sub.EmptyIPv4()
	if err != nil {
		t.Fatal(err)
	}
	testSubnet(t, tr, sub.CIDR, sub.ScannerIPv4, live, empty)
}

// testSubnet discovers every address of cidr and checks each verdict.
func testSubnet(t *testing.T, tr *lab.Truth, cidr, scannerAddr string, live map[netip.Addr]bool, empty []string) {
	t.Helper()
	prefix := netip.MustParsePrefix(cidr).Masked()
	var addrs scan.AddrList
	for a := prefix.Addr(); prefix.Contains(a); a = a.Next() {
		addrs = append(addrs, a)
	}
	for _, e := range empty {
		if !contains(addrs, netip.MustParseAddr(e)) {
			t.Fatalf("empty %s outside %s", e, cidr)
		}
	}
	scanner := netip.MustParseAddr(scannerAddr)
	got, took := discoverIn(t, tr, addrs)
	check(t, got, addrs, func(a netip.Addr) want {
		switch {
		case a == scanner:
			return want{scan.HostUp, ReasonLocalhost}
		case live[a]:
			return want{scan.HostUp, scan.ReasonARPResponse}
		case a.As4()[3] == 255:
			return want{scan.HostDown, ReasonBroadcast}
		}
		return want{scan.HostDown, scan.ReasonNoResponse}
	})
	t.Logf("%s (%d live) discovered in %v", cidr, len(live), took.Round(time.Millisecond))
}

// TestLabIPv6 discovers the lab hosts and its unassigned addresses over
// IPv6 (neighbour solicitation).
func TestLabIPv6(t *testing.T) {
	tr := needLab(t)
	expect := map[netip.Addr]want{netip.MustParseAddr(tr.ScannerIPv6): {scan.HostUp, ReasonLocalhost}}
	for _, h := range tr.Hosts {
		expect[netip.MustParseAddr(h.IPv6)] = want{scan.HostUp, ReasonNDResponse}
	}
	for _, u := range tr.UnassignedIPv6 {
		expect[netip.MustParseAddr(u)] = want{scan.HostDown, scan.ReasonNoResponse}
	}
	var addrs scan.AddrList
	for a := range expect {
		addrs = append(addrs, a)
	}
	got, took := discoverIn(t, tr, addrs)
	check(t, got, addrs, func(a netip.Addr) want { return expect[a] })
	t.Logf("%d IPv6 addresses discovered in %v", len(addrs), took.Round(time.Millisecond))
}

// TestLabOffLink routes h2 and h3 through h1 (forwarding switched on for
// the test), so that they are no longer on the scanner's segment and are
// asked with ICMP echo, TCP SYN and TCP ACK instead of ARP: h3 answers the
// echo; h2 drops all of it and is down.
func TestLabOffLink(t *testing.T) {
	tr := needLab(t)
	h1, _ := tr.Host("h1")
	h2, _ := tr.Host("h2")
	h3, _ := tr.Host("h3")
	ctx := context.Background()
	run := func(cmd *exec.Cmd) {
		t.Helper()
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("%v: %v\n%s", cmd.Args, err, out)
		}
	}
	run(tr.HostCmd(ctx, "h1", "sysctl", "-qw", "net.ipv4.ip_forward=1"))
	t.Cleanup(func() { _ = tr.HostCmd(ctx, "h1", "sysctl", "-qw", "net.ipv4.ip_forward=0").Run() })
	for _, h := range []lab.Host{h2, h3} {
		run(tr.ScannerCmd(ctx, "ip", "route", "add", h.IPv4+"/32", "via", h1.IPv4))
		t.Cleanup(func() { _ = tr.ScannerCmd(ctx, "ip", "route", "del", h.IPv4+"/32").Run() })
	}
	a2, a3 := netip.MustParseAddr(h2.IPv4), netip.MustParseAddr(h3.IPv4)
	got, took := discoverIn(t, tr, scan.AddrList{a2, a3})
	check(t, got, scan.AddrList{a2, a3}, func(a netip.Addr) want {
		if a == a3 {
			return want{scan.HostUp, ReasonEchoReply}
		}
		return want{scan.HostDown, scan.ReasonNoResponse}
	})
	if gw := got[a3].Route.Gateway.String(); gw != h1.IPv4 {
		t.Errorf("h3's route gateway %s, want %s", gw, h1.IPv4)
	}
	t.Logf("off-link discovery in %v", took.Round(time.Millisecond))
}

// TestLabNoRoute: an address the scanner namespace has no route to is
// down (net-unreachable) without a packet being sent.
func TestLabNoRoute(t *testing.T) {
	tr := needLab(t)
	a := netip.MustParseAddr("198.18.99.1") // 198.18.0.0/15: blackholed outside the lab
	got, _ := discoverIn(t, tr, scan.AddrList{a})
	if r := got[a]; r.Status != scan.HostDown || r.Reason != scan.ReasonNetUnreachable {
		t.Fatalf("got %+v", r)
	}
}

// TestLabProberReuse runs two discoveries on one prober (as the SYN
// scanner does, host group after host group).
func TestLabProberReuse(t *testing.T) {
	tr := needLab(t)
	var p *Prober
	if err := netnstest.Do(tr.ScannerNetns, func() error {
		var err error
		p, err = Open(Options{})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	for i, h := range tr.Hosts[:2] {
		a := netip.MustParseAddr(h.IPv4)
		ch, err := p.Discover(context.Background(), scan.AddrList{a})
		if err != nil {
			t.Fatal(err)
		}
		var rs []Result
		for r := range ch {
			rs = append(rs, r)
		}
		if len(rs) != 1 || rs[0].Status != scan.HostUp {
			t.Errorf("round %d: %+v", i, rs)
		}
	}
}

func contains(l scan.AddrList, a netip.Addr) bool {
	for _, x := range l {
		if x == a {
			return true
		}
	}
	return false
}
