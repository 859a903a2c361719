package policy_test

import (
	"net/netip"
	"testing"
	"time"

	"github.com/portwatch/portwatch/internal/fingerprint"
	"github.com/portwatch/portwatch/internal/model"
	"github.com/portwatch/portwatch/internal/monitor/tracker"
	"github.com/portwatch/portwatch/internal/policy"
	"github.com/portwatch/portwatch/internal/scan"
)

// daemon mimics what the daemon wires: tracker, then engine, then the open
// findings kept by key (the store's job in production).
type daemon struct {
	tr     *tracker.Tracker
	engine *policy.Engine
	open   map[model.FindingKey]model.Finding
	// log of what happened, for assertions
	changes, opened, resolved int
}

func (d *daemon) observe(o model.Observation) {
	state, changes := d.tr.Observe(o)
	opened, resolved := d.engine.Evaluate(state, changes, d.open)
	for _, f := range opened {
		d.open[f.Key()] = f
	}
	for _, k := range resolved {
		delete(d.open, k)
	}
	d.changes += len(changes)
	d.opened += len(opened)
	d.resolved += len(resolved)
}

func TestFlappingForbiddenPort(t *testing.T) {
	ep := model.Endpoint{Addr: netip.MustParseAddr("198.18.0.11"), Protocol: scan.TCP, Port: 6379}
	d := &daemon{
		tr: tracker.New(nil),
		engine: policy.NewEngine([]policy.Group{{
			Name: "dmz", Members: []netip.Prefix{netip.MustParsePrefix("198.18.0.0/24")},
			ForbiddenPorts: policy.Ports{TCP: []uint16{6379}},
		}}, nil),
		open: map[model.FindingKey]model.Finding{},
	}
	t0 := time.Date(2026, 11, 21, 20, 0, 0, 0, time.UTC)
	redis := &fingerprint.Service{Name: "redis", Version: "7.0.15"}
	seq := []scan.PortState{scan.Open, scan.Open, scan.Closed, scan.Open, scan.Open, scan.Closed, scan.Closed}
	for i, s := range seq {
		o := model.Observation{Endpoint: ep, Location: model.LocalLocation, Time: t0.Add(time.Duration(i) * 10 * time.Second), State: s}
		if s == scan.Open {
			o.Service = redis
		}
		d.observe(o)
	}
	// opened, closed, opened, closed; a finding per open period.
	if d.changes != 4 || d.opened != 2 || d.resolved != 2 || len(d.open) != 0 {
		t.Fatalf("changes %d opened %d resolved %d still open %d, want 4 2 2 0", d.changes, d.opened, d.resolved, len(d.open))
	}
}

// BenchmarkObserveEvaluate measures one monitor result through the tracker
// and the engine: 10,000 endpoints, a few groups and a monitor each, as in
// the daemon's 10,000-monitors-every-10-s target. ns/op × 10,000 is the CPU
// one cycle costs.
func BenchmarkObserveEvaluate(b *testing.B) {
	const n = 10000
	base := netip.MustParseAddr("198.18.0.0").As4()
	eps := make([]model.Endpoint, n)
	monitors := make([]policy.Monitor, n)
	for i := range eps {
		a := base
		a[2], a[3] = byte(i/250), byte(i%250+1)
		eps[i] = model.Endpoint{Addr: netip.AddrFrom4(a), Protocol: scan.TCP, Port: 443}
		monitors[i] = policy.Monitor{Name: eps[i].String(), Endpoint: eps[i], Expect: policy.ExpectOpen, FailureThreshold: 3}
	}
	groups := []policy.Group{
		{Name: "lab", Members: []netip.Prefix{netip.MustParsePrefix("198.18.0.0/16")}, AllowedPorts: policy.Ports{TCP: []uint16{22, 80, 443}},
			ExpectedServices: map[uint16]string{443: "https"}},
		{Name: "edge", Members: []netip.Prefix{netip.MustParsePrefix("198.18.0.0/20")}, InternetFacing: true},
		{Name: "other", Members: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("192.0.2.0/24")}},
	}
	tr := tracker.New(nil)
	engine := policy.NewEngine(groups, monitors)
	open := map[model.FindingKey]model.Finding{}
	t0 := time.Date(2026, 11, 21, 20, 0, 0, 0, time.UTC)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		o := model.Observation{Endpoint: eps[i%n], Location: model.LocalLocation, Time: t0.Add(time.Duration(i/n) * 10 * time.Second),
			State: scan.Open, Reason: scan.ReasonSynAck, RTT: time.Millisecond, Source: model.SourceMonitor}
		if i%(7*n) >= 6*n { // every 7th cycle the endpoints are down
			o.State, o.Reason = scan.Closed, scan.ReasonConnRefused
		}
		state, changes := tr.Observe(o)
		opened, resolved := engine.Evaluate(state, changes, open)
		for _, f := range opened {
			open[f.Key()] = f
		}
		for _, k := range resolved {
			delete(open, k)
		}
	}
}

