package storetest

import (
	"context"
	"errors"
	"net/netip"
	"testing"
	"time"

	"github.com/portwatch/portwatch/internal/model"
	"github.com/portwatch/portwatch/internal/scan"
	"github.com/portwatch/portwatch/internal/store"
)

// AlertingBackend is a backend with the alerting tables.
type AlertingBackend interface {
	store.Store
	store.Alerting
}

// RunAlerting runs the outbox, acknowledgement and silence scenarios
// against fresh backends from open.
func RunAlerting(t *testing.T, open func(t *testing.T) AlertingBackend) {
	for _, sc := range []struct {
		name string
		fn   func(t *testing.T, s AlertingBackend)
	}{
		{"OutboxLifecycle", testOutbox},
		{"FindingAck", testFindingAck},
		{"Silences", testSilences},
	} {
		t.Run(sc.name, func(t *testing.T) {
			s := open(t)
			defer s.Close()
			sc.fn(t, s)
		})
	}
}

func testOutbox(t *testing.T, s AlertingBackend) {
	ctx := context.Background()
	t0 := time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)
	entry := func(key string, created time.Time) store.OutboxEntry {
		return store.OutboxEntry{Key: key, Receiver: "hook", Route: "default", Incident: "inc-1", Event: "trigger",
			Payload: []byte(`{"id":"` + key + `"}`), Created: created}
	}
	n, err := s.Enqueue(ctx, []store.OutboxEntry{entry("a", t0), entry("b", t0.Add(time.Second))})
	if err != nil || n != 2 {
		t.Fatalf("enqueue: %d %v", n, err)
	}
	// The same key again (a restart re-deriving notifications) is ignored.
	if n, err := s.Enqueue(ctx, []store.OutboxEntry{entry("a", t0.Add(time.Hour)), entry("c", t0.Add(2*time.Second))}); err != nil || n != 1 {
		t.Fatalf("re-enqueue: %d %v, want only c written", n, err)
	}
	if ok, err := s.HasOutboxKey(ctx, "a"); !ok || err != nil {
		t.Fatalf("HasOutboxKey(a) = %v %v", ok, err)
	}
	due, err := s.DueOutbox(ctx, t0.Add(time.Second), 0)
	if err != nil || len(due) != 2 || due[0].Key != "a" || due[1].Key != "b" {
		t.Fatalf("due at t0+1s: %+v %v", due, err)
	}
	if string(due[0].Payload) != `{"id":"a"}` || due[0].State != store.OutboxPending || !due[0].Created.Equal(t0) {
		t.Fatalf("entry round trip: %+v", due[0])
	}
	if err := s.MarkDelivered(ctx, due[0].ID, t0.Add(3*time.Second), 1); err != nil {
		t.Fatal(err)
	}
	if err := s.MarkRetry(ctx, due[1].ID, 1, t0.Add(time.Minute), "503 Service Unavailable"); err != nil {
		t.Fatal(err)
	}
	due, err = s.DueOutbox(ctx, t0.Add(30*time.Second), 0)
	if err != nil || len(due) != 1 || due[0].Key != "c" {
		t.Fatalf("due at t0+30s: %+v %v (b waits for its retry, a is delivered)", due, err)
	}
	due, _ = s.DueOutbox(ctx, t0.Add(time.Minute), 1)
	if len(due) != 1 || due[0].Key != "c" {
		t.Fatalf("limit 1 at t0+1m: %+v", due)
	}
	if err := s.MarkDead(ctx, due[0].ID, t0.Add(2*time.Minute), 8, "400 Bad Request"); err != nil {
		t.Fatal(err)
	}
	dead, err := s.ListOutbox(ctx, store.OutboxFilter{State: store.OutboxDead})
	if err != nil || len(dead) != 1 || dead[0].Key != "c" || dead[0].Attempts != 8 || dead[0].LastError != "400 Bad Request" || dead[0].Done == nil {
		t.Fatalf("dead letters: %+v %v", dead, err)
	}
	all, err := s.ListOutbox(ctx, store.OutboxFilter{Incident: "inc-1"})
	if err != nil || len(all) != 3 || all[0].Key != "c" {
		t.Fatalf("list newest first: %+v %v", all, err)
	}
	if err := s.MarkDelivered(ctx, 999, t0, 1); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("marking an unknown entry: %v", err)
	}
}

func testFindingAck(t *testing.T, s AlertingBackend) {
	ctx := context.Background()
	t0 := time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)
	f, _, err := s.OpenFinding(ctx, model.Finding{Kind: model.FindingForbiddenPort, Severity: model.SeverityCritical,
		Endpoint: model.Endpoint{Addr: netip.MustParseAddr("198.18.0.11"), Protocol: scan.TCP, Port: 6379},
		Location: "lab", Rule: "group:dmz", Message: "open", Opened: t0})
	if err != nil {
		t.Fatal(err)
	}
	if by, at, err := s.FindingAck(ctx, f.ID); err != nil || by != "" || !at.IsZero() {
		t.Fatalf("fresh finding acked: %q %v %v", by, at, err)
	}
	if err := s.AckFinding(ctx, f.ID, "alice", t0.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	if err := s.AckFinding(ctx, f.ID, "bob", t0.Add(2*time.Minute)); err != nil {
		t.Fatal(err)
	}
	if by, at, err := s.FindingAck(ctx, f.ID); err != nil || by != "alice" || !at.Equal(t0.Add(time.Minute)) {
		t.Fatalf("ack: %q %v %v, want the first one kept", by, at, err)
	}
	if err := s.AckFinding(ctx, f.ID+100, "x", t0); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("ack of an unknown finding: %v", err)
	}
}

func testSilences(t *testing.T, s AlertingBackend) {
	ctx := context.Background()
	t0 := time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)
	id, err := s.AddSilence(ctx, store.Silence{Matchers: []store.Matcher{{Name: "group", Op: "=", Value: "dmz"}},
		Starts: t0, Ends: t0.Add(time.Hour), CreatedBy: "alice", Comment: "migration", Created: t0})
	if err != nil {
		t.Fatal(err)
	}
	got, err := s.ListSilences(ctx, t0.Add(time.Minute))
	if err != nil || len(got) != 1 || got[0].ID != id || got[0].Matchers[0].Value != "dmz" || got[0].Comment != "migration" {
		t.Fatalf("list: %+v %v", got, err)
	}
	if err := s.ExpireSilence(ctx, id, t0.Add(10*time.Minute)); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.ListSilences(ctx, t0.Add(11*time.Minute)); len(got) != 0 {
		t.Fatalf("expired silence still listed: %+v", got)
	}
	if got, _ := s.ListSilences(ctx, time.Time{}); len(got) != 1 || !got[0].Ends.Equal(t0.Add(10*time.Minute)) {
		t.Fatalf("all silences: %+v", got)
	}
	if err := s.ExpireSilence(ctx, id+5, t0); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("expire unknown: %v", err)
	}
}
