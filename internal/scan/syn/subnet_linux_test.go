package syn

import (
	"net/netip"
	"testing"
	"time"

	"github.com/portwatch/portwatch/internal/scan"
	"github.com/portwatch/portwatch/internal/target"
	"github.com/portwatch/portwatch/test/lab"
)

// TestLabSparseTopPorts scans the lab's sparse /24 (5 live hosts, the
// scanner, and empty addresses) on the top 100 TCP ports with discovery:
// every live host and all its open ports among them must be found, and no
// empty address may be probed.
func TestLabSparseTopPorts(t *testing.T) {
	tr := needLab(t)
	sub, ok := tr.Subnet("sparse")
	if !ok {
		t.Skip("lab has no sparse subnet")
	}
	ports, err := target.TopPorts("tcp", 100)
	if err != nil {
		t.Fatal(err)
	}
	prefix := netip.MustParsePrefix(sub.CIDR).Masked()
	var addrs scan.AddrList
	for a := prefix.Addr(); prefix.Contains(a); a = a.Next() {
		addrs = append(addrs, a)
	}
	out := labScan(t, tr, &Scanner{}, scan.Job{Targets: addrs, Ports: ports, Seed: 4})
	live := map[netip.Addr]lab.Host{}
	for _, h := range sub.Hosts {
		live[netip.MustParseAddr(h.IPv4)] = h
	}
	self := netip.MustParseAddr(sub.ScannerIPv4)
	for _, a := range addrs {
		v := out.verdicts[a]
		h, isHost := live[a]
		switch {
		case isHost:
			if v.Status != scan.HostUp || v.Reason != scan.ReasonARPResponse {
				t.Errorf("%s (%s): %+v", a, h.Name, v)
			}
			checkHost(t, out, h, a, ports)
		case a == self:
			if v.Status != scan.HostUp {
				t.Errorf("scanner %s: %+v", a, v)
			}
		default:
			if v.Status != scan.HostDown || len(out.ports[a]) > 0 {
				t.Errorf("empty %s: %+v, %d ports", a, v, len(out.ports[a]))
			}
		}
	}
	// Probes: the live hosts' ports and their retransmissions only.
	if limit := uint64(2 * (len(live) + 1) * len(ports)); out.prog.Sent.Load() > limit {
		t.Errorf("%d probes sent, want at most %d", out.prog.Sent.Load(), limit)
	}
	t.Logf("%s, top %d ports, %d live hosts: %v, %d probes", sub.CIDR, len(ports), len(live),
		out.elapsed.Round(time.Millisecond), out.prog.Sent.Load())
}
