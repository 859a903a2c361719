package metrics

import (
	"context"
	"log/slog"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// descs are the descriptions of every portwatch metric.
type descs struct {
	snapshotOK, buildInfo, ready                      *prometheus.Desc
	endpointUp, endpointState, endpointLatency        *prometheus.Desc
	seriesDropped, endpoints, openPorts               *prometheus.Desc
	findingsOpen, findingsByKind                      *prometheus.Desc
	scanDuration, scanOpenPorts, scans, scanLastOK    *prometheus.Desc
	schedLag, schedJobs, schedRunning, schedQueued    *prometheus.Desc
	schedRuns, schedMissed                            *prometheus.Desc
	checks, checkErrors, changes, observations, store *prometheus.Desc
	outbox, notifications                             *prometheus.Desc
}

func newDescs() *descs {
	d := func(name, help string, labels ...string) *prometheus.Desc {
		return prometheus.NewDesc("portwatch_"+name, help, labels, nil)
	}
	ep := []string{"endpoint", "monitor", "group", "location"}
	return &descs{
		snapshotOK: d("metrics_snapshot_ok", "1 when the daemon's state could be read for this scrape, 0 otherwise (then no other portwatch_ metric is exposed)."),
		buildInfo:  d("build_info", "Always 1; the labels identify the running binary.", "version", "goversion", "revision"),
		ready:      d("ready", "1 while the daemon is scheduling checks and scans."),

		endpointUp:      d("endpoint_up", "1 when a monitored endpoint was open at its last check, 0 otherwise.", ep...),
		endpointState:   d("endpoint_state", "Always 1; the state label is the monitored endpoint's last known port state (unknown before the first check).", append(ep, "state")...),
		endpointLatency: d("endpoint_latency_seconds", "Handshake round trip of a monitored endpoint's last check.", ep...),
		seriesDropped:   d("metrics_endpoint_series_dropped", "Monitored endpoints left out of the per-endpoint metrics by the series cap."),
		endpoints:       d("endpoints", "Tracked endpoints (monitored and discovered) by group, protocol and port state.", "group", "protocol", "state"),
		openPorts:       d("open_ports", "Tracked endpoints whose port is open, by group and protocol.", "group", "protocol"),

		findingsOpen:   d("findings_open", "Open findings by severity.", "severity"),
		findingsByKind: d("findings_open_by_kind", "Open findings by kind and severity.", "kind", "severity"),

		scanDuration:  d("scan_duration_seconds", "Duration of a discovery job's last scan.", "job"),
		scanOpenPorts: d("scan_open_ports", "Open ports found by a discovery job's last scan.", "job"),
		scans:         d("scans_total", "Discovery scans finished, by job and result (success, failure).", "job", "result"),
		scanLastOK:    d("scan_last_success_timestamp_seconds", "When a discovery job's last successful scan finished (Unix time).", "job"),

		schedLag:     d("scheduler_lag_seconds", "How late scheduled runs started (estimated from the scheduler's logarithmic buckets, within 9 %)."),
		schedJobs:    d("scheduler_jobs", "Scheduled jobs (monitors and discovery jobs)."),
		schedRunning: d("scheduler_running", "Runs in progress."),
		schedQueued:  d("scheduler_queued", "Runs due and waiting for a free slot."),
		schedRuns:    d("scheduler_runs_total", "Runs started."),
		schedMissed:  d("scheduler_missed_total", "Due times folded into a later run because the job was still busy."),

		checks:       d("checks_total", "Monitor checks recorded."),
		checkErrors:  d("check_errors_total", "Monitor checks that failed locally (not recorded as the endpoint's state)."),
		changes:      d("changes_total", "Changes detected."),
		observations: d("observations_total", "Observations handed to the store's writer."),
		store:        d("store_errors_total", "Store operations that failed."),

		outbox:        d("outbox_entries", "Notification outbox entries by receiver and state (pending, dead).", "receiver", "state"),
		notifications: d("notifications_total", "Notification delivery attempts by receiver and result (delivered, failed, dead).", "receiver", "result"),
	}
}

// collector asks its Source for one snapshot per Collect.
type collector struct {
	src  Source
	opts Options
	d    *descs
	ctx  context.Context // bounds the snapshot; the request's context
}

// NewCollector returns a collector of src's metrics, for registries other
// than Handler's (each Collect reads one snapshot, bounded by
// Options.Timeout).
func NewCollector(src Source, opts Options) prometheus.Collector {
	return newCollector(context.Background(), src, opts.withDefaults())
}

func newCollector(ctx context.Context, src Source, opts Options) *collector {
	return &collector{src: src, opts: opts, d: newDescs(), ctx: ctx}
}

// Describe sends nothing: the collector is unchecked, because which
// label sets exist depends on the configuration.
func (c *collector) Describe(chan<- *prometheus.Desc) {}

// Collect reads one snapshot and emits it.
func (c *collector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(c.ctx, c.opts.Timeout)
	defer cancel()
	s, err := c.src.MetricsSnapshot(ctx)
	if err != nil {
		c.opts.Logger.Error("metrics snapshot", "err", err)
		ch <- gauge(c.d.snapshotOK, 0)
		return
	}
	ch <- gauge(c.d.snapshotOK, 1)
	c.collect(ch, s)
}

// collect emits a snapshot.
func (c *collector) collect(ch chan<- prometheus.Metric, s Snapshot) {
	d := c.d
	ch <- gauge(d.buildInfo, 1, s.Build.Version, s.Build.GoVersion, s.Build.Revision)
	ch <- gauge(d.ready, b2f(s.Ready))

	c.collectEndpoints(ch, s)

	sev := map[string]int{"critical": 0, "major": 0, "warning": 0, "info": 0}
	for _, f := range s.Findings {
		sev[f.Severity] += f.Count
		ch <- gauge(d.findingsByKind, float64(f.Count), f.Kind, f.Severity)
	}
	for name, n := range sev {
		ch <- gauge(d.findingsOpen, float64(n), name)
	}

	for _, j := range s.Scans {
		if j.Successes+j.Failures > 0 {
			ch <- gauge(d.scanDuration, j.LastDuration.Seconds(), j.Job)
			ch <- gauge(d.scanOpenPorts, float64(j.LastOpenPorts), j.Job)
		}
		ch <- counter(d.scans, float64(j.Successes), j.Job, "success")
		ch <- counter(d.scans, float64(j.Failures), j.Job, "failure")
		if !j.LastSuccess.IsZero() {
			ch <- gauge(d.scanLastOK, float64(j.LastSuccess.UnixNano())/1e9, j.Job)
		}
	}

	sc := s.Scheduler
	ch <- histogram(d.schedLag, sc.Lag)
	ch <- gauge(d.schedJobs, float64(sc.Jobs))
	ch <- gauge(d.schedRunning, float64(sc.Running))
	ch <- gauge(d.schedQueued, float64(sc.Queued))
	ch <- counter(d.schedRuns, float64(sc.Runs))
	ch <- counter(d.schedMissed, float64(sc.Missed))

	n := s.Counters
	ch <- counter(d.checks, float64(n.Checks))
	ch <- counter(d.checkErrors, float64(n.CheckErrors))
	ch <- counter(d.changes, float64(n.Changes))
	ch <- counter(d.observations, float64(n.Observations))
	ch <- counter(d.store, float64(n.StoreErrors))

	for _, o := range s.Outbox {
		ch <- gauge(d.outbox, float64(o.Count), o.Receiver, o.State)
	}
	for _, r := range s.Notifications {
		ch <- counter(d.notifications, float64(r.Delivered), r.Receiver, "delivered")
		ch <- counter(d.notifications, float64(r.Failed), r.Receiver, "failed")
		ch <- counter(d.notifications, float64(r.Dead), r.Receiver, "dead")
	}
}

// collectEndpoints emits the per-endpoint series (capped) and the
// aggregates over every tracked endpoint.
func (c *collector) collectEndpoints(ch chan<- prometheus.Metric, s Snapshot) {
	d := c.d
	eps := s.Endpoints
	dropped := 0
	if len(eps) > c.opts.MaxEndpointSeries {
		dropped = len(eps) - c.opts.MaxEndpointSeries
		eps = eps[:c.opts.MaxEndpointSeries]
	}
	ch <- gauge(d.seriesDropped, float64(dropped))
	for _, e := range eps {
		ch <- gauge(d.endpointUp, b2f(e.State == "open"), e.Endpoint, e.Monitor, e.Group, e.Location)
		ch <- gauge(d.endpointState, 1, e.Endpoint, e.Monitor, e.Group, e.Location, e.State)
		if e.Latency > 0 {
			ch <- gauge(d.endpointLatency, e.Latency.Seconds(), e.Endpoint, e.Monitor, e.Group, e.Location)
		}
	}
	type gp struct{ group, proto string }
	open := map[gp]int{}
	for _, n := range s.EndpointCounts {
		ch <- gauge(d.endpoints, float64(n.Count), n.Group, n.Protocol, n.State)
		if n.State == "open" {
			open[gp{n.Group, n.Protocol}] += n.Count
		}
	}
	for k, n := range open {
		ch <- gauge(d.openPorts, float64(n), k.group, k.proto)
	}
}

func gauge(d *prometheus.Desc, v float64, labels ...string) prometheus.Metric {
	return constMetric(d, prometheus.GaugeValue, v, labels)
}

func counter(d *prometheus.Desc, v float64, labels ...string) prometheus.Metric {
	return constMetric(d, prometheus.CounterValue, v, labels)
}

// constMetric builds one sample. Label values are made valid UTF-8 first
// (names from a configuration file could carry anything); quotes,
// backslashes and newlines are escaped by the exposition encoder.
func constMetric(d *prometheus.Desc, t prometheus.ValueType, v float64, labels []string) prometheus.Metric {
	for i, l := range labels {
		labels[i] = strings.ToValidUTF8(l, "\uFFFD")
	}
	m, err := prometheus.NewConstMetric(d, t, v, labels...)
	if err != nil {
		return prometheus.NewInvalidMetric(d, err)
	}
	return m
}

func histogram(d *prometheus.Desc, h Histogram) prometheus.Metric {
	buckets := make(map[float64]uint64, len(h.Bounds))
	for i, b := range h.Bounds {
		if i < len(h.Counts) {
			buckets[b] = h.Counts[i]
		}
	}
	m, err := prometheus.NewConstHistogram(d, h.Count, h.Sum, buckets)
	if err != nil {
		return prometheus.NewInvalidMetric(d, err)
	}
	return m
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// Options tunes Handler and NewCollector. Zero fields take the defaults.
type Options struct {
	// MaxEndpointSeries caps the monitored endpoints that get
	// per-endpoint series (default 10000); the rest are counted in
	// portwatch_metrics_endpoint_series_dropped.
	MaxEndpointSeries int
	// Timeout bounds one snapshot (default 5 s).
	Timeout time.Duration
	// Logger receives snapshot and exposition errors (default slog.Default()).
	Logger *slog.Logger
}

func (o Options) withDefaults() Options {
	if o.MaxEndpointSeries <= 0 {
		o.MaxEndpointSeries = 10000
	}
	if o.Timeout <= 0 {
		o.Timeout = 5 * time.Second
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	return o
}