func TestLatencyThresholds(t *testing.T) {
	ep := model.Endpoint{Addr: netip.MustParseAddr("198.18.0.20"), Protocol: scan.TCP, Port: 5432}
	d := &daemon{
		tr: tracker.New(nil),
		engine: policy.NewEngine(nil, []policy.Monitor{{Name: "db", Endpoint: ep, Expect: policy.ExpectOpen,
			FailureThreshold: 3, LatencyWarn: 50 * time.Millisecond, LatencyCrit: 250 * time.Millisecond}}),
		open: map[model.FindingKey]model.Finding{},
	}
	at := time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)
	check := func(state scan.PortState, rtt time.Duration) {
		at = at.Add(10 * time.Second)
		d.observe(model.Observation{Endpoint: ep, Location: "lab", Time: at, State: state, Reason: "x", RTT: rtt, Source: model.SourceMonitor})
	}
	severities := func() map[model.Severity]int {
		out := map[model.Severity]int{}
		for _, f := range d.open {
			if f.Kind == model.FindingSlowResponse {
				out[f.Severity]++
			}
		}
		return out
	}
	check(scan.Open, 10*time.Millisecond)
	if n := len(severities()); n != 0 {
		t.Fatalf("fast answer opened %d slow-response findings", n)
	}
	check(scan.Open, 80*time.Millisecond)
	if s := severities(); s[model.SeverityWarning] != 1 || s[model.SeverityMajor] != 0 {
		t.Fatalf("80 ms over a 50 ms warning: %v", s)
	}
	check(scan.Open, 300*time.Millisecond)
	if s := severities(); s[model.SeverityWarning] != 1 || s[model.SeverityMajor] != 1 {
		t.Fatalf("300 ms over both thresholds: %v", s)
	}
	check(scan.Closed, 0) // down: latency thresholds neither open nor resolve
	if s := severities(); s[model.SeverityWarning] != 1 || s[model.SeverityMajor] != 1 {
		t.Fatalf("while down: %v", s)
	}
	check(scan.Open, 20*time.Millisecond)
	if s := severities(); len(s) != 0 {
		t.Fatalf("fast again, slow-response findings still open: %v", s)
	}
}

func TestSuccessThresholdDelaysTheResolve(t *testing.T) {
	ep := model.Endpoint{Addr: netip.MustParseAddr("198.18.0.20"), Protocol: scan.TCP, Port: 5432}
	d := &daemon{
		tr: tracker.New(nil),
		engine: policy.NewEngine(nil, []policy.Monitor{{Name: "db", Endpoint: ep, Expect: policy.ExpectOpen,
			FailureThreshold: 2, SuccessThreshold: 3}}),
		open: map[model.FindingKey]model.Finding{},
	}
	at := time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)
	for i, state := range []scan.PortState{scan.Open, scan.Closed, scan.Closed, scan.Open, scan.Open, scan.Open} {
		at = at.Add(10 * time.Second)
		d.observe(model.Observation{Endpoint: ep, Location: "lab", Time: at, State: state, Reason: "x", Source: model.SourceMonitor})
		wantOpen := i >= 2 && i < 5 // opened at the 2nd failure, resolved at the 3rd success
		if got := len(d.open) == 1; got != wantOpen {
			t.Fatalf("after observation %d (%s): finding open = %v, want %v", i, state, got, wantOpen)
		}
	}
}
