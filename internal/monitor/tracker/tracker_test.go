package tracker

import (
	"net/netip"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/portwatch/portwatch/internal/fingerprint"
	"github.com/portwatch/portwatch/internal/model"
	"github.com/portwatch/portwatch/internal/scan"
)

var (
	t0 = time.Date(2026, 11, 21, 20, 0, 0, 0, time.UTC)
	ep = model.Endpoint{Addr: netip.MustParseAddr("198.18.0.11"), Protocol: scan.TCP, Port: 6379}
)

// obs builds an observation of ep at t0+sec seconds.
func obs(sec int, st scan.PortState, svc *fingerprint.Service) model.Observation {
	return model.Observation{
		Endpoint: ep, Location: model.LocalLocation, Time: t0.Add(time.Duration(sec) * time.Second),
		State: st, Reason: scan.ReasonSynAck, RTT: time.Millisecond, Service: svc, Source: model.SourceMonitor,
	}
}

func svc(name, product, version, cert string) *fingerprint.Service {
	s := &fingerprint.Service{Name: name, Product: product, Version: version}
	if cert != "" {
		s.TLS = &fingerprint.TLSInfo{SHA256: cert}
	}
	return s
}

// kinds renders changes as "kind:from>to" for compact comparison.
func kinds(cs []model.Change) []string {
	var out []string
	for _, c := range cs {
		out = append(out, string(c.Kind)+":"+c.From+">"+c.To)
	}
	return out
}

func TestObserveChanges(t *testing.T) {
	tests := []struct {
		name string
		seq  []model.Observation
		want []string // changes of the last observation
	}{
		{"first sighting open", []model.Observation{obs(0, scan.Open, nil)}, []string{"opened:>open"}},
		{"first sighting closed", []model.Observation{obs(0, scan.Closed, nil)}, nil},
		{"first sighting filtered", []model.Observation{obs(0, scan.Filtered, nil)}, nil},
		{"first sighting open|filtered", []model.Observation{obs(0, scan.OpenFiltered, nil)}, nil},
		{"first sighting open with service", []model.Observation{obs(0, scan.Open, svc("redis", "", "7.0.15", ""))}, []string{"opened:>open"}},
		{"closed to open", []model.Observation{obs(0, scan.Closed, nil), obs(1, scan.Open, nil)}, []string{"opened:closed>open"}},
		{"filtered to open", []model.Observation{obs(0, scan.Filtered, nil), obs(1, scan.Open, nil)}, []string{"opened:filtered>open"}},
		{"open to closed", []model.Observation{obs(0, scan.Open, nil), obs(1, scan.Closed, nil)}, []string{"closed:open>closed"}},
		{"filtered to closed", []model.Observation{obs(0, scan.Filtered, nil), obs(1, scan.Closed, nil)}, []string{"closed:filtered>closed"}},
		{"open to filtered", []model.Observation{obs(0, scan.Open, nil), obs(1, scan.Filtered, nil)}, []string{"filtered:open>filtered"}},
		{"closed to filtered", []model.Observation{obs(0, scan.Closed, nil), obs(1, scan.Filtered, nil)}, []string{"filtered:closed>filtered"}},
		{"open to open|filtered", []model.Observation{obs(0, scan.Open, nil), obs(1, scan.OpenFiltered, nil)}, []string{"filtered:open>open|filtered"}},
		{"filtered to open|filtered", []model.Observation{obs(0, scan.Filtered, nil), obs(1, scan.OpenFiltered, nil)}, []string{"filtered:filtered>open|filtered"}},
		{"open stays open", []model.Observation{obs(0, scan.Open, nil), obs(1, scan.Open, nil)}, nil},
		{"service changed", []model.Observation{obs(0, scan.Open, svc("http", "nginx", "1.22.1", "")), obs(1, scan.Open, svc("redis", "", "7.0.15", ""))}, []string{"service-changed:http>redis"}},
		{"service name case only", []model.Observation{obs(0, scan.Open, svc("HTTP", "nginx", "1.22.1", "")), obs(1, scan.Open, svc("http", "nginx", "1.22.1", ""))}, nil},
		{"version changed", []model.Observation{obs(0, scan.Open, svc("ssh", "OpenSSH", "9.2p1", "")), obs(1, scan.Open, svc("ssh", "OpenSSH", "9.6p1", ""))}, []string{"version-changed:OpenSSH 9.2p1>OpenSSH 9.6p1"}},
		{"product changed", []model.Observation{obs(0, scan.Open, svc("http", "nginx", "1.22.1", "")), obs(1, scan.Open, svc("http", "Apache httpd", "2.4.62", ""))}, []string{"version-changed:nginx 1.22.1>Apache httpd 2.4.62"}},
		{"certificate changed", []model.Observation{obs(0, scan.Open, svc("https", "nginx", "1.22.1", "aa")), obs(1, scan.Open, svc("https", "nginx", "1.22.1", "bb"))}, []string{"certificate-changed:aa>bb"}},
		{"version and certificate changed", []model.Observation{obs(0, scan.Open, svc("https", "nginx", "1.22.1", "aa")), obs(1, scan.Open, svc("https", "nginx", "1.24.0", "bb"))}, []string{"version-changed:nginx 1.22.1>nginx 1.24.0", "certificate-changed:aa>bb"}},
		{"certificate hash case only", []model.Observation{obs(0, scan.Open, svc("https", "", "", "AA")), obs(1, scan.Open, svc("https", "", "", "aa"))}, nil},
		{"no -sV is not service removed", []model.Observation{obs(0, scan.Open, svc("redis", "", "7.0.15", "")), obs(1, scan.Open, nil)}, nil},
		{"no -sV then same service", []model.Observation{obs(0, scan.Open, svc("redis", "", "7.0.15", "")), obs(1, scan.Open, nil), obs(2, scan.Open, svc("redis", "", "7.0.15", ""))}, nil},
		{"first service is not a change", []model.Observation{obs(0, scan.Open, nil), obs(1, scan.Open, svc("redis", "", "7.0.15", ""))}, nil},
		{"reopened with another service", []model.Observation{obs(0, scan.Open, svc("http", "", "", "")), obs(1, scan.Closed, nil), obs(2, scan.Open, svc("ssh", "", "", ""))}, []string{"opened:closed>open", "service-changed:http>ssh"}},
		{"out of order ignored", []model.Observation{obs(5, scan.Open, nil), obs(1, scan.Closed, nil)}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tr := New(nil)
			var got []model.Change
			for _, o := range tt.seq {
				_, got = tr.Observe(o)
			}
			if g := kinds(got); !reflect.DeepEqual(g, tt.want) {
				t.Errorf("changes = %q, want %q", g, tt.want)
			}
			last := tt.seq[len(tt.seq)-1]
			for _, c := range got {
				if c.Endpoint != ep || c.Location != model.LocalLocation || !c.Time.Equal(last.Time) {
					t.Errorf("change %+v: wrong endpoint, location or time", c)
				}
			}
		})
	}
}

