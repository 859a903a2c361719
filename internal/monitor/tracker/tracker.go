// Package tracker turns observations into the current state of each
// endpoint at each location and the changes between states. It is pure
// logic: no I/O, no clock (time comes from the observations), so the
// daemon restores it from the store at start-up and persists what it
// returns.
package tracker

import (
	"sync"

	"github.com/portwatch/portwatch/internal/fingerprint"
	"github.com/portwatch/portwatch/internal/model"
)

// key identifies one tracked endpoint at one vantage point.
type key struct {
	ep  model.Endpoint
	loc model.Location
}

// Tracker keeps the last known model.EndpointState per (endpoint,
// location) in memory. It is safe for concurrent use; the daemon calls
// Observe from one goroutine, so the mutex is uncontended there.
type Tracker struct {
	mu     sync.Mutex
	states map[key]*model.EndpointState
}

// New returns a tracker holding the given states, as restored from the
// store, so that a restart invents no changes: the first observation after
// it is compared with the persisted state, not treated as a first sighting.
func New(initial []model.EndpointState) *Tracker {
	t := &Tracker{states: make(map[key]*model.EndpointState, len(initial))}
	for _, s := range initial {
		s.Service = cloneService(s.Service)
		t.states[key{s.Endpoint, s.Location}] = &s
	}
	return t
}

// Observe applies one observation and returns the endpoint's new state and
// the changes it caused (nil when nothing changed). An observation older
// than the state's LastSeen (delivered out of order) is ignored: the
// current state is returned unmodified with no changes. One of the same
// time is applied (it is a new check, not a replay).
func (t *Tracker) Observe(o model.Observation) (model.EndpointState, []model.Change) {
	t.mu.Lock()
	defer t.mu.Unlock()
	k := key{o.Endpoint, o.Location}
	s, ok := t.states[k]
	if !ok {
		s = firstSighting(o)
		t.states[k] = s
		return snapshot(s), firstChanges(o)
	}
	if o.Time.Before(s.LastSeen) {
		return snapshot(s), nil
	}
	if identified(s.Service) && !identified(o.Service) {
		// A probe that failed to identify this time (a timeout, a busy
		// server) says nothing new: it must not replace what was known,
		// nor count as a service change.
		o.Service = nil
	}
	changes := stateChanges(s, o)
	changes = append(changes, serviceChanges(s.Service, o)...)
	apply(s, o)
	return snapshot(s), changes
}

// identified reports a service that was really recognised, not guessed
// from the port number or left unknown.
func identified(s *fingerprint.Service) bool {
	return s != nil && s.Name != "" && s.Name != "unknown" &&
		s.Method != fingerprint.MethodPortHint && s.Confidence >= fingerprint.ConfidenceLikely
}

// State returns the current state of one endpoint at one location.
func (t *Tracker) State(ep model.Endpoint, loc model.Location) (model.EndpointState, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	s, ok := t.states[key{ep, loc}]
	if !ok {
		return model.EndpointState{}, false
	}
	return snapshot(s), true
}

// Len returns how many (endpoint, location) pairs are tracked.
func (t *Tracker) Len() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return len(t.states)
}

// States returns a copy of every tracked state, in no particular order.
func (t *Tracker) States() []model.EndpointState {
	t.mu.Lock()
	defer t.mu.Unlock()
	out := make([]model.EndpointState, 0, len(t.states))
	for _, s := range t.states {
		out = append(out, snapshot(s))
	}
	return out
}

// firstSighting builds the state of an endpoint never observed before.
func firstSighting(o model.Observation) *model.EndpointState {
	return &model.EndpointState{
		Endpoint:    o.Endpoint,
		Location:    o.Location,
		State:       o.State,
		Reason:      o.Reason,
		Since:       o.Time,
		FirstSeen:   o.Time,
		LastSeen:    o.Time,
		Consecutive: 1,
		LastRTT:     o.RTT,
		Service:     cloneService(o.Service),
	}
}

// apply folds an in-order observation into an existing state.
func apply(s *model.EndpointState, o model.Observation) {
	if o.State == s.State {
		s.Consecutive++
	} else {
		s.State = o.State
		s.Since = o.Time
		s.Consecutive = 1
	}
	s.Reason = o.Reason
	s.LastSeen = o.Time
	s.LastRTT = o.RTT
	// Without -sV the observation says nothing about the service: keep the
	// last one known rather than treating it as removed.
	if o.Service != nil {
		s.Service = cloneService(o.Service)
	}
}

// snapshot copies a state so callers never share the tracker's memory.
// The Service pointer is shared: the tracker never mutates a stored
// Service (it replaces it with a fresh clone), so sharing is safe as long
// as callers treat it as read-only.
func snapshot(s *model.EndpointState) model.EndpointState { return *s }
