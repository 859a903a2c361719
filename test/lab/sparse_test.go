package lab_test

import (
	"context"
	"net/netip"
	"slices"
	"sync"
	"testing"

	"github.com/portwatch/portwatch/test/lab"
)

// testSparse checks the further subnets: nmap's host discovery over each
// /24, by ARP and by ICMP echo alone, finds exactly the live hosts (and the
// scanner itself), and a few empty IPv6 addresses do not answer.
func testSparse(t *testing.T, tr *lab.Truth) {
	if len(tr.Subnets) == 0 {
		t.Fatal("the truth lists no further subnet")
	}
	for _, s := range tr.Subnets {
		empty, err := s.EmptyIPv4()
		if err != nil {
			t.Fatal(err)
		}
		if len(empty) != s.Empty || len(empty)+len(s.Live)+1 != 254 {
			t.Errorf("subnet %s: %d empty addresses, truth says %d", s.Name, len(empty), s.Empty)
		}
		var ping []string
		for _, h := range s.Hosts {
			if h.Ping {
				ping = append(ping, h.IPv4)
			}
		}
		checks := []struct {
			name string
			args []string
			want []string
		}{
			{"arp", []string{"-sn", "-PR"}, append(slices.Clone(s.Live), s.ScannerIPv4)},
			{"echo", []string{"-sn", "-PE", "--disable-arp-ping"}, append(ping, s.ScannerIPv4)},
		}
		var wg sync.WaitGroup
		for _, c := range checks {
			wg.Go(func() {
				up, err := nmapUp(tr, s.CIDR, c.args...)
				if err != nil {
					t.Error(err)
					return
				}
				if !sameAddrs(up, c.want) {
					t.Errorf("subnet %s, nmap %s discovery: up %v, truth %v", s.Name, c.name, up, c.want)
				}
			})
		}
		for _, ip := range emptyIPv6(s) {
			wg.Go(func() {
				if got := dialProbe(context.Background(), tr, ip, 22); got.state != lab.StateFiltered {
					t.Errorf("subnet %s: empty %s port 22: dial says %s (%s), want no answer", s.Name, ip, got.state, got.why)
				}
			})
		}
		wg.Wait()
	}
}

// nmapUp runs an nmap host discovery over cidr and returns the addresses
// it found up.
func nmapUp(tr *lab.Truth, cidr string, args ...string) ([]string, error) {
	// runNmap wants one address: the /24 is one target all the same.
	run, err := runNmap(tr, cidr, args...)
	if err != nil {
		return nil, err
	}
	var up []string
	for _, h := range run.Hosts {
		if h.Status.State == "up" {
			up = append(up, h.IP())
		}
	}
	return up, nil
}

func sameAddrs(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}

// emptyIPv6 returns a few addresses of the subnet's IPv6 /64 where nothing
// lives: the ones after the scanner and the last live host.
func emptyIPv6(s lab.Subnet) []string {
	taken := map[string]bool{s.ScannerIPv6: true}
	for _, a := range s.LiveIPv6 {
		taken[a] = true
	}
	var out []string
	for _, from := range []string{s.ScannerIPv6, s.LiveIPv6[len(s.LiveIPv6)-1]} {
		a, err := netip.ParseAddr(from)
		if err != nil {
			continue // LoadTruth checked the addresses
		}
		for a = a.Next(); taken[a.String()]; a = a.Next() {
		}
		out = append(out, a.String())
	}
	return out
}
