// Package alert decides who hears about what: it routes findings to
// receivers, groups what arrives together (one scan of a host, an outage
// over many) into one message,
// holds back notifications during silences, maintenance windows and
// flapping, re-notifies and escalates unacknowledged findings, and writes
// every notification to the durable outbox before anything is sent
// (Dispatcher sends it).
//
// Thresholds live where the facts are: a finding opens after the policy's
// failure threshold and resolves after its success threshold
// (internal/policy), so a notification follows a finding. Message IDs are
// derived from the finding IDs ("trigger/<receiver>/<id>"), so a restart
// that re-derives a notification writes nothing new.
package alert

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/portwatch/portwatch/internal/alert/notify"
	"github.com/portwatch/portwatch/internal/model"
	"github.com/portwatch/portwatch/internal/store"
)

// Options configures an Engine.
type Options struct {
	Routes      []Route
	Maintenance []Window
	Flap        FlapOptions
	// MaxItems caps the items of one message (default 20); a bigger group
	// is split.
	MaxItems int
	// GroupWait is how long a notification waits for others of the same
	// route, receiver and event to share its message (default 1 s): a
	// scan that finds ten ports on a host, or an outage that fails five
	// hundred monitors at once, gives one message (split at MaxItems), not
	// hundreds. Flush must be called at least this often.
	GroupWait time.Duration
	// Ungrouped names receivers that get one message per finding
	// (incident-based services: PagerDuty, Opsgenie), so that each
	// finding resolves its own incident.
	Ungrouped map[string]bool
	Templates Templates
	// DashboardURL, when set, links messages to the finding's page.
	DashboardURL string
	Logger       *slog.Logger
	Now          func() time.Time
}

// Event is what one recording (one monitor run or one discovery scan)
// produced.
type Event struct {
	Opened   []model.Finding
	Resolved []model.Finding
	// States are the endpoint states the recording led to (flap detection
	// and message context).
	States []model.EndpointState
}

// Engine turns findings into outbox entries. It is safe for concurrent use.
type Engine struct {
	st      store.Alerting
	opts    Options
	router  *router
	windows []compiledWindow

	mu       sync.Mutex
	open     map[int64]*tracked // open findings by ID
	flaps    map[flapKey]*flapTracker
	states   map[flapKey]model.EndpointState
	pending  []pendingNote // waiting for GroupWait, in arrival order
	Enqueued func()        // called after entries were written (wakes the dispatcher)
}

// pendingNote is a finding waiting to be grouped into a message.
type pendingNote struct {
	t      *tracked
	event  notify.Event
	routes []int
	at     time.Time
}

type compiledWindow struct {
	Window
	matchers []compiledMatcher
}

type flapKey struct {
	ep  model.Endpoint
	loc model.Location
}

// tracked is an open finding and what was sent about it.
type tracked struct {
	f            model.Finding
	labels       Labels
	routes       []int
	notified     bool // a trigger went to the outbox
	lastNotified time.Time
	reminders    int
	escalated    bool
}

