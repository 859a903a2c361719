package metrics

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// fakeSource returns a fixed snapshot or error and remembers whether the
// context it was given had a deadline.
type fakeSource struct {
	s           Snapshot
	err         error
	hadDeadline bool
}

func (f *fakeSource) MetricsSnapshot(ctx context.Context) (Snapshot, error) {
	_, f.hadDeadline = ctx.Deadline()
	return f.s, f.err
}

func sample() Snapshot {
	return Snapshot{
		Build: BuildInfo{Version: "1.2.3", GoVersion: "go1.26", Revision: "abc"},
		Ready: true,
		Endpoints: []EndpointStatus{
			{Endpoint: "127.0.0.1:5432/tcp", Monitor: "db", Group: "core", Location: "local", State: "open", Latency: 3 * time.Millisecond},
			{Endpoint: "127.0.0.1:6379/tcp", Monitor: "cache", Group: "", Location: "local", State: "closed"},
			{Endpoint: "127.0.0.1:9/tcp", Monitor: "new", Location: "local", State: "unknown"},
		},
		EndpointCounts: []EndpointCount{
			{Group: "core", Protocol: "tcp", State: "open", Count: 5},
			{Group: "core", Protocol: "tcp", State: "closed", Count: 2},
			{Group: "", Protocol: "udp", State: "open|filtered", Count: 7},
			{Group: "", Protocol: "udp", State: "open", Count: 1},
		},
		Findings: []FindingCount{{Kind: "forbidden-port", Severity: "critical", Count: 2}, {Kind: "unexpected-port", Severity: "critical", Count: 1}},
		Scans: []ScanStats{
			{Job: "sweep", LastDuration: 1500 * time.Millisecond, LastOpenPorts: 12, Successes: 3, Failures: 1, LastSuccess: time.Unix(1700000000, 0)},
			{Job: "never"},
		},
		Scheduler: SchedulerStats{Jobs: 4, Running: 1, Queued: 2, Runs: 100, Missed: 3,
			Lag: Histogram{Bounds: LagBounds(), Counts: []uint64{50, 80, 90, 95, 96, 97, 98, 99, 99}, Count: 100, Sum: 12.5}},
		Counters:      Counters{Checks: 10, CheckErrors: 1, Changes: 4, Observations: 20, StoreErrors: 0},
		Outbox:        []OutboxDepth{{Receiver: "ops", State: "pending", Count: 2}, {Receiver: "ops", State: "dead", Count: 0}},
		Notifications: []DeliveryCount{{Receiver: "ops", Delivered: 5, Failed: 2, Dead: 1}},
	}
}

