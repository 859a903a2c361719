package store

import (
	"time"

	"github.com/portwatch/portwatch/internal/model"
	"github.com/portwatch/portwatch/internal/scan"
)

// Resolution is the width of a rollup bucket.
type Resolution time.Duration

// Rollup resolutions.
const (
	Minute = Resolution(time.Minute)
	Hour   = Resolution(time.Hour)
)

// BucketStart returns the start of the bucket holding t (UTC).
func (r Resolution) BucketStart(t time.Time) time.Time {
	return t.UTC().Truncate(time.Duration(r))
}

// RollupQuery selects the buckets of one endpoint at one location.
type RollupQuery struct {
	Endpoint   model.Endpoint
	Location   model.Location
	Resolution Resolution
	From       time.Time // buckets starting at or after From's bucket
	To         time.Time // buckets starting before To
}

// Rollup summarises the observations of one endpoint in one bucket.
// Latency figures come from the observations that had an RTT; P50 and P95
// are estimates from a LatencySketch (see its precision), Max is exact.
type Rollup struct {
	Start      time.Time
	Resolution Resolution
	Count      int64 // observations in the bucket
	Up         int64 // observations whose state was open
	Latency    LatencySketch
	MaxRTT     time.Duration
}

// Availability is the share of observations that saw the endpoint open.
func (r Rollup) Availability() float64 {
	if r.Count == 0 {
		return 0
	}
	return float64(r.Up) / float64(r.Count)
}

// P50 estimates the median RTT.
func (r Rollup) P50() time.Duration { return r.Latency.Quantile(0.50, r.MaxRTT) }

// P95 estimates the 95th percentile RTT.
func (r Rollup) P95() time.Duration { return r.Latency.Quantile(0.95, r.MaxRTT) }

// Add folds one observation into the rollup.
func (r *Rollup) Add(o model.Observation) {
	r.Count++
	if o.State == scan.Open {
		r.Up++
	}
	if o.RTT > 0 {
		r.Latency.Add(o.RTT)
		if o.RTT > r.MaxRTT {
			r.MaxRTT = o.RTT
		}
	}
}

// Merge folds another rollup of the same bucket into r.
func (r *Rollup) Merge(o Rollup) {
	r.Count += o.Count
	r.Up += o.Up
	r.Latency.Merge(o.Latency)
	if o.MaxRTT > r.MaxRTT {
		r.MaxRTT = o.MaxRTT
	}
}

// RetentionPolicy says how long each kind of data is kept. A zero window
// keeps that kind forever.
type RetentionPolicy struct {
	Raw    time.Duration // raw observations
	Minute time.Duration // per-minute rollups
	Hour   time.Duration // per-hour rollups
}

// DefaultRetention keeps raw observations 7 days, minute rollups 30 days
// and hour rollups 400 days.
func DefaultRetention() RetentionPolicy {
	return RetentionPolicy{Raw: 7 * 24 * time.Hour, Minute: 30 * 24 * time.Hour, Hour: 400 * 24 * time.Hour}
}
