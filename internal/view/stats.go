package view

import (
	"context"
	"fmt"
	"time"

	"github.com/portwatch/portwatch/internal/model"
	"github.com/portwatch/portwatch/internal/store"
)

// Window is a period the endpoint page and API report on.
type Window struct {
	Name   string
	Length time.Duration
	// Bucket is the width of one chart point; Source the rollup it is
	// built from.
	Bucket time.Duration
	Source store.Resolution
}

// Windows are the periods offered: 1h, 24h, 7d, 30d.
var Windows = []Window{
	{"1h", time.Hour, time.Minute, store.Minute},
	{"24h", 24 * time.Hour, 15 * time.Minute, store.Minute},
	{"7d", 7 * 24 * time.Hour, time.Hour, store.Hour},
	{"30d", 30 * 24 * time.Hour, 6 * time.Hour, store.Hour},
}

// ParseWindow returns the window named s ("" is 24h).
func ParseWindow(s string) (Window, error) {
	if s == "" {
		s = "24h"
	}
	for _, w := range Windows {
		if w.Name == s {
			return w, nil
		}
	}
	return Window{}, fmt.Errorf("window %q: want 1h, 24h, 7d or 30d", s)
}

// Bucket is one chart point.
type Bucket struct {
	Start time.Time     `json:"start"`
	Count int64         `json:"count"`
	Up    int64         `json:"up"`
	P50   time.Duration `json:"p50_ns"`
	P95   time.Duration `json:"p95_ns"`
	Max   time.Duration `json:"max_ns"`
}

// Stats are one endpoint's figures over a window.
type Stats struct {
	Window       string        `json:"window"`
	From         time.Time     `json:"from"`
	To           time.Time     `json:"to"`
	Checks       int64         `json:"checks"`
	Availability *float64      `json:"availability,omitempty"` // 0..1, nil without checks
	P50          time.Duration `json:"p50_ns"`
	P95          time.Duration `json:"p95_ns"`
	Max          time.Duration `json:"max_ns"`
	Buckets      []Bucket      `json:"buckets"`
}

// EndpointStats reads an endpoint's rollups over w ending at now and
// merges them into chart buckets and totals.
func EndpointStats(ctx context.Context, st store.Store, ep model.Endpoint, loc model.Location, w Window, now time.Time) (Stats, error) {
	to := now.UTC().Truncate(w.Bucket).Add(w.Bucket)
	from := to.Add(-w.Length)
	rs, err := st.Rollups(ctx, store.RollupQuery{Endpoint: ep, Location: loc, Resolution: w.Source, From: from, To: to})
	if err != nil {
		return Stats{}, err
	}
	s := Stats{Window: w.Name, From: from, To: to}
	n := int(w.Length / w.Bucket)
	merged := make([]store.Rollup, n)
	var total store.Rollup
	for _, r := range rs {
		i := int(r.Start.Sub(from) / w.Bucket)
		if i < 0 || i >= n {
			continue
		}
		merged[i].Merge(r)
		total.Merge(r)
	}
	s.Buckets = make([]Bucket, n)
	for i, r := range merged {
		b := Bucket{Start: from.Add(time.Duration(i) * w.Bucket), Count: r.Count, Up: r.Up, Max: r.MaxRTT}
		if r.Latency.Count() > 0 {
			b.P50, b.P95 = r.P50(), r.P95()
		}
		s.Buckets[i] = b
	}
	s.Checks = total.Count
	if total.Count > 0 {
		a := total.Availability()
		s.Availability = &a
	}
	if total.Latency.Count() > 0 {
		s.P50, s.P95, s.Max = total.P50(), total.P95(), total.MaxRTT
	}
	return s, nil
}
