package alert

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/netip"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/portwatch/portwatch/internal/alert/notify"
	"github.com/portwatch/portwatch/internal/model"
	"github.com/portwatch/portwatch/internal/scan"
	"github.com/portwatch/portwatch/internal/store"
	"github.com/portwatch/portwatch/internal/store/sqlite"
)

// clock is a settable time source.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func openStore(t *testing.T) *sqlite.DB {
	t.Helper()
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "pw.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

func newTestEngine(t *testing.T, st *sqlite.DB, c *clock, routes ...Route) *Engine {
	t.Helper()
	if len(routes) == 0 {
		routes = []Route{{Name: "default", Receivers: []string{"hook"}, SendResolved: true}}
	}
	e, err := NewEngine(st, Options{Routes: routes, Logger: quiet, Now: c.Now})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// openFinding stores a finding as the daemon would.
func openFinding(t *testing.T, st *sqlite.DB, addr string, port uint16, kind model.FindingKind, rule string, at time.Time) model.Finding {
	t.Helper()
	f, _, err := st.OpenFinding(context.Background(), model.Finding{Kind: kind, Severity: model.SeverityCritical,
		Endpoint: model.Endpoint{Addr: netip.MustParseAddr(addr), Protocol: scan.TCP, Port: port},
		Location: "lab", Rule: rule, Message: addr + " open", Labels: map[string]string{"team": "sec"}, Opened: at})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func resolved(f model.Finding, at time.Time) model.Finding {
	f.Resolved = &at
	return f
}

// outbox returns the messages written, oldest first.
func outbox(t *testing.T, st *sqlite.DB) []notify.Message {
	t.Helper()
	es, err := st.ListOutbox(context.Background(), store.OutboxFilter{})
	if err != nil {
		t.Fatal(err)
	}
	var out []notify.Message
	for i := len(es) - 1; i >= 0; i-- {
		var m notify.Message
		if err := json.Unmarshal(es[i].Payload, &m); err != nil {
			t.Fatal(err)
		}
		out = append(out, m)
	}
	return out
}

func TestOneScanBecomesOneMessageAndResolvesTogether(t *testing.T) {
	ctx := context.Background()
	st := openStore(t)
	c := &clock{t: time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)}
	e := newTestEngine(t, st, c)
	var fs []model.Finding
	for _, p := range []uint16{22, 2375, 6379} {
		fs = append(fs, openFinding(t, st, "198.18.0.11", p, model.FindingForbiddenPort, "group:edge", c.Now()))
	}
	fs = append(fs, openFinding(t, st, "198.18.0.12", 23, model.FindingForbiddenPort, "group:edge", c.Now()))
	if err := e.Handle(ctx, Event{Opened: fs}); err != nil {
		t.Fatal(err)
	}
	if err := e.Flush(ctx, false); err != nil || len(outbox(t, st)) != 0 {
		t.Fatalf("flushed before GroupWait: %v", err)
	}
	c.Add(1100 * time.Millisecond)
	if err := e.Handle(ctx, Event{Opened: fs}); err != nil { // seen again: nothing new
		t.Fatal(err)
	}
	if err := e.Flush(ctx, false); err != nil {
		t.Fatal(err)
	}
	msgs := outbox(t, st)
	if len(msgs) != 1 {
		t.Fatalf("%d messages, want 1 for one scan", len(msgs))
	}
	m := msgs[0]
	if m.Event != notify.EventTrigger || len(m.Items) != 4 || m.Severity != notify.SeverityCritical ||
		m.Title != "[CRITICAL] 4 findings on 2 hosts" || m.Labels["team"] != "sec" || m.Items[0].Action == "" {
		t.Fatalf("trigger: %+v", m)
	}
	if !strings.Contains(m.Text, "198.18.0.11 open") || !strings.Contains(m.Text, "what to do:") {
		t.Errorf("text lacks the facts:\n%s", m.Text)
	}
	if err := e.Handle(ctx, Event{Resolved: []model.Finding{resolved(fs[1], c.Now()), resolved(fs[3], c.Now())}}); err != nil {
		t.Fatal(err)
	}
	if err := e.Flush(ctx, true); err != nil {
		t.Fatal(err)
	}
	msgs = outbox(t, st)
	if len(msgs) != 2 || msgs[1].Event != notify.EventResolve || len(msgs[1].Items) != 2 || !strings.HasPrefix(msgs[1].Title, "[RESOLVED]") {
		t.Fatalf("resolve: %+v", msgs[len(msgs)-1])
	}
}

func TestUngroupedReceiversGetOneIncidentPerFinding(t *testing.T) {
	ctx := context.Background()
	st := openStore(t)
	c := &clock{t: time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)}
	e, err := NewEngine(st, Options{Routes: []Route{{Name: "page", Receivers: []string{"pd"}}},
		Ungrouped: map[string]bool{"pd": true}, Logger: quiet, Now: c.Now})
	if err != nil {
		t.Fatal(err)
	}
	a := openFinding(t, st, "198.18.0.11", 22, model.FindingForbiddenPort, "group:edge", c.Now())
	b := openFinding(t, st, "198.18.0.11", 23, model.FindingForbiddenPort, "group:edge", c.Now())
	_ = e.Handle(ctx, Event{Opened: []model.Finding{a, b}})
	_ = e.Flush(ctx, true)
	msgs := outbox(t, st)
	if len(msgs) != 2 || msgs[0].IncidentKey == msgs[1].IncidentKey {
		t.Fatalf("pagerduty-like receiver: %d messages %+v", len(msgs), msgs)
	}
}

