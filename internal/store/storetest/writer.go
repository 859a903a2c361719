package storetest

import (
	"sync"
	"testing"
	"time"

	"github.com/portwatch/portwatch/internal/model"
	"github.com/portwatch/portwatch/internal/scan"
	"github.com/portwatch/portwatch/internal/store"
)

// checks builds n monitor observations of 50 endpoints, one per second.
func checks(n int) []model.Observation {
	out := make([]model.Observation, n)
	for i := range out {
		out[i] = obs(ep("198.18.1.1", uint16(1000+i%50)), epoch().Add(time.Duration(i)*time.Second), scan.Open, time.Duration(i%7+1)*time.Millisecond)
	}
	return out
}

func testWriter(t *testing.T, s store.Store) {
	ctx := ctxT(t)
	w := store.NewWriter(s, store.WriterOptions{MaxBatch: 100, MaxDelay: 20 * time.Millisecond, Queue: 16})
	all := checks(1050)
	for i, o := range all {
		must(t, w.Submit(ctx, store.Batch{Observations: []model.Observation{o},
			States: []model.EndpointState{{Endpoint: o.Endpoint, Location: o.Location, State: o.State, Reason: o.Reason,
				Since: epoch(), FirstSeen: epoch(), LastSeen: o.Time, Consecutive: i/50 + 1}}}))
		if i == 500 {
			must(t, w.Flush(ctx))
			got, err := s.ListObservations(ctx, store.ObservationFilter{})
			must(t, err)
			if len(got) != 501 {
				t.Errorf("after Flush: %d observations, want 501", len(got))
			}
		}
	}
	must(t, w.Close())
	if err := w.AddObservation(ctx, all[0]); err != store.ErrWriterClosed {
		t.Errorf("submit after Close: %v, want ErrWriterClosed", err)
	}
	st := w.Stats()
	if st.Committed != 2100 || st.Failed != 0 || st.Batches < 11 {
		t.Errorf("writer stats %+v, want 2100 committed in at least 11 batches", st)
	}
	got, err := s.ListObservations(ctx, store.ObservationFilter{})
	must(t, err)
	equal(t, "observations written through the Writer", got, all)
	states, err := s.ListStates(ctx, store.StateFilter{})
	must(t, err)
	if len(states) != 50 || states[0].Consecutive != 21 {
		t.Errorf("states: %d, first consecutive %d; want 50 and 21", len(states), states[0].Consecutive)
	}
}

func testConcurrentReaders(t *testing.T, s store.Store) {
	ctx := ctxT(t)
	w := store.NewWriter(s, store.WriterOptions{MaxBatch: 50, MaxDelay: 5 * time.Millisecond})
	all := checks(1500)
	done := make(chan struct{})
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	for r := range 3 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			last := 0
			for {
				select {
				case <-done:
					return
				default:
				}
				var n int
				switch r {
				case 0:
					got, err := s.ListObservations(ctx, store.ObservationFilter{})
					if err != nil {
						errs <- err
						return
					}
					n = len(got)
				case 1:
					if _, err := s.ListStates(ctx, store.StateFilter{State: scan.Open}); err != nil {
						errs <- err
						return
					}
				default:
					if _, err := s.Rollups(ctx, store.RollupQuery{Endpoint: all[0].Endpoint, Location: model.LocalLocation, Resolution: store.Minute}); err != nil {
						errs <- err
						return
					}
				}
				if n < last {
					t.Errorf("reader saw %d observations after %d", n, last)
				}
				last = n
				time.Sleep(time.Millisecond)
			}
		}()
	}
	for _, o := range all {
		must(t, w.Submit(ctx, store.Batch{Observations: []model.Observation{o},
			States: []model.EndpointState{{Endpoint: o.Endpoint, Location: o.Location, State: o.State, Since: epoch(), FirstSeen: epoch(), LastSeen: o.Time}}}))
	}
	must(t, w.Close())
	close(done)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("reader: %v", err)
	}
	got, err := s.ListObservations(ctx, store.ObservationFilter{})
	must(t, err)
	if len(got) != len(all) {
		t.Errorf("%d observations after concurrent reads, want %d", len(got), len(all))
	}
}
