// Package storetest is the contract every store.Store backend must pass:
// Run covers the entities, filters, rollups, retention, the Writer and
// concurrent readers on one open store; RunDurability covers reopening
// and a SIGKILLed writer. A backend's test calls both.
package storetest

import (
	"context"
	"net/netip"
	"reflect"
	"testing"
	"time"

	"github.com/portwatch/portwatch/internal/fingerprint"
	"github.com/portwatch/portwatch/internal/model"
	"github.com/portwatch/portwatch/internal/scan"
	"github.com/portwatch/portwatch/internal/store"
)

// Run runs every single-store scenario; open must return a new, empty
// store for each call (it is called once per scenario). Run closes it.
func Run(t *testing.T, open func(t *testing.T) store.Store) {
	scenarios := []struct {
		name string
		fn   func(t *testing.T, s store.Store)
	}{
		{"ObservationsRoundTrip", testObservations},
		{"StatesUpsertFilterPage", testStates},
		{"ChangesOrderAndFilter", testChanges},
		{"FindingsOpenResolve", testFindings},
		{"ScanRoundTrip", testScans},
		{"Rollups", testRollups},
		{"Prune", testPrune},
		{"BatchIsAtomic", testBatchAtomic},
		{"WriterCommitsAll", testWriter},
		{"ConcurrentReaders", testConcurrentReaders},
	}
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			s := open(t)
			defer func() {
				if err := s.Close(); err != nil {
					t.Errorf("close: %v", err)
				}
			}()
			sc.fn(t, s)
		})
	}
}

// epoch is the fixtures' time origin, a whole hour in UTC.
func epoch() time.Time { return time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC) }

func ep(addr string, port uint16) model.Endpoint {
	return model.Endpoint{Addr: netip.MustParseAddr(addr), Protocol: scan.TCP, Port: port}
}

func obs(e model.Endpoint, at time.Time, st scan.PortState, rtt time.Duration) model.Observation {
	reason := scan.ReasonSynAck
	if st != scan.Open {
		reason = scan.ReasonConnRefused
	}
	return model.Observation{Endpoint: e, Location: model.LocalLocation, Time: at, State: st, Reason: reason,
		RTT: rtt, Source: model.SourceMonitor, Origin: "web"}
}

func ctxT(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func equal(t *testing.T, what string, got, want any) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s:\n got  %+v\n want %+v", what, got, want)
	}
}

func sshService() *fingerprint.Service {
	return &fingerprint.Service{Name: "ssh", Product: "OpenSSH", Version: "9.2p1", CPE: []string{"cpe:2.3:a:openbsd:openssh:9.2p1:*:*:*:*:*:*:*"},
		Confidence: 10, Method: fingerprint.Method("probed")}
}

func testObservations(t *testing.T, s store.Store) {
	ctx := ctxT(t)
	a, b := ep("198.18.0.11", 22), ep("2001:2::11", 443)
	o1 := obs(a, epoch(), scan.Open, 1500*time.Microsecond)
	o1.Service = sshService()
	o2 := obs(b, epoch().Add(time.Second), scan.Closed, 0)
	o2.Source, o2.Origin, o2.ScanID = model.SourceDiscovery, "nightly", 7
	o2.Location = "agent-eu"
	o3 := obs(a, epoch().Add(2*time.Second), scan.Filtered, 0)
	o3.Reason = scan.ReasonNoResponse
	must(t, s.AddObservations(ctx, []model.Observation{o1, o2, o3}))

	all, err := s.ListObservations(ctx, store.ObservationFilter{})
	must(t, err)
	equal(t, "all observations", all, []model.Observation{o1, o2, o3})

	onA, err := s.ListObservations(ctx, store.ObservationFilter{Endpoint: &a, Location: model.LocalLocation})
	must(t, err)
	equal(t, "observations of a", onA, []model.Observation{o1, o3})

	ranged, err := s.ListObservations(ctx, store.ObservationFilter{From: epoch().Add(time.Second), To: epoch().Add(2 * time.Second)})
	must(t, err)
	equal(t, "observations in range", ranged, []model.Observation{o2})

	paged, err := s.ListObservations(ctx, store.ObservationFilter{Page: store.Page{Limit: 1, Offset: 2}})
	must(t, err)
	equal(t, "page 3 of 1", paged, []model.Observation{o3})
}

func state(e model.Endpoint, loc model.Location, st scan.PortState, n int) model.EndpointState {
	return model.EndpointState{Endpoint: e, Location: loc, State: st, Reason: scan.ReasonSynAck, Since: epoch(),
		FirstSeen: epoch().Add(-time.Hour), LastSeen: epoch().Add(time.Duration(n) * time.Second), Consecutive: n, LastRTT: time.Millisecond}
}