func TestFlappingPortGivesOneFlappingNotificationThenOneSummary(t *testing.T) {
	ctx := context.Background()
	st := openStore(t)
	c := &clock{t: time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)}
	e := newTestEngine(t, st, c)
	ep := model.Endpoint{Addr: netip.MustParseAddr("198.18.0.11"), Protocol: scan.TCP, Port: 2375}
	var open *model.Finding
	observe := func(state scan.PortState) {
		c.Add(2 * time.Second)
		ev := Event{States: []model.EndpointState{{Endpoint: ep, Location: "lab", State: state, Since: c.Now(), LastSeen: c.Now()}}}
		switch {
		case state == scan.Open && open == nil:
			f := openFinding(t, st, "198.18.0.11", 2375, model.FindingExpectedClosedOpen, "monitor:docker", c.Now())
			open = &f
			ev.Opened = []model.Finding{f}
		case state != scan.Open && open != nil:
			if _, err := st.ResolveFinding(ctx, open.Key(), c.Now()); err != nil {
				t.Fatal(err)
			}
			ev.Resolved = []model.Finding{resolved(*open, c.Now())}
			open = nil
		}
		if err := e.Handle(ctx, ev); err != nil {
			t.Fatal(err)
		}
		if err := e.Flush(ctx, false); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 40 { // toggled at every check for 80 s
		if i%2 == 0 {
			observe(scan.Open)
		} else {
			observe(scan.Closed)
		}
	}
	for range 30 { // then closed for good
		observe(scan.Closed)
	}
	count := map[notify.Event]int{}
	for _, m := range outbox(t, st) {
		count[m.Event]++
	}
	if count[notify.EventFlapping] != 1 || count[notify.EventStable] != 1 {
		t.Fatalf("flapping/stable notifications: %v", count)
	}
	if count[notify.EventTrigger] > 3 || count[notify.EventResolve] > 3 {
		t.Fatalf("a port toggled 40 times sent %v: flapping was not suppressed", count)
	}
	t.Logf("notifications for 40 toggles: %v", count)
}

func TestSilencesAndMaintenanceHoldNotificationsBack(t *testing.T) {
	ctx := context.Background()
	st := openStore(t)
	c := &clock{t: time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)}
	e, err := NewEngine(st, Options{
		Routes: []Route{{Name: "default", Receivers: []string{"hook"}, SendResolved: true}},
		Maintenance: []Window{{Name: "patching", Matchers: []store.Matcher{{Name: "host", Op: "=", Value: "198.18.0.12"}},
			Start: c.Now().Add(-time.Minute), End: c.Now().Add(time.Hour)}},
		Logger: quiet, Now: c.Now})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.AddSilence(ctx, store.Silence{Matchers: []store.Matcher{{Name: "team", Op: "=~", Value: "se."}},
		Starts: c.Now().Add(-time.Minute), Ends: c.Now().Add(time.Hour), CreatedBy: "test", Comment: "x", Created: c.Now()}); err != nil {
		t.Fatal(err)
	}
	silenced := openFinding(t, st, "198.18.0.11", 22, model.FindingForbiddenPort, "group:edge", c.Now())
	f, _, _ := st.OpenFinding(ctx, model.Finding{Kind: model.FindingForbiddenPort, Severity: model.SeverityCritical,
		Endpoint: model.Endpoint{Addr: netip.MustParseAddr("198.18.0.12"), Protocol: scan.TCP, Port: 22}, Location: "lab",
		Rule: "group:edge", Message: "m", Opened: c.Now()})
	other, _, _ := st.OpenFinding(ctx, model.Finding{Kind: model.FindingForbiddenPort, Severity: model.SeverityCritical,
		Endpoint: model.Endpoint{Addr: netip.MustParseAddr("198.18.0.13"), Protocol: scan.TCP, Port: 22}, Location: "lab",
		Rule: "group:edge", Message: "m", Opened: c.Now()})
	_ = e.Handle(ctx, Event{Opened: []model.Finding{silenced, f, other}})
	_ = e.Flush(ctx, true)
	msgs := outbox(t, st)
	if len(msgs) != 1 || len(msgs[0].Items) != 1 || msgs[0].Items[0].Host != "198.18.0.13" {
		t.Fatalf("want only the unsilenced finding notified, got %+v", msgs)
	}
	// Resolving a finding nobody heard of sends nothing.
	_ = e.Handle(ctx, Event{Resolved: []model.Finding{resolved(silenced, c.Now())}})
	_ = e.Flush(ctx, true)
	if n := len(outbox(t, st)); n != 1 {
		t.Fatalf("resolve of a silenced finding was notified (%d messages)", n)
	}
}