func TestObserveState(t *testing.T) {
	tr := New(nil)
	tr.Observe(obs(0, scan.Open, svc("redis", "", "7.0.15", "")))
	s, _ := tr.Observe(obs(10, scan.Open, nil))
	want := model.EndpointState{
		Endpoint: ep, Location: model.LocalLocation, State: scan.Open, Reason: scan.ReasonSynAck,
		Since: t0, FirstSeen: t0, LastSeen: t0.Add(10 * time.Second), Consecutive: 2,
		LastRTT: time.Millisecond, Service: svc("redis", "", "7.0.15", ""),
	}
	if !reflect.DeepEqual(s, want) {
		t.Fatalf("state = %+v\nwant    %+v", s, want)
	}

	o := obs(20, scan.Closed, nil)
	o.Reason, o.RTT = scan.ReasonConnRefused, 2*time.Millisecond
	s, _ = tr.Observe(o)
	if s.State != scan.Closed || !s.Since.Equal(o.Time) || s.Consecutive != 1 || !s.FirstSeen.Equal(t0) ||
		s.Reason != scan.ReasonConnRefused || s.LastRTT != 2*time.Millisecond || s.Service == nil {
		t.Fatalf("after close: %+v", s)
	}
	s, _ = tr.Observe(obs(30, scan.Closed, nil))
	if s.Consecutive != 2 || !s.Since.Equal(o.Time) || !s.LastSeen.Equal(t0.Add(30*time.Second)) {
		t.Fatalf("second close: %+v", s)
	}
	if got, ok := tr.State(ep, model.LocalLocation); !ok || got.Consecutive != 2 {
		t.Fatalf("State() = %+v, %v", got, ok)
	}
	if _, ok := tr.State(ep, "agent-1"); ok {
		t.Fatal("State() found an endpoint at an unobserved location")
	}
}

func TestOutOfOrderLeavesState(t *testing.T) {
	tr := New(nil)
	before, _ := tr.Observe(obs(10, scan.Open, nil))
	after, changes := tr.Observe(obs(5, scan.Closed, nil))
	if changes != nil || !reflect.DeepEqual(before, after) {
		t.Fatalf("out-of-order observation changed state: %+v -> %+v, %v", before, after, changes)
	}
	// Same time is a new check, not a replay.
	s, _ := tr.Observe(obs(10, scan.Open, nil))
	if s.Consecutive != 2 {
		t.Fatalf("same-time observation: consecutive = %d, want 2", s.Consecutive)
	}
}

