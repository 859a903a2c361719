package daemon

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"net/netip"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/portwatch/portwatch/internal/alert"
	"github.com/portwatch/portwatch/internal/alert/notify"
	"github.com/portwatch/portwatch/internal/config"
	"github.com/portwatch/portwatch/internal/metrics"
	"github.com/portwatch/portwatch/internal/model"
	"github.com/portwatch/portwatch/internal/monitor/schedule"
	"github.com/portwatch/portwatch/internal/monitor/tracker"
	"github.com/portwatch/portwatch/internal/policy"
	"github.com/portwatch/portwatch/internal/scan"
	"github.com/portwatch/portwatch/internal/store"
	"github.com/portwatch/portwatch/internal/store/sqlite"
)

func TestMetricsOfARunningDaemon(t *testing.T) {
	ln, port := loopbackListener(t)
	defer ln.Close()
	cfgText := fmt.Sprintf(`scope: [127.0.0.1]
groups:
  - name: loop
    targets: [127.0.0.1]
monitors:
  - name: svc
    endpoint: 127.0.0.1:%d
    interval: 1s
    timeout: 500ms
`, port)
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "pw.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	d, err := New(ctx, parseConfig(t, cfgText), st, Options{Version: "9.9.9", Resolver: noNames{}, Logger: log,
		Writer: store.WriterOptions{MaxDelay: 10 * time.Millisecond}})
	if err != nil {
		t.Fatal(err)
	}
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- d.Run(runCtx) }()
	defer func() {
		stop()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	}()
	ep := model.Endpoint{Addr: netip.MustParseAddr("127.0.0.1"), Protocol: scan.TCP, Port: port}
	eventually(t, "a check recorded", func() bool { return d.rec.known(ep, model.LocalLocation) && d.Ready() })

	h := metrics.Handler(d, metrics.Options{Logger: log})
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	body := rec.Body.String()
	if rec.Code != 200 {
		t.Fatalf("status %d: %s", rec.Code, body)
	}
	for _, want := range []string{
		fmt.Sprintf(`portwatch_endpoint_up{endpoint="127.0.0.1:%d/tcp",group="loop",location="local",monitor="svc"} 1`, port),
		fmt.Sprintf(`portwatch_endpoint_state{endpoint="127.0.0.1:%d/tcp",group="loop",location="local",monitor="svc",state="open"} 1`, port),
		`portwatch_build_info{goversion="go`,
		`version="9.9.9"} 1`,
		`portwatch_metrics_snapshot_ok 1`,
		`portwatch_ready 1`,
		`portwatch_endpoints{group="loop",protocol="tcp",state="open"} 1`,
		`portwatch_open_ports{group="loop",protocol="tcp"} 1`,
		`portwatch_scheduler_jobs 1`,
		`portwatch_scheduler_lag_seconds_bucket{le="+Inf"}`,
		`portwatch_findings_open{severity="critical"} 0`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("missing %s", want)
		}
	}
	if t.Failed() {
		t.Logf("exposition:\n%s", body)
	}
}

func TestScanStatsRecord(t *testing.T) {
	var s scanStats
	t0 := time.Unix(1700000000, 0)
	res := &scan.Result{Started: t0, Finished: t0.Add(2 * time.Second), Hosts: []scan.HostResult{
		{Ports: []scan.PortResult{{State: scan.Open}, {State: scan.Closed}, {State: scan.Open}}, OtherStates: map[scan.PortState]int{scan.Closed: 990}},
	}}
	s.record("sweep", res, nil)
	s.record("sweep", res, fmt.Errorf("disk full"))
	p := &plan{discovery: []discoveryPlan{{cfg: config.DiscoveryJob{Name: "sweep"}}, {cfg: config.DiscoveryJob{Name: "idle"}}}}
	got := s.snapshot(p)
	if len(got) != 2 || got[0].Job != "sweep" || got[0].LastOpenPorts != 2 || got[0].Successes != 1 || got[0].Failures != 1 ||
		got[0].LastDuration != 2*time.Second || !got[0].LastSuccess.Equal(t0.Add(2*time.Second)) || got[1].Job != "idle" || got[1].Successes != 0 {
		t.Errorf("scan stats: %+v", got)
	}
}

// prefixSet is an address set for the benchmark's group.
type prefixSet netip.Prefix

func (p prefixSet) Contains(a netip.Addr) bool { return netip.Prefix(p).Contains(a) }

// BenchmarkMetricsSnapshot measures one snapshot and scrape with 10,000
// monitored endpoints among 100,000 tracked states.
func BenchmarkMetricsSnapshot(b *testing.B) {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(b.TempDir(), "pw.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	var as alertStore = st
	t0 := time.Now().UTC()
	states := make([]model.EndpointState, 0, 100000)
	p := &plan{location: model.LocalLocation, alert: &alertPlan{notifiers: map[string]notify.Notifier{}}}
	for i := range 100000 {
		ep := model.Endpoint{Addr: netip.AddrFrom4([4]byte{198, 18, byte(i / 250 % 250), byte(i%250 + 1)}), Protocol: scan.TCP, Port: uint16(1 + i/62500)}
		state := scan.Open
		if i%3 == 0 {
			state = scan.Closed
		}
		states = append(states, model.EndpointState{Endpoint: ep, Location: model.LocalLocation, State: state, LastSeen: t0, LastRTT: time.Millisecond})
		if i < 10000 {
			p.monitors = append(p.monitors, monitorPlan{cfg: config.Monitor{Name: fmt.Sprint("m", i)}, endpoints: []model.Endpoint{ep}})
		}
	}
	p.policy = policy.NewEngine([]policy.Group{
		{Name: "a", MemberSets: []policy.AddrSet{prefixSet(netip.MustParsePrefix("198.18.0.0/18"))}},
		{Name: "b", MemberSets: []policy.AddrSet{prefixSet(netip.MustParsePrefix("198.18.64.0/18"))}},
	}, nil)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	d := &Daemon{
		log: log, plan: p, alertStore: as,
		rec:        &recorder{tracker: tracker.New(states), open: map[endpointKey]map[model.FindingKey]model.Finding{}},
		sched:      schedule.New(schedule.Options{MaxConcurrent: 16}),
		dispatcher: alert.NewDispatcher(as, nil, alert.DispatchOptions{Logger: log}),
	}
	h := metrics.Handler(d, metrics.Options{Logger: log})
	b.ReportAllocs()
	for b.Loop() {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
		if rec.Code != 200 || !strings.Contains(rec.Body.String(), "portwatch_metrics_snapshot_ok 1") {
			b.Fatalf("status %d", rec.Code)
		}
	}
}

func TestLagHistogramAtMetricsBounds(t *testing.T) {
	h := schedule.NewHistogram()
	for _, d := range []time.Duration{500 * time.Microsecond, 2 * time.Millisecond, 20 * time.Second} {
		h.Observe(d)
	}
	got := lagHistogram(h.Cumulative)
	want := []uint64{1, 2, 2, 2, 2, 2, 2, 2, 2} // .001 .005 .01 .05 .1 .5 1 5 10
	if fmt.Sprint(got.Counts) != fmt.Sprint(want) || got.Count != 3 {
		t.Errorf("buckets %v count %d, want %v and 3", got.Counts, got.Count, want)
	}
	if exact := 20.0025; got.Sum < exact*0.91 || got.Sum > exact*1.09 {
		t.Errorf("sum %v, want within 9 %% of %v", got.Sum, exact)
	}
}
