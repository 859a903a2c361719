package policy

import (
	"cmp"
	"maps"
	"net/netip"
	"slices"

	"github.com/portwatch/portwatch/internal/model"
)

// Engine evaluates the groups and monitors of one configuration. It is
// immutable after NewEngine, so it is safe for concurrent use; a config
// reload builds a new Engine.
type Engine struct {
	groups   []compiledGroup
	monitors map[model.Endpoint][]Monitor
	labels   map[string]map[string]string // group name -> labels
}

// NewEngine compiles groups and monitors. The slices are not retained.
func NewEngine(groups []Group, monitors []Monitor) *Engine {
	e := &Engine{
		groups:   make([]compiledGroup, 0, len(groups)),
		monitors: make(map[model.Endpoint][]Monitor, len(monitors)),
		labels:   make(map[string]map[string]string, len(groups)),
	}
	for _, g := range groups {
		e.groups = append(e.groups, compileGroup(g))
		e.labels[g.Name] = g.Labels
	}
	for _, m := range monitors {
		m.Endpoint.Addr = m.Endpoint.Addr.Unmap()
		e.monitors[m.Endpoint] = append(e.monitors[m.Endpoint], m)
	}
	return e
}

// outcome is what one rule says about one endpoint state.
type outcome int

const (
	holds    outcome = iota // the rule is satisfied: an open finding resolves
	violated                // the rule is broken: a finding opens if none is
	unknown                 // cannot tell (no service identified, below threshold): leave as is
)

// verdict is one rule's outcome for one endpoint state.
type verdict struct {
	outcome outcome
	finding model.Finding // Kind, Rule and, when violated, everything else
}

func (v verdict) key() model.FindingKey { return v.finding.Key() }

// Evaluate applies every rule that concerns state's endpoint and returns
// the findings to open (not already in open) and the keys of open findings
// to resolve. open holds the currently open findings by key; passing only
// those of state's endpoint and location is enough and cheapest. A finding
// of a kind this package raises, for this endpoint and location, whose
// rule no longer exists (a config reload removed it) is resolved too.
// Opened findings carry Opened = state.LastSeen; the caller stamps the
// resolution time (state.LastSeen) and assigns IDs. changes is accepted
// for the daemon's convenience but not needed: every rule is a function
// of the state, so re-evaluating the same state is idempotent.
func (e *Engine) Evaluate(state model.EndpointState, changes []model.Change, open map[model.FindingKey]model.Finding) (opened []model.Finding, resolved []model.FindingKey) {
	_ = changes
	verdicts := e.verdicts(state)
	for _, v := range verdicts {
		if v.outcome != violated {
			continue
		}
		if _, ok := open[v.key()]; !ok {
			opened = append(opened, v.finding)
		}
	}
	for k := range open {
		if k.Endpoint != state.Endpoint || k.Location != state.Location || !ownKind(k.Kind) {
			continue
		}
		i := slices.IndexFunc(verdicts, func(v verdict) bool { return v.key() == k })
		if i < 0 || verdicts[i].outcome == holds {
			resolved = append(resolved, k)
		}
	}
	slices.SortFunc(resolved, func(a, b model.FindingKey) int {
		return cmp.Or(cmp.Compare(a.Kind, b.Kind), cmp.Compare(a.Rule, b.Rule))
	})
	return opened, resolved
}

// verdicts returns the outcome of every rule concerning state's endpoint,
// groups first (in config order), then monitors.
func (e *Engine) verdicts(state model.EndpointState) []verdict {
	var out []verdict
	addr := state.Endpoint.Addr.Unmap()
	for i := range e.groups {
		g := &e.groups[i]
		if g.contains(addr) {
			out = g.verdicts(state, out)
		}
	}
	ep := state.Endpoint
	ep.Addr = addr
	for _, m := range e.monitors[ep] {
		out = append(out, monitorVerdict(m, state, e.labels[m.Group]))
		out = latencyVerdicts(m, state, e.labels[m.Group], out)
	}
	return out
}

// ownKind reports whether this package raises findings of kind k.
func ownKind(k model.FindingKind) bool {
	switch k {
	case model.FindingForbiddenPort, model.FindingUnexpectedPort, model.FindingExpectedOpenDown,
		model.FindingExpectedClosedOpen, model.FindingUnexpectedService, model.FindingSlowResponse:
		return true
	}
	return false
}

// newFinding fills the fields every finding shares.
func newFinding(kind model.FindingKind, rule string, state model.EndpointState, labels map[string]string, msg string) model.Finding {
	return model.Finding{
		Kind:     kind,
		Severity: SeverityOf(kind),
		Endpoint: state.Endpoint,
		Location: state.Location,
		Rule:     rule,
		Message:  msg,
		Labels:   maps.Clone(labels),
		Opened:   state.LastSeen,
	}
}

// GroupsOf returns the names of the groups addr belongs to, in
// configuration order (nil when none).
func (e *Engine) GroupsOf(addr netip.Addr) []string {
	var names []string
	for i := range e.groups {
		if e.groups[i].contains(addr) {
			names = append(names, e.groups[i].Name)
		}
	}
	return names
}

// GroupLabels returns the labels of a group (nil for an unknown group).
// The map is shared: do not modify it.
func (e *Engine) GroupLabels(group string) map[string]string { return e.labels[group] }

// MonitorsOf returns the monitors of an endpoint (nil when none).
func (e *Engine) MonitorsOf(ep model.Endpoint) []Monitor {
	ep.Addr = ep.Addr.Unmap()
	return e.monitors[ep]
}
