package tracker

import (
	"net/netip"
	"testing"
	"time"

	"github.com/portwatch/portwatch/internal/model"
	"github.com/portwatch/portwatch/internal/scan"
)

// BenchmarkObserve measures one monitor result over 10,000 tracked
// endpoints (the daemon's 10,000-monitors-every-10-s target).
func BenchmarkObserve(b *testing.B) {
	const n = 10000
	eps := make([]model.Endpoint, n)
	for i := range eps {
		eps[i] = model.Endpoint{Addr: netip.AddrFrom4([4]byte{198, 18, byte(i / 250), byte(i%250 + 1)}), Protocol: scan.TCP, Port: 443}
	}
	tr := New(nil)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		st := scan.Open
		if i%(5*n) >= 4*n {
			st = scan.Closed
		}
		tr.Observe(model.Observation{Endpoint: eps[i%n], Location: model.LocalLocation, Time: t0.Add(time.Duration(i/n) * 10 * time.Second), State: st})
	}
}