func testStates(t *testing.T, s store.Store) {
	ctx := ctxT(t)
	var want []model.EndpointState
	for i := range 5 {
		want = append(want, state(ep("198.18.0.11", uint16(20+i)), model.LocalLocation, scan.Open, 1))
	}
	want[2].State = scan.Closed
	remote := state(ep("198.18.0.11", 22), "agent-eu", scan.Open, 1)
	other := state(ep("198.18.0.12", 80), model.LocalLocation, scan.Open, 1)
	v6 := state(ep("2001:2::1", 80), model.LocalLocation, scan.Open, 1)
	v6.Service = sshService()
	must(t, s.PutStates(ctx, append(append([]model.EndpointState{}, want...), remote, other, v6)))

	// Upsert: the second write replaces the first.
	want[0].Consecutive, want[0].LastSeen = 9, epoch().Add(9*time.Second)
	must(t, s.PutStates(ctx, []model.EndpointState{want[0]}))

	got, err := s.GetState(ctx, want[0].Endpoint, model.LocalLocation)
	must(t, err)
	equal(t, "upserted state", got, want[0])
	if _, err := s.GetState(ctx, ep("198.18.0.99", 1), model.LocalLocation); !errorsIs(err, store.ErrNotFound) {
		t.Errorf("missing state: err = %v, want ErrNotFound", err)
	}

	local, err := s.ListStates(ctx, store.StateFilter{Location: model.LocalLocation, Addr: netip.MustParseAddr("198.18.0.11")})
	must(t, err)
	equal(t, "local states of .11", local, want)

	open, err := s.ListStates(ctx, store.StateFilter{Location: model.LocalLocation, State: scan.Open})
	must(t, err)
	equal(t, "open local states", open, []model.EndpointState{want[0], want[1], want[3], want[4], other, v6})

	page, err := s.ListStates(ctx, store.StateFilter{Location: model.LocalLocation, Page: store.Page{Limit: 2, Offset: 1}})
	must(t, err)
	equal(t, "page", page, want[1:3])

	all, err := s.ListStates(ctx, store.StateFilter{})
	must(t, err)
	if len(all) != 8 {
		t.Errorf("all states: %d, want 8", len(all))
	}
}

func testChanges(t *testing.T, s store.Store) {
	ctx := ctxT(t)
	a, b := ep("198.18.0.11", 22), ep("198.18.0.12", 80)
	mk := func(e model.Endpoint, sec int, kind model.ChangeKind, from, to string) model.Change {
		return model.Change{Endpoint: e, Location: model.LocalLocation, Time: epoch().Add(time.Duration(sec) * time.Second), Kind: kind, From: from, To: to}
	}
	// Inserted out of time order, and two at the same instant.
	c3 := mk(a, 30, model.ChangeClosed, "open", "closed")
	c1 := mk(a, 10, model.ChangeOpened, "", "open")
	c2a := mk(b, 20, model.ChangeOpened, "", "open")
	c2b := mk(b, 20, model.ChangeServiceChanged, "", "http")
	must(t, s.AddChanges(ctx, []model.Change{c3, c1}))
	must(t, s.AddChanges(ctx, []model.Change{c2a, c2b}))

	got, err := s.ListChanges(ctx, store.ChangeFilter{})
	must(t, err)
	want := []model.Change{c1, c2a, c2b, c3}
	if len(got) != len(want) {
		t.Fatalf("changes: %d, want %d", len(got), len(want))
	}
	for i := range got {
		if got[i].ID == 0 {
			t.Errorf("change %d has no ID", i)
		}
		want[i].ID = got[i].ID
	}
	equal(t, "changes in time order", got, want)
	if got[1].ID > got[2].ID {
		t.Errorf("same-instant changes not in insertion order: %d > %d", got[1].ID, got[2].ID)
	}

	byEp, err := s.ListChanges(ctx, store.ChangeFilter{Endpoint: &a})
	must(t, err)
	equal(t, "changes of a", byEp, []model.Change{want[0], want[3]})

	byAddr, err := s.ListChanges(ctx, store.ChangeFilter{Addr: b.Addr, Location: model.LocalLocation})
	must(t, err)
	equal(t, "changes of b's address", byAddr, want[1:3])

	ranged, err := s.ListChanges(ctx, store.ChangeFilter{From: epoch().Add(15 * time.Second), To: epoch().Add(30 * time.Second), Page: store.Page{Limit: 1}})
	must(t, err)
	equal(t, "changes in range, limit 1", ranged, want[1:2])
}