func TestRestartInventsNoChange(t *testing.T) {
	first := New(nil)
	first.Observe(obs(0, scan.Open, svc("https", "nginx", "1.22.1", "aa")))
	first.Observe(obs(10, scan.Open, nil))
	restored := New(first.States()) // what the store hands back after kill -9

	s, changes := restored.Observe(obs(20, scan.Open, svc("https", "nginx", "1.22.1", "aa")))
	if changes != nil {
		t.Fatalf("restart invented changes: %q", kinds(changes))
	}
	if s.Consecutive != 3 || !s.FirstSeen.Equal(t0) || !s.Since.Equal(t0) {
		t.Fatalf("restored state lost history: %+v", s)
	}
	// A closed endpoint restored stays a known endpoint: reopening is a change
	// from closed, not a first sighting.
	r2 := New([]model.EndpointState{{Endpoint: ep, Location: model.LocalLocation, State: scan.Closed, Since: t0, FirstSeen: t0, LastSeen: t0, Consecutive: 4}})
	if _, c := r2.Observe(obs(1, scan.Closed, nil)); c != nil {
		t.Fatalf("restored closed: %q", kinds(c))
	}
	if _, c := r2.Observe(obs(2, scan.Open, nil)); !reflect.DeepEqual(kinds(c), []string{"opened:closed>open"}) {
		t.Fatalf("restored closed then open: %q", kinds(c))
	}
}

func TestFlappingOneChangePerTransition(t *testing.T) {
	tr := New(nil)
	seq := []scan.PortState{scan.Open, scan.Open, scan.Closed, scan.Closed, scan.Open, scan.Filtered, scan.Filtered, scan.Open, scan.Closed}
	var all []string
	for i, st := range seq {
		_, c := tr.Observe(obs(i, st, nil))
		all = append(all, kinds(c)...)
	}
	want := []string{"opened:>open", "closed:open>closed", "opened:closed>open", "filtered:open>filtered", "opened:filtered>open", "closed:open>closed"}
	if !reflect.DeepEqual(all, want) {
		t.Fatalf("changes = %q\nwant      %q", all, want)
	}
}

func TestLocationsAreIndependent(t *testing.T) {
	tr := New(nil)
	a := obs(0, scan.Open, nil)
	b := obs(0, scan.Open, nil)
	b.Location = "agent-eu"
	if _, c := tr.Observe(a); len(c) != 1 {
		t.Fatalf("local first sighting: %q", kinds(c))
	}
	if _, c := tr.Observe(b); len(c) != 1 {
		t.Fatalf("agent first sighting: %q", kinds(c))
	}
	if tr.Len() != 2 {
		t.Fatalf("Len() = %d, want 2", tr.Len())
	}
}

func TestTrackerDoesNotAliasCallerService(t *testing.T) {
	tr := New(nil)
	s := svc("https", "nginx", "1.22.1", "aa")
	tr.Observe(obs(0, scan.Open, s))
	s.Name, s.TLS.SHA256 = "mutated", "zz"
	if _, c := tr.Observe(obs(1, scan.Open, svc("https", "nginx", "1.22.1", "aa"))); c != nil {
		t.Fatalf("caller's mutation leaked into the tracker: %q", kinds(c))
	}
}

func TestConcurrentObserve(t *testing.T) {
	tr := New(nil)
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for i := range 100 {
				o := obs(i, scan.Open, nil)
				o.Endpoint.Port = uint16(g*1000 + i)
				tr.Observe(o)
				tr.State(o.Endpoint, o.Location)
			}
		})
	}
	wg.Wait()
	if tr.Len() != 400 {
		t.Fatalf("Len() = %d, want 400", tr.Len())
	}
}

func TestUnidentifiedProbeKeepsKnownService(t *testing.T) {
	ep := model.Endpoint{Addr: netip.MustParseAddr("198.18.0.16"), Protocol: scan.TCP, Port: 5432}
	t0 := time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)
	obs := func(at time.Duration, svc *fingerprint.Service) model.Observation {
		return model.Observation{Endpoint: ep, Location: model.LocalLocation, Time: t0.Add(at), State: scan.Open, Reason: scan.ReasonSynAck, Service: svc}
	}
	pg := &fingerprint.Service{Name: "postgresql", Product: "PostgreSQL", Confidence: 10, Method: fingerprint.MethodProbe}
	tr := New(nil)
	tr.Observe(obs(0, pg))
	for _, flaky := range []*fingerprint.Service{
		{Name: "unknown"},
		{Name: "postgresql", Confidence: fingerprint.ConfidencePortHint, Method: fingerprint.MethodPortHint},
	} {
		st, changes := tr.Observe(obs(time.Minute, flaky))
		if len(changes) != 0 {
			t.Errorf("flaky identification %+v produced changes %+v", flaky, changes)
		}
		if st.Service == nil || st.Service.Product != "PostgreSQL" {
			t.Errorf("known service replaced by %+v", st.Service)
		}
	}
	mysql := &fingerprint.Service{Name: "mysql", Product: "MariaDB", Confidence: 10, Method: fingerprint.MethodBanner}
	if _, changes := tr.Observe(obs(2*time.Minute, mysql)); len(changes) != 1 || changes[0].Kind != model.ChangeServiceChanged {
		t.Errorf("a real new service gave %+v, want one service-changed", changes)
	}
}