func quiet() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// scrape serves one request of h and parses the exposition.
func scrape(t *testing.T, h http.Handler) map[string]*dto.MetricFamily {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	if rec.Code != http.StatusOK {
		t.Fatalf("status %d: %s", rec.Code, rec.Body)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(rec.Body)
	if err != nil {
		t.Fatalf("parse exposition: %v", err)
	}
	return fams
}

// value finds the sample of name whose labels include want; ok is false
// when there is none.
func value(fams map[string]*dto.MetricFamily, name string, want map[string]string) (float64, bool) {
	f := fams[name]
	if f == nil {
		return 0, false
	}
next:
	for _, m := range f.Metric {
		got := map[string]string{}
		for _, l := range m.Label {
			got[l.GetName()] = l.GetValue()
		}
		for k, v := range want {
			if g, ok := got[k]; !ok || g != v {
				continue next
			}
		}
		switch {
		case m.Gauge != nil:
			return m.Gauge.GetValue(), true
		case m.Counter != nil:
			return m.Counter.GetValue(), true
		case m.Untyped != nil:
			return m.Untyped.GetValue(), true
		case m.Histogram != nil:
			return float64(m.Histogram.GetSampleCount()), true
		}
	}
	return 0, false
}

func TestHandlerExposesTheSnapshot(t *testing.T) {
	src := &fakeSource{s: sample()}
	fams := scrape(t, Handler(src, Options{Logger: quiet()}))
	if !src.hadDeadline {
		t.Error("the snapshot's context has no deadline")
	}
	db := map[string]string{"endpoint": "127.0.0.1:5432/tcp", "monitor": "db", "group": "core", "location": "local"}
	for _, c := range []struct {
		name   string
		labels map[string]string
		want   float64
	}{
		{"portwatch_metrics_snapshot_ok", nil, 1},
		{"portwatch_build_info", map[string]string{"version": "1.2.3", "goversion": "go1.26", "revision": "abc"}, 1},
		{"portwatch_ready", nil, 1},
		{"portwatch_endpoint_up", db, 1},
		{"portwatch_endpoint_up", map[string]string{"monitor": "cache", "group": ""}, 0},
		{"portwatch_endpoint_state", map[string]string{"monitor": "cache", "state": "closed"}, 1},
		{"portwatch_endpoint_state", map[string]string{"monitor": "new", "state": "unknown"}, 1},
		{"portwatch_endpoint_latency_seconds", db, 0.003},
		{"portwatch_metrics_endpoint_series_dropped", nil, 0},
		{"portwatch_endpoints", map[string]string{"group": "", "protocol": "udp", "state": "open|filtered"}, 7},
		{"portwatch_open_ports", map[string]string{"group": "core", "protocol": "tcp"}, 5},
		{"portwatch_open_ports", map[string]string{"group": "", "protocol": "udp"}, 1},
		{"portwatch_findings_open", map[string]string{"severity": "critical"}, 3},
		{"portwatch_findings_open", map[string]string{"severity": "info"}, 0},
		{"portwatch_findings_open_by_kind", map[string]string{"kind": "forbidden-port", "severity": "critical"}, 2},
		{"portwatch_scan_duration_seconds", map[string]string{"job": "sweep"}, 1.5},
		{"portwatch_scan_open_ports", map[string]string{"job": "sweep"}, 12},
		{"portwatch_scans_total", map[string]string{"job": "sweep", "result": "failure"}, 1},
		{"portwatch_scans_total", map[string]string{"job": "never", "result": "success"}, 0},
		{"portwatch_scan_last_success_timestamp_seconds", map[string]string{"job": "sweep"}, 1700000000},
		{"portwatch_scheduler_lag_seconds", nil, 100},
		{"portwatch_scheduler_queued", nil, 2},
		{"portwatch_scheduler_missed_total", nil, 3},
		{"portwatch_checks_total", nil, 10},
		{"portwatch_check_errors_total", nil, 1},
		{"portwatch_outbox_entries", map[string]string{"receiver": "ops", "state": "pending"}, 2},
		{"portwatch_notifications_total", map[string]string{"receiver": "ops", "result": "dead"}, 1},
		{"go_goroutines", nil, -1},
		{"process_start_time_seconds", nil, -1},
	} {
		got, ok := value(fams, c.name, c.labels)
		if !ok {
			t.Errorf("%s%v: missing", c.name, c.labels)
			continue
		}
		if c.want >= 0 && got != c.want {
			t.Errorf("%s%v = %v, want %v", c.name, c.labels, got, c.want)
		}
	}
	for _, absent := range []struct {
		name   string
		labels map[string]string
	}{
		{"portwatch_endpoint_latency_seconds", map[string]string{"monitor": "new"}},
		{"portwatch_scan_duration_seconds", map[string]string{"job": "never"}},
		{"portwatch_scan_last_success_timestamp_seconds", map[string]string{"job": "never"}},
	} {
		if _, ok := value(fams, absent.name, absent.labels); ok {
			t.Errorf("%s%v exposed", absent.name, absent.labels)
		}
	}
	h := fams["portwatch_scheduler_lag_seconds"].Metric[0].Histogram
	if len(h.Bucket) != len(LagBounds())+1 || h.Bucket[0].GetUpperBound() != 0.001 || h.Bucket[0].GetCumulativeCount() != 50 || h.GetSampleSum() != 12.5 {
		t.Errorf("lag histogram: %v", h)
	}
}

func TestCollectorLintsClean(t *testing.T) {
	problems, err := testutil.CollectAndLint(NewCollector(&fakeSource{s: sample()}, Options{Logger: quiet()}))
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		t.Errorf("lint: %s: %s", p.Metric, p.Text)
	}
}