func testFindings(t *testing.T, s store.Store) {
	ctx := ctxT(t)
	f := model.Finding{Kind: model.FindingForbiddenPort, Severity: model.SeverityCritical, Endpoint: ep("198.18.0.11", 6379),
		Location: model.LocalLocation, Rule: "internet/forbidden_ports", Message: "6379 open", Labels: map[string]string{"group": "internet"},
		Opened: epoch()}
	opened, created, err := s.OpenFinding(ctx, f)
	must(t, err)
	if !created || opened.ID == 0 {
		t.Fatalf("first open: created=%v id=%d", created, opened.ID)
	}
	f.ID = opened.ID
	equal(t, "opened finding", opened, f)

	// Same key again: the open one comes back, not a new one.
	again := f
	again.ID, again.Opened, again.Message = 0, epoch().Add(time.Minute), "still open"
	got, created, err := s.OpenFinding(ctx, again)
	must(t, err)
	if created {
		t.Error("second open of the same key created a new finding")
	}
	equal(t, "re-opened finding", got, f)

	byKey, err := s.GetOpenFinding(ctx, f.Key())
	must(t, err)
	equal(t, "finding by key", byKey, f)

	minor := model.Finding{Kind: model.FindingUnexpectedService, Severity: model.SeverityWarning, Endpoint: ep("198.18.0.12", 5432),
		Location: model.LocalLocation, Rule: "db/expected_services", Message: "not postgresql", Opened: epoch().Add(time.Second)}
	minor, _, err = s.OpenFinding(ctx, minor)
	must(t, err)

	at := epoch().Add(time.Hour)
	ok, err := s.ResolveFinding(ctx, f.Key(), at)
	must(t, err)
	if !ok {
		t.Fatal("resolve found nothing open")
	}
	ok, err = s.ResolveFinding(ctx, f.Key(), at.Add(time.Hour))
	must(t, err)
	if ok {
		t.Error("second resolve found something open")
	}
	if _, err := s.GetOpenFinding(ctx, f.Key()); !errorsIs(err, store.ErrNotFound) {
		t.Errorf("open finding after resolve: err = %v, want ErrNotFound", err)
	}
	resolved := f
	resolved.Resolved = &at

	// Reopening after resolution creates a new finding.
	reopened, created, err := s.OpenFinding(ctx, again)
	must(t, err)
	if !created || reopened.ID == f.ID {
		t.Errorf("reopen after resolve: created=%v id=%d (old %d)", created, reopened.ID, f.ID)
	}

	all, err := s.ListFindings(ctx, store.FindingFilter{})
	must(t, err)
	equal(t, "all findings, newest first", all, []model.Finding{reopened, minor, resolved})

	openOnly, err := s.ListFindings(ctx, store.FindingFilter{OpenOnly: true})
	must(t, err)
	equal(t, "open findings", openOnly, []model.Finding{reopened, minor})

	crit, err := s.ListFindings(ctx, store.FindingFilter{Severity: model.SeverityCritical, Page: store.Page{Limit: 1, Offset: 1}})
	must(t, err)
	equal(t, "critical findings page 2", crit, []model.Finding{resolved})

	byAddr, err := s.ListFindings(ctx, store.FindingFilter{Addr: netip.MustParseAddr("198.18.0.12"), Location: model.LocalLocation})
	must(t, err)
	equal(t, "findings of .12", byAddr, []model.Finding{minor})
}

func testScans(t *testing.T, s store.Store) {
	ctx := ctxT(t)
	res := &scan.Result{Started: epoch(), Finished: epoch().Add(3 * time.Second), Args: []string{"portwatch", "scan", "198.18.0.0/28"},
		Scanner: "portwatch test", Hosts: []scan.HostResult{{
			Address: netip.MustParseAddr("198.18.0.11"), Hostnames: []string{"h11"}, Status: scan.HostStatus("up"), Reason: scan.ReasonSynAck,
			Ports:       []scan.PortResult{{Protocol: scan.TCP, Port: 22, State: scan.Open, Reason: scan.ReasonSynAck, Service: sshService()}},
			OtherStates: map[scan.PortState]int{scan.Closed: 999},
		}}, Stats: scan.Stats{Endpoints: 1000, Open: 1, HostsUp: 1, DurationMS: 3000}}
	rec := model.ScanRecord{Job: "nightly", Started: epoch(), Finished: epoch().Add(3 * time.Second), Result: res}
	id, err := s.AddScan(ctx, rec)
	must(t, err)
	id2, err := s.AddScan(ctx, model.ScanRecord{Job: "other", Started: epoch().Add(time.Hour), Finished: epoch().Add(time.Hour)})
	must(t, err)
	if id == 0 || id2 == id {
		t.Fatalf("scan ids %d, %d", id, id2)
	}
	got, err := s.GetScan(ctx, id)
	must(t, err)
	rec.ID = id
	// The stored result must be the same JSON document.
	equal(t, "scan result JSON", mustJSON(t, got.Result), mustJSON(t, res))
	got.Result, rec.Result = nil, nil
	equal(t, "scan record", got, rec)

	if _, err := s.GetScan(ctx, id2+1000); !errorsIs(err, store.ErrNotFound) {
		t.Errorf("missing scan: err = %v, want ErrNotFound", err)
	}
	list, err := s.ListScans(ctx, store.ScanFilter{})
	must(t, err)
	if len(list) != 2 || list[0].ID != id2 || list[1].ID != id || list[0].Result != nil {
		t.Errorf("scan list: %+v", list)
	}
	nightly, err := s.ListScans(ctx, store.ScanFilter{Job: "nightly"})
	must(t, err)
	if len(nightly) != 1 || nightly[0].ID != id {
		t.Errorf("nightly scans: %+v", nightly)
	}
}
