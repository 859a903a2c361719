package daemon

import (
	"context"
	"fmt"
	"net/netip"
	"runtime"
	"runtime/debug"
	"sync"
	"time"

	"github.com/portwatch/portwatch/internal/metrics"
	"github.com/portwatch/portwatch/internal/model"
	"github.com/portwatch/portwatch/internal/policy"
	"github.com/portwatch/portwatch/internal/scan"
	"github.com/portwatch/portwatch/internal/store"
)

var _ metrics.Source = (*Daemon)(nil)

// MetricsSnapshot reads what /metrics exposes in one pass over memory:
// the plan's monitors, the tracker's states, the open findings, the
// scheduler and dispatcher counters. Only the outbox depth is a query
// (pending and dead entries).
func (d *Daemon) MetricsSnapshot(ctx context.Context) (metrics.Snapshot, error) {
	d.mu.Lock()
	p := d.plan
	d.mu.Unlock()
	s := metrics.Snapshot{Build: buildInfo(d.opts.Version), Ready: d.ready.Load()}
	groups := groupCache{eng: p.policy, of: map[netip.Addr]string{}}

	loc := string(p.location)
	for _, m := range p.monitors {
		for _, ep := range m.endpoints {
			es := metrics.EndpointStatus{Endpoint: ep.String(), Monitor: m.cfg.Name, Group: groups.of1(ep.Addr),
				Location: loc, State: "unknown"}
			if st, ok := d.rec.tracker.State(ep, p.location); ok {
				es.State, es.Latency = string(st.State), st.LastRTT
			}
			s.Endpoints = append(s.Endpoints, es)
		}
	}
	s.EndpointCounts = countEndpoints(d.rec.tracker.States(), &groups)
	s.Findings = d.countFindings()

	sn := d.sched.Stats().Snapshot()
	s.Scheduler = metrics.SchedulerStats{Jobs: sn.Jobs, Running: sn.Running, Queued: sn.Queued, Runs: sn.Runs, Missed: sn.Missed,
		Lag: lagHistogram(d.sched.Stats().Lag().Cumulative)}
	s.Counters = metrics.Counters{Checks: d.checks.Load(), CheckErrors: d.checkErrors.Load(), Changes: d.rec.changes.Load(),
		Observations: d.rec.observations.Load(), StoreErrors: d.rec.storeErrors.Load()}
	s.Scans = d.scans.snapshot(p)
	for _, r := range d.dispatcher.Stats() {
		s.Notifications = append(s.Notifications, metrics.DeliveryCount{Receiver: r.Receiver, Delivered: r.Delivered, Failed: r.Failed, Dead: r.Dead})
	}
	for _, state := range []store.OutboxState{store.OutboxPending, store.OutboxDead} {
		entries, err := d.alertStore.ListOutbox(ctx, store.OutboxFilter{State: state})
		if err != nil {
			return metrics.Snapshot{}, fmt.Errorf("metrics: list %s outbox entries: %w", state, err)
		}
		s.Outbox = append(s.Outbox, countOutbox(entries, p, state)...)
	}
	return s, nil
}

// buildInfo identifies the binary: the version given at build time, the
// Go version, and the VCS revision when the build recorded it.
func buildInfo(version string) metrics.BuildInfo {
	b := metrics.BuildInfo{Version: version, GoVersion: runtime.Version()}
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" {
				b.Revision = s.Value
			}
		}
	}
	return b
}

// groupCache remembers each address's first group: 100,000 tracked
// endpoints share far fewer addresses.
type groupCache struct {
	eng *policy.Engine
	of  map[netip.Addr]string
}

func (g *groupCache) of1(a netip.Addr) string {
	if name, ok := g.of[a]; ok {
		return name
	}
	var name string
	if names := g.eng.GroupsOf(a); len(names) > 0 {
		name = names[0]
	}
	g.of[a] = name
	return name
}

