package daemon

import (
	"context"
	"log/slog"
	"sync"
	"sync/atomic"

	"github.com/portwatch/portwatch/internal/model"
	"github.com/portwatch/portwatch/internal/monitor/tracker"
	"github.com/portwatch/portwatch/internal/policy"
	"github.com/portwatch/portwatch/internal/store"
)

// recorder turns observations into history: the tracker says what state
// and changes an observation leads to, the writer commits observation,
// state and changes in one transaction, and the policy engine opens and
// resolves findings, which are written at once (they are rare and must
// not wait for a batch).
type recorder struct {
	st      store.Store
	writer  *store.Writer
	tracker *tracker.Tracker
	log     *slog.Logger

	// mu serialises observe-and-submit, so states reach the writer in the
	// order the tracker applied them.
	mu sync.Mutex

	fmu  sync.Mutex // guards open
	open map[endpointKey]map[model.FindingKey]model.Finding

	// onFindings is told what each recording opened and resolved (the
	// alert engine); optional.
	onFindings func(ctx context.Context, opened, resolved []model.Finding, states []model.EndpointState)

	observations atomic.Uint64 // handed to the writer
	changes      atomic.Uint64
	findingsOpen atomic.Int64
	storeErrors  atomic.Uint64
}

type endpointKey struct {
	ep  model.Endpoint
	loc model.Location
}

// newRecorder restores the tracker and the open findings from the store.
func newRecorder(ctx context.Context, st store.Store, writer *store.Writer, log *slog.Logger) (*recorder, error) {
	states, err := st.ListStates(ctx, store.StateFilter{})
	if err != nil {
		return nil, err
	}
	findings, err := st.ListFindings(ctx, store.FindingFilter{OpenOnly: true})
	if err != nil {
		return nil, err
	}
	r := &recorder{st: st, writer: writer, tracker: tracker.New(states), log: log,
		open: map[endpointKey]map[model.FindingKey]model.Finding{}}
	for _, f := range findings {
		r.index(f)
	}
	log.Info("state restored", "endpoints", len(states), "open_findings", len(findings))
	return r, nil
}

func (r *recorder) index(f model.Finding) {
	k := endpointKey{f.Endpoint, f.Location}
	m := r.open[k]
	if m == nil {
		m = map[model.FindingKey]model.Finding{}
		r.open[k] = m
	}
	if _, ok := m[f.Key()]; !ok {
		r.findingsOpen.Add(1)
	}
	m[f.Key()] = f
}

func (r *recorder) unindex(k model.FindingKey) {
	ek := endpointKey{k.Endpoint, k.Location}
	if m := r.open[ek]; m != nil {
		if _, ok := m[k]; ok {
			r.findingsOpen.Add(-1)
			delete(m, k)
		}
		if len(m) == 0 {
			delete(r.open, ek)
		}
	}
}

// openFindings copies every open finding, in no particular order.
func (r *recorder) openFindings() []model.Finding {
	r.fmu.Lock()
	defer r.fmu.Unlock()
	var out []model.Finding
	for _, m := range r.open {
		for _, f := range m {
			out = append(out, f)
		}
	}
	return out
}

// openFor copies the open findings of one endpoint and location.
func (r *recorder) openFor(k endpointKey) map[model.FindingKey]model.Finding {
	r.fmu.Lock()
	defer r.fmu.Unlock()
	m := r.open[k]
	if len(m) == 0 {
		return nil
	}
	out := make(map[model.FindingKey]model.Finding, len(m))
	for fk, f := range m {
		out[fk] = f
	}
	return out
}

// record commits observations and evaluates eng's rules on the states
// they lead to. It returns once the batch is queued (not committed).
func (r *recorder) record(ctx context.Context, eng *policy.Engine, obs []model.Observation) {
	if len(obs) == 0 {
		return
	}
	var b store.Batch
	r.mu.Lock()
	for _, o := range obs {
		s, ch := r.tracker.Observe(o)
		b.Observations = append(b.Observations, o)
		b.States = append(b.States, s)
		b.Changes = append(b.Changes, ch...)
	}
	err := r.writer.Submit(ctx, b)
	r.mu.Unlock()
	if err != nil {
		r.storeErrors.Add(1)
		r.log.Error("queue observations", "err", err, "observations", len(obs))
		return
	}
	r.observations.Add(uint64(len(b.Observations)))
	r.changes.Add(uint64(len(b.Changes)))
	for _, c := range b.Changes {
		r.log.Info("change", "endpoint", c.Endpoint.String(), "location", c.Location, "kind", c.Kind, "from", c.From, "to", c.To)
	}
	if eng == nil {
		return
	}
	var ev findingEvents
	for _, s := range b.States {
		r.evaluate(ctx, eng, s, b.Changes, &ev)
	}
	if r.onFindings != nil {
		r.onFindings(ctx, ev.opened, ev.resolved, b.States)
	}
}

// findingEvents collects the findings one recording opened and resolved.
type findingEvents struct {
	opened, resolved []model.Finding
}

// evaluate opens and resolves the findings of one endpoint's state.
func (r *recorder) evaluate(ctx context.Context, eng *policy.Engine, s model.EndpointState, changes []model.Change, ev *findingEvents) {
	k := endpointKey{s.Endpoint, s.Location}
	open := r.openFor(k)
	opened, resolved := eng.Evaluate(s, changes, open)
	for _, f := range opened {
		got, created, err := r.st.OpenFinding(ctx, f)
		if err != nil {
			r.storeErrors.Add(1)
			r.log.Error("open finding", "err", err, "endpoint", f.Endpoint.String(), "kind", f.Kind)
			continue
		}
		r.fmu.Lock()
		r.index(got)
		r.fmu.Unlock()
		if created {
			ev.opened = append(ev.opened, got)
			r.log.Warn("finding opened", "id", got.ID, "severity", got.Severity, "kind", got.Kind,
				"endpoint", got.Endpoint.String(), "rule", got.Rule, "message", got.Message)
		}
	}
	for _, fk := range resolved {
		ok, err := r.st.ResolveFinding(ctx, fk, s.LastSeen)
		if err != nil {
			r.storeErrors.Add(1)
			r.log.Error("resolve finding", "err", err, "endpoint", fk.Endpoint.String(), "kind", fk.Kind)
			continue
		}
		r.fmu.Lock()
		r.unindex(fk)
		r.fmu.Unlock()
		if ok {
			if f, known := open[fk]; known {
				at := s.LastSeen
				f.Resolved = &at
				ev.resolved = append(ev.resolved, f)
			}
			r.log.Info("finding resolved", "kind", fk.Kind, "endpoint", fk.Endpoint.String(), "rule", fk.Rule)
		}
	}
}

// reevaluate applies eng to every known state: after a reload, rules
// that appeared or disappeared open or resolve findings at once instead
// of at the endpoint's next observation.
func (r *recorder) reevaluate(ctx context.Context, eng *policy.Engine) {
	var ev findingEvents
	states := r.tracker.States()
	for _, s := range states {
		if ctx.Err() != nil {
			return
		}
		r.evaluate(ctx, eng, s, nil, &ev)
	}
	if r.onFindings != nil && len(ev.opened)+len(ev.resolved) > 0 {
		r.onFindings(ctx, ev.opened, ev.resolved, nil)
	}
}

// known reports whether the tracker has a state for ep at loc.
func (r *recorder) known(ep model.Endpoint, loc model.Location) bool {
	_, ok := r.tracker.State(ep, loc)
	return ok
}
