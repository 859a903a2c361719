package storetest

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/portwatch/portwatch/internal/model"
	"github.com/portwatch/portwatch/internal/scan"
	"github.com/portwatch/portwatch/internal/store"
)

func errorsIs(err, target error) bool { return errors.Is(err, target) }

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	must(t, err)
	return string(b)
}

// within reports whether got is within 10% of want (the sketch promises 9.1%).
func within(got, want time.Duration) bool {
	d := float64(got - want)
	return d <= 0.1*float64(want) && d >= -0.1*float64(want)
}

func testRollups(t *testing.T, s store.Store) {
	ctx := ctxT(t)
	a, other := ep("198.18.0.11", 443), ep("198.18.0.12", 443)
	// Minute 0: six checks, one closed, RTTs 1..5 ms; written in two
	// batches so the store must merge into an existing bucket.
	var m0 []model.Observation
	for i := range 6 {
		st, rtt := scan.Open, time.Duration(i+1)*time.Millisecond
		if i == 5 {
			st, rtt = scan.Closed, 0
		}
		m0 = append(m0, obs(a, epoch().Add(time.Duration(i*10)*time.Second), st, rtt))
	}
	// Minute 1: three checks at 10, 20, 100 ms; minute 61: one.
	m1 := []model.Observation{
		obs(a, epoch().Add(60*time.Second), scan.Open, 10*time.Millisecond),
		obs(a, epoch().Add(70*time.Second), scan.Open, 20*time.Millisecond),
		obs(a, epoch().Add(80*time.Second), scan.Open, 100*time.Millisecond),
		obs(other, epoch().Add(80*time.Second), scan.Closed, 0),
	}
	late := obs(a, epoch().Add(61*time.Minute), scan.Closed, 0)
	must(t, s.AddObservations(ctx, m0[:3]))
	must(t, s.AddObservations(ctx, append(append(m0[3:], m1...), late)))

	mins, err := s.Rollups(ctx, store.RollupQuery{Endpoint: a, Location: model.LocalLocation, Resolution: store.Minute,
		From: epoch().Add(30 * time.Second), To: epoch().Add(2 * time.Hour)})
	must(t, err)
	if len(mins) != 3 {
		t.Fatalf("minute rollups: %d, want 3: %+v", len(mins), mins)
	}
	check := func(name string, r store.Rollup, start time.Time, count, up int64, p50, p95, maxRTT time.Duration) {
		t.Helper()
		if !r.Start.Equal(start) || r.Count != count || r.Up != up || r.MaxRTT != maxRTT {
			t.Errorf("%s: start %v count %d up %d max %v; want %v %d %d %v", name, r.Start, r.Count, r.Up, r.MaxRTT, start, count, up, maxRTT)
		}
		if !within(r.P50(), p50) || !within(r.P95(), p95) {
			t.Errorf("%s: p50 %v p95 %v; want about %v %v", name, r.P50(), r.P95(), p50, p95)
		}
	}
	check("minute 0", mins[0], epoch(), 6, 5, 3*time.Millisecond, 5*time.Millisecond, 5*time.Millisecond)
	if got := mins[0].Availability(); got < 0.83 || got > 0.84 {
		t.Errorf("minute 0 availability %v, want 5/6", got)
	}
	check("minute 1", mins[1], epoch().Add(time.Minute), 3, 3, 20*time.Millisecond, 100*time.Millisecond, 100*time.Millisecond)
	if mins[2].Count != 1 || mins[2].Up != 0 || mins[2].MaxRTT != 0 || mins[2].P50() != 0 {
		t.Errorf("minute 61: %+v", mins[2])
	}

	hours, err := s.Rollups(ctx, store.RollupQuery{Endpoint: a, Location: model.LocalLocation, Resolution: store.Hour, From: epoch(), To: epoch().Add(time.Hour)})
	must(t, err)
	if len(hours) != 1 {
		t.Fatalf("hour rollups: %d, want 1", len(hours))
	}
	check("hour 0", hours[0], epoch(), 9, 8, 4*time.Millisecond, 100*time.Millisecond, 100*time.Millisecond)

	none, err := s.Rollups(ctx, store.RollupQuery{Endpoint: a, Location: "agent-eu", Resolution: store.Minute})
	must(t, err)
	if len(none) != 0 {
		t.Errorf("rollups at another location: %+v", none)
	}
}

func testPrune(t *testing.T, s store.Store) {
	ctx := ctxT(t)
	a := ep("198.18.0.11", 22)
	now := epoch()
	var batch []model.Observation
	for _, age := range []time.Duration{10 * 24 * time.Hour, 3 * 24 * time.Hour, time.Hour, 0} {
		batch = append(batch, obs(a, now.Add(-age), scan.Open, time.Millisecond))
	}
	must(t, s.AddObservations(ctx, batch))
	must(t, s.PutStates(ctx, []model.EndpointState{state(a, model.LocalLocation, scan.Open, 4)}))
	res, err := s.Prune(ctx, now, store.RetentionPolicy{Raw: 2 * 24 * time.Hour, Minute: 5 * 24 * time.Hour})
	must(t, err)
	if res.Observations != 2 || res.MinuteRollups != 1 || res.HourRollups != 0 {
		t.Errorf("prune result %+v, want 2 observations, 1 minute rollup, 0 hour rollups", res)
	}
	left, err := s.ListObservations(ctx, store.ObservationFilter{})
	must(t, err)
	equal(t, "observations kept", left, batch[2:])
	mins, err := s.Rollups(ctx, store.RollupQuery{Endpoint: a, Location: model.LocalLocation, Resolution: store.Minute})
	must(t, err)
	if len(mins) != 3 {
		t.Errorf("minute rollups kept: %d, want 3", len(mins))
	}
	hours, err := s.Rollups(ctx, store.RollupQuery{Endpoint: a, Location: model.LocalLocation, Resolution: store.Hour})
	must(t, err)
	if len(hours) != 4 {
		t.Errorf("hour rollups kept: %d, want 4 (zero window keeps forever)", len(hours))
	}
	if _, err := s.GetState(ctx, a, model.LocalLocation); err != nil {
		t.Errorf("prune touched the state: %v", err)
	}
}

func testBatchAtomic(t *testing.T, s store.Store) {
	ctx := ctxT(t)
	a := ep("198.18.0.11", 22)
	b := store.Batch{
		Observations: []model.Observation{obs(a, epoch(), scan.Open, time.Millisecond)},
		States:       []model.EndpointState{state(a, model.LocalLocation, scan.Open, 1)},
		Changes:      []model.Change{{Endpoint: a, Location: model.LocalLocation, Time: epoch(), Kind: model.ChangeOpened, To: "open"}},
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if err := s.WriteBatch(cancelled, b); err == nil {
		t.Error("WriteBatch with a cancelled context succeeded")
	}
	if n := countAll(t, s); n != [3]int{} {
		t.Fatalf("a failed batch left rows behind: %v", n)
	}
	must(t, s.WriteBatch(ctx, b))
	if n := countAll(t, s); n != [3]int{1, 1, 1} {
		t.Errorf("after batch: %v observations/states/changes, want 1 each", n)
	}
}

// countAll counts observations, states and changes.
func countAll(t *testing.T, s store.Store) [3]int {
	t.Helper()
	ctx := ctxT(t)
	o, err := s.ListObservations(ctx, store.ObservationFilter{})
	must(t, err)
	st, err := s.ListStates(ctx, store.StateFilter{})
	must(t, err)
	c, err := s.ListChanges(ctx, store.ChangeFilter{})
	must(t, err)
	return [3]int{len(o), len(st), len(c)}
}
