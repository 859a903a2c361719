package sqlite

import (
	"context"
	"net/netip"
	"testing"
	"time"

	"github.com/portwatch/portwatch/internal/model"
	"github.com/portwatch/portwatch/internal/scan"
	"github.com/portwatch/portwatch/internal/store"
)

// TestPruneInChunks deletes more rows than one chunk holds.
func TestPruneInChunks(t *testing.T) {
	ctx := context.Background()
	s := openTemp(t)
	defer s.Close()
	now := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	ep := model.Endpoint{Addr: netip.MustParseAddr("198.18.0.1"), Protocol: scan.TCP, Port: 22}
	old := 2*pruneChunk + 1
	obs := make([]model.Observation, 0, old+1)
	for i := range old {
		obs = append(obs, model.Observation{Endpoint: ep, Location: model.LocalLocation, Time: now.Add(-48*time.Hour + time.Duration(i)*time.Second), State: scan.Open})
	}
	obs = append(obs, model.Observation{Endpoint: ep, Location: model.LocalLocation, Time: now, State: scan.Open})
	if err := s.AddObservations(ctx, obs); err != nil {
		t.Fatal(err)
	}
	res, err := s.Prune(ctx, now, store.RetentionPolicy{Raw: 24 * time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	if res.Observations != int64(old) {
		t.Errorf("pruned %d observations, want %d", res.Observations, old)
	}
	left, err := s.ListObservations(ctx, store.ObservationFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(left) != 1 || !left[0].Time.Equal(now) {
		t.Errorf("left %d observations", len(left))
	}
}