// NewEngine checks the routes and windows.
func NewEngine(st store.Alerting, opts Options) (*Engine, error) {
	if opts.MaxItems <= 0 {
		opts.MaxItems = 20
	}
	if opts.GroupWait <= 0 {
		opts.GroupWait = time.Second
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Templates.Title == nil {
		opts.Templates = DefaultTemplates()
	}
	opts.Flap = opts.Flap.withDefaults()
	r, err := newRouter(opts.Routes)
	if err != nil {
		return nil, err
	}
	e := &Engine{st: st, opts: opts, router: r, open: map[int64]*tracked{},
		flaps: map[flapKey]*flapTracker{}, states: map[flapKey]model.EndpointState{}}
	for _, w := range opts.Maintenance {
		ms, err := CompileMatchers(w.Matchers)
		if err != nil {
			return nil, fmt.Errorf("maintenance window %q: %w", w.Name, err)
		}
		e.windows = append(e.windows, compiledWindow{Window: w, matchers: ms})
	}
	return e, nil
}

// Restore loads the open findings and what the outbox says was sent about
// them, and writes the notifications a crash may have kept from being
// written: a trigger for an open finding that has none, a resolve for a
// recently resolved finding whose trigger went out. findings should hold
// the open findings and the recently resolved ones.
func (e *Engine) Restore(ctx context.Context, findings []model.Finding) error {
	sent, err := e.st.ListOutbox(ctx, store.OutboxFilter{Page: store.Page{Limit: 20000}})
	if err != nil {
		return err
	}
	triggered := map[int64]time.Time{} // finding -> newest trigger or reminder
	resolvedSent := map[int64]bool{}
	for _, en := range sent {
		ev, ids := keyFindings(en.Key)
		for _, id := range ids {
			switch ev {
			case notify.EventTrigger, notify.EventReminder:
				if en.Created.After(triggered[id]) {
					triggered[id] = en.Created
				}
			case notify.EventResolve:
				resolvedSent[id] = true
			}
		}
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	now := e.opts.Now()
	var missing []model.Finding
	var done []*tracked
	for _, f := range findings {
		at, notified := triggered[f.ID]
		if f.Open() {
			t := e.track(f)
			switch why := e.suppressed(ctx, t, now); {
			case notified:
				t.notified, t.lastNotified = true, at
			case why == "":
				missing = append(missing, f)
			}
			continue
		}
		if notified && !resolvedSent[f.ID] {
			t := &tracked{f: f, labels: FindingLabels(f), notified: true}
			t.routes = e.router.match(t.labels)
			done = append(done, t)
		}
	}
	entries := e.triggerEntries(missing, notify.EventTrigger, now)
	entries = append(entries, e.resolveEntries(done, now)...)
	if n := len(missing) + len(done); n > 0 {
		e.opts.Logger.Info("notifications restored after a restart", "triggers", len(missing), "resolves", len(done))
	}
	return e.enqueue(ctx, entries)
}

// keyFindings reads the event and finding IDs out of a message ID
// ("trigger/<receiver>/12,13", "reminder/<receiver>/12/3").
func keyFindings(key string) (notify.Event, []int64) {
	parts := strings.Split(key, "/")
	if len(parts) < 3 {
		return "", nil
	}
	ev := notify.Event(parts[0])
	switch ev {
	case notify.EventTrigger, notify.EventReminder, notify.EventResolve:
	default:
		return "", nil
	}
	var ids []int64
	for _, s := range strings.Split(parts[2], ",") {
		id, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return "", nil
		}
		ids = append(ids, id)
	}
	return ev, ids
}

// track starts tracking an open finding.
func (e *Engine) track(f model.Finding) *tracked {
	t := &tracked{f: f, labels: FindingLabels(f)}
	t.routes = e.router.match(t.labels)
	e.open[f.ID] = t
	return t
}

// Handle writes the notifications one recording calls for.
func (e *Engine) Handle(ctx context.Context, ev Event) error {
	now := e.opts.Now()
	e.mu.Lock()
	defer e.mu.Unlock()
	var entries []store.OutboxEntry
	for _, s := range ev.States {
		k := flapKey{s.Endpoint, s.Location}
		e.states[k] = s
		entries = append(entries, e.flap(k, s, now)...)
	}
	var toNotify []model.Finding
	for _, f := range ev.Opened {
		if _, ok := e.open[f.ID]; ok {
			continue
		}
		t := e.track(f)
		if why := e.suppressed(ctx, t, now); why != "" {
			e.opts.Logger.Info("notification held back", "finding", f.ID, "kind", f.Kind, "endpoint", f.Endpoint.String(), "why", why)
			continue
		}
		toNotify = append(toNotify, f)
	}
	for _, f := range toNotify {
		t := e.open[f.ID]
		t.notified, t.lastNotified = true, now
		e.pending = append(e.pending, pendingNote{t: t, event: notify.EventTrigger, routes: t.routes, at: now})
	}
	for _, f := range ev.Resolved {
		t, ok := e.open[f.ID]
		if !ok {
			continue
		}
		delete(e.open, f.ID)
		t.f = f
		if !t.notified {
			continue // nobody heard of it: nothing to resolve
		}
		if e.flapping(flapKey{f.Endpoint, f.Location}) {
			continue // the stable summary will say it
		}
		e.pending = append(e.pending, pendingNote{t: t, event: notify.EventResolve, routes: e.resolveRoutes(t), at: now})
	}
	return e.enqueue(ctx, entries)
}

// Flush writes the grouped messages whose GroupWait has passed (all of
// them with force, at shutdown).
func (e *Engine) Flush(ctx context.Context, force bool) error {
	now := e.opts.Now()
	e.mu.Lock()
	defer e.mu.Unlock()
	if len(e.pending) == 0 || (!force && now.Sub(e.pending[0].at) < e.opts.GroupWait) {
		return nil
	}
	// Everything that arrived within GroupWait of the oldest goes together.
	cut := len(e.pending)
	if !force {
		for i, p := range e.pending {
			if p.at.Sub(e.pending[0].at) > e.opts.GroupWait {
				cut = i
				break
			}
		}
	}
	batch := e.pending[:cut]
	e.pending = append([]pendingNote(nil), e.pending[cut:]...)
	var entries []store.OutboxEntry
	for _, ev := range []notify.Event{notify.EventTrigger, notify.EventResolve} {
		var ts []*tracked
		routes := map[*tracked][]int{}
		for _, p := range batch {
			if p.event == ev {
				ts = append(ts, p.t)
				routes[p.t] = p.routes
			}
		}
		entries = append(entries, e.messages(ts, ev, now, func(t *tracked) []int { return routes[t] })...)
	}
	return e.enqueue(ctx, entries)
}

// resolveRoutes are the routes of t that send resolves.
func (e *Engine) resolveRoutes(t *tracked) []int {
	var rs []int
	for _, ri := range t.routes {
		if e.opts.Routes[ri].SendResolved {
			rs = append(rs, ri)
		}
	}
	return rs
}

// suppressed says why a finding's notification is held back ("" when not).
func (e *Engine) suppressed(ctx context.Context, t *tracked, now time.Time) string {
	if len(t.routes) == 0 {
		return "no route matches"
	}
	if e.flapping(flapKey{t.f.Endpoint, t.f.Location}) {
		return "endpoint is flapping"
	}
	for _, w := range e.windows {
		if matchAll(w.matchers, t.labels) && w.active(now) {
			return "maintenance window " + w.Name
		}
	}
	silences, err := e.st.ListSilences(ctx, now)
	if err != nil {
		e.opts.Logger.Error("list silences", "err", err)
		return ""
	}
	for _, s := range silences {
		if now.Before(s.Starts) {
			continue
		}
		ms, err := CompileMatchers(s.Matchers)
		if err == nil && matchAll(ms, t.labels) {
			return "silence " + strconv.FormatInt(s.ID, 10)
		}
	}
	return ""
}

func (e *Engine) flapping(k flapKey) bool {
	f := e.flaps[k]
	return f != nil && f.flapping
}

// flap feeds flap detection and returns the flapping/stable messages.
func (e *Engine) flap(k flapKey, s model.EndpointState, now time.Time) []store.OutboxEntry {
	f := e.flaps[k]
	if f == nil {
		f = &flapTracker{}
		e.flaps[k] = f
	}
	pct, started, stopped := f.observe(e.opts.Flap, string(s.State))
	if !started && !stopped {
		return nil
	}
	labels := Labels{"endpoint": k.ep.String(), "host": k.ep.Addr.String(), "port": strconv.Itoa(int(k.ep.Port)),
		"protocol": string(k.ep.Protocol), "location": string(k.loc), "kind": "flapping", "severity": string(model.SeverityWarning)}
	// The endpoint's findings say which routes care (and add their labels).
	var items []notify.Item
	for _, t := range e.open {
		if t.f.Endpoint == k.ep && t.f.Location == k.loc {
			for name, v := range t.labels {
				if name != "kind" && name != "severity" {
					labels[name] = v
				}
			}
			items = append(items, findingItem(t.f, s))
		}
	}
	event, msg := notify.EventFlapping, fmt.Sprintf("%s is flapping: %.0f%% state changes over its last %d observations; notifications held back until it is stable",
		k.ep, pct, len(f.states))
	if stopped {
		event = notify.EventStable
		msg = fmt.Sprintf("%s is stable again (%.0f%% state changes): %d state changes while flapping, now %s", k.ep, pct, f.transitions, s.State)
	}
	e.opts.Logger.Info("flap detection", "endpoint", k.ep.String(), "event", event, "percent", pct)
	head := notify.Item{Kind: string(event), Severity: notify.SeverityWarning, Endpoint: k.ep.String(), Host: k.ep.Addr.String(),
		Port: k.ep.Port, Protocol: string(k.ep.Protocol), State: string(s.State), Reason: string(s.Reason), Since: s.Since, Message: msg}
	items = append([]notify.Item{head}, items...)
	routes := e.router.match(labels)
	var out []store.OutboxEntry
	stamp := strconv.FormatInt(now.Unix(), 10)
	for _, ri := range routes {
		rt := e.opts.Routes[ri]
		for _, rc := range rt.Receivers {
			m := notify.Message{ID: string(event) + "/" + rc + "/" + k.ep.String() + "/" + stamp, IncidentKey: "portwatch/flap/" + k.ep.String(),
				Event: event, Severity: notify.SeverityWarning, Items: items, Route: rt.Name, Location: string(k.loc), Runbook: rt.Runbook, Time: now}
			if en, ok := e.entry(m, rc); ok {
				out = append(out, en)
			}
		}
	}
	return out
}

// triggerEntries builds the messages announcing fs, grouped per route,
// receiver and host (one scan of one host: one message), split at
// MaxItems, one per finding for ungrouped receivers.
func (e *Engine) triggerEntries(fs []model.Finding, event notify.Event, now time.Time) []store.OutboxEntry {
	var ts []*tracked
	for _, f := range fs {
		t := e.open[f.ID]
		if t == nil {
			t = e.track(f)
		}
		ts = append(ts, t)
	}
	out := e.messages(ts, event, now, func(t *tracked) []int { return t.routes })
	for _, t := range ts {
		if len(t.routes) > 0 {
			t.notified, t.lastNotified = true, now
		}
	}
	return out
}

// resolveEntries builds the resolve messages of routes that send them.
func (e *Engine) resolveEntries(ts []*tracked, now time.Time) []store.OutboxEntry {
	return e.messages(ts, notify.EventResolve, now, e.resolveRoutes)
}

type groupKey struct {
	route    int
	receiver string
	finding  int64 // set for ungrouped receivers: one message per finding
}

// messages groups tracked findings into messages.
func (e *Engine) messages(ts []*tracked, event notify.Event, now time.Time, routesOf func(*tracked) []int) []store.OutboxEntry {
	groups := map[groupKey][]*tracked{}
	var order []groupKey
	for _, t := range ts {
		for _, ri := range routesOf(t) {
			for _, rc := range e.opts.Routes[ri].Receivers {
				k := groupKey{route: ri, receiver: rc}
				if e.opts.Ungrouped[rc] {
					k.finding = t.f.ID
				}
				if _, ok := groups[k]; !ok {
					order = append(order, k)
				}
				groups[k] = append(groups[k], t)
			}
		}
	}
	var out []store.OutboxEntry
	for _, k := range order {
		members := groups[k]
		// One host's findings stay together, hosts in address order.
		slices.SortStableFunc(members, func(a, b *tracked) int {
			if c := a.f.Endpoint.Addr.Compare(b.f.Endpoint.Addr); c != 0 {
				return c
			}
			return int(a.f.ID - b.f.ID)
		})
		for start := 0; start < len(members); start += e.opts.MaxItems {
			chunk := members[start:min(start+e.opts.MaxItems, len(members))]
			if en, ok := e.findingMessage(chunk, k, event, now); ok {
				out = append(out, en)
			}
		}
	}
	return out
}

// findingMessage renders one message about a group of findings.
func (e *Engine) findingMessage(ts []*tracked, k groupKey, event notify.Event, now time.Time) (store.OutboxEntry, bool) {
	rt := e.opts.Routes[k.route]
	ids := make([]string, len(ts))
	sev := notify.SeverityInfo
	labels := Labels{}
	var items []notify.Item
	for i, t := range ts {
		ids[i] = strconv.FormatInt(t.f.ID, 10)
		st := e.states[flapKey{t.f.Endpoint, t.f.Location}]
		items = append(items, findingItem(t.f, st))
		if rank(notify.Severity(t.f.Severity)) < rank(sev) {
			sev = notify.Severity(t.f.Severity)
		}
		for n, v := range t.labels {
			labels[n] = v
		}
	}
	if event == notify.EventResolve {
		sev = notify.SeverityInfo
	}
	delete(labels, "kind")
	delete(labels, "severity")
	m := notify.Message{
		ID:          string(event) + "/" + k.receiver + "/" + strings.Join(ids, ","),
		IncidentKey: incidentKey(ts[0].f.ID),
		Event:       event,
		Severity:    sev,
		Items:       items,
		Labels:      labels,
		Route:       rt.Name,
		Location:    string(ts[0].f.Location),
		Runbook:     rt.Runbook,
		Time:        now,
	}
	if event == notify.EventReminder {
		m.ID += "/" + strconv.Itoa(ts[0].reminders)
	}
	if e.opts.DashboardURL != "" {
		m.URL = strings.TrimRight(e.opts.DashboardURL, "/") + "/findings/" + ids[0]
	}
	return e.entry(m, k.receiver)
}

// entry renders m and wraps it for the outbox.
func (e *Engine) entry(m notify.Message, receiver string) (store.OutboxEntry, bool) {
	if err := e.opts.Templates.render(&m); err != nil {
		e.opts.Logger.Error("render notification", "err", err, "id", m.ID)
		return store.OutboxEntry{}, false
	}
	payload, err := marshalMessage(m)
	if err != nil {
		e.opts.Logger.Error("encode notification", "err", err, "id", m.ID)
		return store.OutboxEntry{}, false
	}
	return store.OutboxEntry{Key: m.ID, Receiver: receiver, Route: m.Route, Incident: m.IncidentKey, Event: string(m.Event),
		Payload: payload, Created: m.Time, NextAttempt: m.Time}, true
}

// Tick sends reminders and escalations that are due. Call it every few
// seconds.
func (e *Engine) Tick(ctx context.Context) error {
	now := e.opts.Now()
	e.mu.Lock()
	defer e.mu.Unlock()
	var entries []store.OutboxEntry
	ids := make([]int64, 0, len(e.open))
	for id := range e.open {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, id := range ids {
		t := e.open[id]
		if !t.notified || e.flapping(flapKey{t.f.Endpoint, t.f.Location}) {
			continue
		}
		for _, ri := range t.routes {
			rt := e.opts.Routes[ri]
			remind := rt.RepeatInterval > 0 && now.Sub(t.lastNotified) >= rt.RepeatInterval
			escalate := rt.EscalateAfter > 0 && !t.escalated && now.Sub(t.f.Opened) >= rt.EscalateAfter
			if !remind && !escalate {
				continue
			}
			by, _, err := e.st.FindingAck(ctx, t.f.ID)
			if err != nil {
				e.opts.Logger.Error("finding ack", "err", err, "finding", t.f.ID)
				continue
			}
			if by != "" {
				continue // acknowledged: no reminders, no escalation
			}
			if remind {
				t.reminders++
				t.lastNotified = now
				entries = append(entries, e.messages([]*tracked{t}, notify.EventReminder, now, func(*tracked) []int { return []int{ri} })...)
			}
			if escalate {
				t.escalated = true
				to := e.router.byName[rt.EscalateTo]
				e.opts.Logger.Warn("escalating unacknowledged finding", "finding", t.f.ID, "from", rt.Name, "to", rt.EscalateTo)
				entries = append(entries, e.messages([]*tracked{t}, notify.EventTrigger, now, func(*tracked) []int { return []int{to} })...)
			}
		}
	}
	return e.enqueue(ctx, entries)
}

// Test writes a test message to every receiver of route.
func (e *Engine) Test(ctx context.Context, route string) ([]string, error) {
	ri, ok := e.router.byName[route]
	if !ok {
		return nil, fmt.Errorf("no route %q", route)
	}
	now := e.opts.Now()
	rt := e.opts.Routes[ri]
	var entries []store.OutboxEntry
	var keys []string
	for _, rc := range rt.Receivers {
		m := notify.Message{ID: "test/" + rc + "/" + strconv.FormatInt(now.UnixNano(), 10), IncidentKey: "portwatch/test/" + rt.Name,
			Event: notify.EventTest, Severity: notify.SeverityInfo, Route: rt.Name, Runbook: rt.Runbook, Time: now,
			Items: []notify.Item{{Kind: "test", Severity: notify.SeverityInfo, Message: "portwatch test notification for route " + rt.Name, Since: now}}}
		if en, ok := e.entry(m, rc); ok {
			entries = append(entries, en)
			keys = append(keys, m.ID)
		}
	}
	return keys, e.enqueue(ctx, entries)
}

func (e *Engine) enqueue(ctx context.Context, entries []store.OutboxEntry) error {
	if len(entries) == 0 {
		return nil
	}
	n, err := e.st.Enqueue(context.WithoutCancel(ctx), entries)
	if err != nil {
		return fmt.Errorf("write notifications to the outbox: %w", err)
	}
	if n > 0 && e.Enqueued != nil {
		e.Enqueued()
	}
	return nil
}

// incidentKey is a finding's incident key for receivers that track
// incidents (PagerDuty dedup_key, Opsgenie alias).
func incidentKey(id int64) string { return "portwatch/finding/" + strconv.FormatInt(id, 10) }

func rank(s notify.Severity) int {
	switch s {
	case notify.SeverityCritical:
		return 0
	case notify.SeverityMajor:
		return 1
	case notify.SeverityWarning:
		return 2
	}
	return 3
}
