// Package metrics serves portwatch's Prometheus /metrics: a collector that
// asks a Source for one Snapshot per scrape and turns it into constant
// metrics, on a registry of its own (never the global default one).
// Label cardinality is bounded by the configuration: per-endpoint series
// exist only for monitored endpoints (capped by Options.MaxEndpointSeries),
// every other tracked endpoint is only counted by group, protocol and
// state. docs/metrics.md lists every metric and its bounds.
package metrics

import (
	"context"
	"time"
)

// Source produces the data of one scrape. It must be cheap: no per-endpoint
// queries; ctx bounds it.
type Source interface {
	MetricsSnapshot(ctx context.Context) (Snapshot, error)
}

// Snapshot is everything one scrape exposes, as plain data.
type Snapshot struct {
	Build BuildInfo
	// Ready is whether the daemon is scheduling.
	Ready bool
	// Endpoints are the monitored endpoints (one per monitor and address),
	// in configuration order.
	Endpoints []EndpointStatus
	// EndpointCounts counts every tracked endpoint, monitored or
	// discovered, by group, protocol and state.
	EndpointCounts []EndpointCount
	// Findings counts the open findings by kind and severity.
	Findings  []FindingCount
	Scans     []ScanStats
	Scheduler SchedulerStats
	Counters  Counters
	// Outbox is the notification outbox's depth by receiver and state
	// (pending, dead).
	Outbox        []OutboxDepth
	Notifications []DeliveryCount
}

// BuildInfo identifies the running binary.
type BuildInfo struct {
	Version, GoVersion, Revision string
}

// EndpointStatus is the last known state of one monitored endpoint.
type EndpointStatus struct {
	// Endpoint is rendered as "127.0.0.1:5432/tcp".
	Endpoint string
	Monitor  string
	// Group is the endpoint's first group in configuration order, or "".
	Group    string
	Location string
	// State is the port state ("open", "closed", "filtered",
	// "open|filtered"), "unknown" before the first check.
	State string
	// Latency is the last handshake round trip (0: none).
	Latency time.Duration
}

// EndpointCount is how many tracked endpoints share a group, protocol and
// state.
type EndpointCount struct {
	Group, Protocol, State string
	Count                  int
}

// FindingCount is how many findings of a kind and severity are open.
type FindingCount struct {
	Kind, Severity string
	Count          int
}

// ScanStats describes one discovery job's scans since the daemon started.
type ScanStats struct {
	Job string
	// LastDuration and LastOpenPorts describe the last finished scan.
	LastDuration  time.Duration
	LastOpenPorts int
	// Successes and Failures count finished scans (a failure: the scan
	// could not be stored).
	Successes, Failures uint64
	// LastSuccess is when the last successful scan finished (zero: none).
	LastSuccess time.Time
}

// SchedulerStats are the scheduler's counters.
type SchedulerStats struct {
	Jobs, Running, Queued int64
	Runs, Missed          uint64
	// Lag is the distribution of how late runs started.
	Lag Histogram
}

// Histogram is a cumulative histogram: Counts[i] observations were at
// most Bounds[i] seconds; Count is the total (the +Inf bucket).
type Histogram struct {
	Bounds []float64
	Counts []uint64
	Count  uint64
	Sum    float64 // seconds
}

// LagBounds returns the bucket upper bounds (seconds) of
// portwatch_scheduler_lag_seconds, a fresh slice each call.
func LagBounds() []float64 { return []float64{.001, .005, .01, .05, .1, .5, 1, 5, 10} }

// Counters are the daemon's running totals since it started.
type Counters struct {
	Checks, CheckErrors, Changes, Observations, StoreErrors uint64
}

// OutboxDepth is how many outbox entries of a receiver are in a state.
type OutboxDepth struct {
	Receiver, State string
	Count           int
}

// DeliveryCount is a receiver's delivery attempts since the daemon
// started: delivered, failed (attempts), dead (entries given up).
type DeliveryCount struct {
	Receiver                string
	Delivered, Failed, Dead uint64
}