func TestRemindersAndEscalationStopWhenAcknowledged(t *testing.T) {
	ctx := context.Background()
	st := openStore(t)
	c := &clock{t: time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)}
	e := newTestEngine(t, st, c,
		Route{Name: "oncall", Receivers: []string{"hook"}, SendResolved: true, RepeatInterval: time.Hour, EscalateAfter: 30 * time.Minute, EscalateTo: "boss"},
		Route{Name: "boss", Matchers: []store.Matcher{{Name: "kind", Op: "=", Value: "never"}}, Receivers: []string{"pager"}})
	a := openFinding(t, st, "198.18.0.11", 22, model.FindingForbiddenPort, "group:edge", c.Now())
	b := openFinding(t, st, "198.18.0.11", 23, model.FindingForbiddenPort, "group:edge", c.Now())
	_ = e.Handle(ctx, Event{Opened: []model.Finding{a, b}})
	_ = e.Flush(ctx, true)
	if err := st.AckFinding(ctx, b.ID, "alice", c.Now()); err != nil {
		t.Fatal(err)
	}
	c.Add(31 * time.Minute)
	_ = e.Tick(ctx)
	c.Add(30 * time.Minute)
	_ = e.Tick(ctx)
	_ = e.Tick(ctx)
	var got []string
	for _, m := range outbox(t, st) {
		got = append(got, string(m.Event)+":"+m.Route+":"+m.Items[0].Endpoint)
	}
	want := []string{
		"trigger:oncall:198.18.0.11:22/tcp", // both in one message; first item shown
		"trigger:boss:198.18.0.11:22/tcp",   // a escalated after 30 min; b acknowledged
		"reminder:oncall:198.18.0.11:22/tcp",
	}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Fatalf("messages:\n got %v\nwant %v", got, want)
	}
}

func TestRestoreWritesWhatACrashLostAndNothingTwice(t *testing.T) {
	ctx := context.Background()
	st := openStore(t)
	c := &clock{t: time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)}
	a := openFinding(t, st, "198.18.0.11", 22, model.FindingForbiddenPort, "group:edge", c.Now())
	b := openFinding(t, st, "198.18.0.11", 23, model.FindingForbiddenPort, "group:edge", c.Now())
	e := newTestEngine(t, st, c)
	_ = e.Handle(ctx, Event{Opened: []model.Finding{a}})
	_ = e.Flush(ctx, true)
	// Crash: b was opened but its notification never written; a resolved
	// but its resolve never written.
	if _, err := st.ResolveFinding(ctx, a.Key(), c.Now()); err != nil {
		t.Fatal(err)
	}
	all, _ := st.ListFindings(ctx, store.FindingFilter{})
	for range 2 { // a second restart writes nothing more
		e2 := newTestEngine(t, st, c)
		if err := e2.Restore(ctx, all); err != nil {
			t.Fatal(err)
		}
	}
	var got []string
	for _, m := range outbox(t, st) {
		got = append(got, m.ID)
	}
	want := "trigger/hook/" + itoa(a.ID) + " trigger/hook/" + itoa(b.ID) + " resolve/hook/" + itoa(a.ID)
	if strings.Join(got, " ") != want {
		t.Fatalf("outbox after restore: %v, want %s", got, want)
	}
}

func itoa(id int64) string { return strconv.FormatInt(id, 10) }