// countEndpoints counts states by group, protocol and port state.
func countEndpoints(states []model.EndpointState, groups *groupCache) []metrics.EndpointCount {
	type key struct {
		group string
		proto scan.Protocol
		state scan.PortState
	}
	counts := map[key]int{}
	for i := range states {
		s := &states[i]
		counts[key{groups.of1(s.Endpoint.Addr), s.Endpoint.Protocol, s.State}]++
	}
	out := make([]metrics.EndpointCount, 0, len(counts))
	for k, n := range counts {
		out = append(out, metrics.EndpointCount{Group: k.group, Protocol: string(k.proto), State: string(k.state), Count: n})
	}
	return out
}

// countFindings counts the open findings by kind and severity.
func (d *Daemon) countFindings() []metrics.FindingCount {
	type key struct {
		kind model.FindingKind
		sev  model.Severity
	}
	counts := map[key]int{}
	for _, f := range d.rec.openFindings() {
		counts[key{f.Kind, f.Severity}]++
	}
	out := make([]metrics.FindingCount, 0, len(counts))
	for k, n := range counts {
		out = append(out, metrics.FindingCount{Kind: string(k.kind), Severity: string(k.sev), Count: n})
	}
	return out
}

// countOutbox counts entries of one state by receiver. Every receiver of
// the configuration appears (0 when it has none), so an alert on the
// depth has a series to look at.
func countOutbox(entries []store.OutboxEntry, p *plan, state store.OutboxState) []metrics.OutboxDepth {
	counts := map[string]int{}
	for name := range p.alert.notifiers {
		counts[name] = 0
	}
	for _, e := range entries {
		counts[e.Receiver]++
	}
	out := make([]metrics.OutboxDepth, 0, len(counts))
	for r, n := range counts {
		out = append(out, metrics.OutboxDepth{Receiver: r, State: string(state), Count: n})
	}
	return out
}

// lagHistogram reads the scheduler's lag histogram at /metrics' bounds.
func lagHistogram(cumulative func([]time.Duration) ([]uint64, uint64, time.Duration)) metrics.Histogram {
	bounds := metrics.LagBounds()
	ds := make([]time.Duration, len(bounds))
	for i, b := range bounds {
		ds[i] = time.Duration(b * float64(time.Second))
	}
	counts, total, sum := cumulative(ds)
	return metrics.Histogram{Bounds: bounds, Counts: counts, Count: total, Sum: sum.Seconds()}
}

// scanStats remembers each discovery job's last scan and counts its scans
// since the daemon started. The zero value is ready to use.
type scanStats struct {
	mu   sync.Mutex
	jobs map[string]*metrics.ScanStats
}

// record counts one finished scan of job: its result and whether it could
// be stored (err).
func (s *scanStats) record(job string, res *scan.Result, err error) {
	open := 0
	for _, h := range res.Hosts {
		open += h.OtherStates[scan.Open]
		for _, pr := range h.Ports {
			if pr.State == scan.Open {
				open++
			}
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.jobs == nil {
		s.jobs = map[string]*metrics.ScanStats{}
	}
	j := s.jobs[job]
	if j == nil {
		j = &metrics.ScanStats{Job: job}
		s.jobs[job] = j
	}
	j.LastDuration, j.LastOpenPorts = res.Finished.Sub(res.Started), open
	if err != nil {
		j.Failures++
		return
	}
	j.Successes++
	j.LastSuccess = res.Finished
}

// snapshot returns the stats of p's discovery jobs, in configuration
// order (a job removed from the configuration is no longer exposed; one
// that has not finished a scan yet is exposed with zeros).
func (s *scanStats) snapshot(p *plan) []metrics.ScanStats {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]metrics.ScanStats, 0, len(p.discovery))
	for _, j := range p.discovery {
		if st := s.jobs[j.cfg.Name]; st != nil {
			out = append(out, *st)
		} else {
			out = append(out, metrics.ScanStats{Job: j.cfg.Name})
		}
	}
	return out
}
