package syn

import (
	"net/netip"
	"testing"
	"time"

	"github.com/portwatch/portwatch/internal/scan"
)

// TestLabOneHostFullRange scans each of h1 (answers every port) and h2
// (drops almost everything) alone over the full range, the two cases of
// docs/syn-scan.md's measurements, and logs how long each took (no timing
// assertion: the machine is shared).
func TestLabOneHostFullRange(t *testing.T) {
	tr := needLab(t)
	for _, h := range hostsOf(t, tr, "h1", "h2") {
		addr := netip.MustParseAddr(h.IPv4)
		ports := portRange(1, 65535)
		out := labScan(t, tr, &Scanner{}, scan.Job{Targets: scan.AddrList{addr}, Ports: ports, Seed: 3})
		checkHost(t, out, h, addr, ports)
		t.Logf("%s: 65535 ports in %v, %d packets", h.Name, out.elapsed.Round(time.Millisecond), out.prog.Sent.Load())
	}
}