func TestLabelValuesAreEscaped(t *testing.T) {
	s := sample()
	odd := "we\"ird\nname\\x"
	s.Endpoints = []EndpointStatus{{Endpoint: "127.0.0.1:1/tcp", Monitor: odd, Group: "bad\xffutf8", Location: "local", State: "open"}}
	rec := httptest.NewRecorder()
	Handler(&fakeSource{s: s}, Options{Logger: quiet()}).ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	body := rec.Body.String()
	if !strings.Contains(body, `monitor="we\"ird\nname\\x"`) {
		t.Errorf("label not escaped in the exposition:\n%s", grepLines(body, "portwatch_endpoint_up"))
	}
	fams := scrape(t, Handler(&fakeSource{s: s}, Options{Logger: quiet()}))
	if v, ok := value(fams, "portwatch_endpoint_up", map[string]string{"monitor": odd, "group": "bad\uFFFDutf8"}); !ok || v != 1 {
		t.Errorf("odd labels did not survive a round trip: %v %v", v, ok)
	}
}

func grepLines(s, prefix string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.HasPrefix(l, prefix) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

func TestEndpointSeriesCap(t *testing.T) {
	s := sample()
	s.Endpoints = nil
	for i := range 25 {
		s.Endpoints = append(s.Endpoints, EndpointStatus{Endpoint: fmt.Sprintf("127.0.0.1:%d/tcp", 1000+i), Monitor: fmt.Sprint("m", i), Location: "local", State: "open", Latency: time.Millisecond})
	}
	fams := scrape(t, Handler(&fakeSource{s: s}, Options{MaxEndpointSeries: 10, Logger: quiet()}))
	for _, name := range []string{"portwatch_endpoint_up", "portwatch_endpoint_state", "portwatch_endpoint_latency_seconds"} {
		if n := len(fams[name].GetMetric()); n != 10 {
			t.Errorf("%s: %d series, want the cap 10", name, n)
		}
	}
	if v, _ := value(fams, "portwatch_metrics_endpoint_series_dropped", nil); v != 15 {
		t.Errorf("dropped = %v, want 15", v)
	}
	if _, ok := value(fams, "portwatch_endpoint_up", map[string]string{"monitor": "m9"}); !ok {
		t.Error("the first endpoints (configuration order) are kept")
	}
	if _, ok := value(fams, "portwatch_endpoint_up", map[string]string{"monitor": "m10"}); ok {
		t.Error("an endpoint beyond the cap is exposed")
	}
}

func TestSourceErrorIsAMetricNotAFailure(t *testing.T) {
	fams := scrape(t, Handler(&fakeSource{err: errors.New("store gone")}, Options{Logger: quiet()}))
	if v, ok := value(fams, "portwatch_metrics_snapshot_ok", nil); !ok || v != 0 {
		t.Errorf("portwatch_metrics_snapshot_ok = %v %v, want 0", v, ok)
	}
	if _, ok := value(fams, "portwatch_ready", nil); ok {
		t.Error("state metrics exposed although the snapshot failed")
	}
	if _, ok := value(fams, "go_goroutines", nil); !ok {
		t.Error("runtime metrics missing when the snapshot failed")
	}
}

func TestEmptySnapshotScrapesCleanly(t *testing.T) {
	fams := scrape(t, Handler(&fakeSource{}, Options{Logger: quiet()}))
	if v, ok := value(fams, "portwatch_scheduler_lag_seconds", nil); !ok || v != 0 {
		t.Errorf("empty lag histogram: %v %v", v, ok)
	}
}
