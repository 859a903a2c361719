package api

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/portwatch/portwatch/internal/alert"
	"github.com/portwatch/portwatch/internal/config"
	"github.com/portwatch/portwatch/internal/store"
)

func (s *server) listSilences(c *call) error {
	q := c.r.URL.Query()
	p, err := page(q)
	if err != nil {
		return err
	}
	if _, err := fixedSort(q, "-id"); err != nil {
		return err
	}
	all, err := boolParam(q, "all")
	if err != nil {
		return err
	}
	now := time.Now().UTC()
	if all != nil && *all {
		now = time.Time{}
	}
	ss, err := s.st.ListSilences(c.r.Context(), now)
	if err != nil {
		return fmt.Errorf("list silences: %w", err)
	}
	slices.SortFunc(ss, func(a, b store.Silence) int { return cmp.Compare(b.ID, a.ID) })
	writeJSON(c.w, http.StatusOK, memList(c.r, ss, p))
	return nil
}

// silenceRequest creates a silence. Matchers are strings
// ("host=198.18.0.20", "kind=~forbidden-port|unexpected-port") or
// objects {"name", "op", "value"}; the end is Ends or Starts+Duration.
type silenceRequest struct {
	Matchers []json.RawMessage `json:"matchers"`
	Starts   *time.Time        `json:"starts"`
	Ends     *time.Time        `json:"ends"`
	Duration string            `json:"duration"`
	Comment  string            `json:"comment"`
}

// parseMatcher reads one matcher in either form through the one
// matcher parser, config.ParseMatcher.
func parseMatcher(raw json.RawMessage) (config.Matcher, error) {
	var text string
	if err := json.Unmarshal(raw, &text); err != nil {
		var obj struct {
			Name  string `json:"name"`
			Op    string `json:"op"`
			Value string `json:"value"`
		}
		dec := json.NewDecoder(strings.NewReader(string(raw)))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&obj); err != nil {
			return config.Matcher{}, fmt.Errorf("matcher %s: want \"name=value\" or {\"name\", \"op\", \"value\"}", raw)
		}
		if !slices.Contains([]string{"=", "!=", "=~", "!~"}, obj.Op) {
			return config.Matcher{}, fmt.Errorf("matcher %s: op %q: want =, !=, =~ or !~", raw, obj.Op)
		}
		text = obj.Name + obj.Op + obj.Value
	}
	return config.ParseMatcher(text)
}

func (s *server) createSilence(c *call) error {
	var req silenceRequest
	if err := decode(c, &req); err != nil {
		return err
	}
	if len(req.Matchers) == 0 {
		return errBadRequest("matchers: at least one")
	}
	var ms []config.Matcher
	for _, raw := range req.Matchers {
		m, err := parseMatcher(raw)
		if err != nil {
			return errBadRequest("matchers: %v", err)
		}
		ms = append(ms, m)
	}
	if strings.TrimSpace(req.Comment) == "" {
		return errBadRequest("comment: required: say why")
	}
	now := time.Now().UTC()
	starts := now
	if req.Starts != nil {
		starts = req.Starts.UTC()
	}
	var ends time.Time
	switch {
	case req.Ends != nil && req.Duration != "":
		return errBadRequest("ends and duration: give one, not both")
	case req.Ends != nil:
		ends = req.Ends.UTC()
	case req.Duration != "":
		d, err := time.ParseDuration(req.Duration)
		if err != nil || d <= 0 {
			return errBadRequest("duration %q: want a positive Go duration like 2h30m", req.Duration)
		}
		ends = starts.Add(d)
	default:
		return errBadRequest("ends or duration: required")
	}
	if !ends.After(starts) || !ends.After(now) {
		return errBadRequest("ends: must be after starts and in the future")
	}
	sil := store.Silence{Matchers: alert.StoreMatchers(ms), Starts: starts, Ends: ends, CreatedBy: c.p.Actor(), Comment: req.Comment, Created: now}
	id, err := s.st.AddSilence(c.r.Context(), sil)
	if err != nil {
		return fmt.Errorf("add silence: %w", err)
	}
	sil.ID = id
	c.object = fmt.Sprintf("silence/%d", id)
	writeJSON(c.w, http.StatusCreated, sil)
	return nil
}

func (s *server) expireSilence(c *call) error {
	return endByID(c, "silence", "expire", s.st.ExpireSilence)
}

// endByID ends the record named by the path's {id} at the current time
// (expire a silence, revoke a token): 204, or 404 for an unknown ID.
func endByID(c *call, kind, verb string, end func(ctx context.Context, id int64, at time.Time) error) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	c.object = fmt.Sprintf("%s/%d", kind, id)
	err = end(c.r.Context(), id, time.Now().UTC())
	if errors.Is(err, store.ErrNotFound) {
		return errNotFound("%s %d: not found", kind, id)
	}
	if err != nil {
		return fmt.Errorf("%s %s %d: %w", verb, kind, id, err)
	}
	c.w.WriteHeader(http.StatusNoContent)
	return nil
}

// maintenanceItem is one maintenance window of the configuration.
type maintenanceItem struct {
	Name     string     `json:"name"`
	Match    []string   `json:"match"`
	Start    *time.Time `json:"start,omitempty"`
	End      *time.Time `json:"end,omitempty"`
	Schedule string     `json:"schedule,omitempty"`
	Duration string     `json:"duration,omitempty"`
	Active   bool       `json:"active"`
	Defined  string     `json:"defined"`
}

// windowActive reports whether a maintenance window covers now: a
// one-off window between its start and end, a recurring one within
// Duration of its latest firing.
func windowActive(m config.Maintenance, now time.Time) bool {
	if m.Schedule == nil {
		return !now.Before(m.Start) && now.Before(m.End)
	}
	for t := m.Schedule.Next(now.Add(-m.Duration).Add(-time.Minute)); !t.IsZero() && !t.After(now); t = m.Schedule.Next(t) {
		if now.Before(t.Add(m.Duration)) {
			return true
		}
	}
	return false
}

func (s *server) listMaintenance(c *call) error {
	q := c.r.URL.Query()
	p, err := page(q)
	if err != nil {
		return err
	}
	active, err := boolParam(q, "active")
	if err != nil {
		return err
	}
	now := time.Now()
	out := []maintenanceItem{}
	if cfg := s.d.Current().Config; cfg != nil {
		for _, m := range cfg.Maintenance {
			it := maintenanceItem{Name: m.Name, Match: []string{}, Active: windowActive(m, now), Defined: m.Pos.String()}
			for _, mt := range m.Match {
				it.Match = append(it.Match, mt.Name+mt.Op+mt.Value)
			}
			if m.Schedule != nil {
				it.Schedule, it.Duration = m.Schedule.String(), m.Duration.String()
			} else {
				st, en := m.Start, m.End
				it.Start, it.End = &st, &en
			}
			if active == nil || *active == it.Active {
				out = append(out, it)
			}
		}
	}
	writeJSON(c.w, http.StatusOK, memList(c.r, out, p))
	return nil
}

// notifierItem is a notifier without its settings (they hold secrets).
type notifierItem struct {
	Name    string `json:"name"`
	Type    string `json:"type"`
	Defined string `json:"defined"`
}

func (s *server) listNotifiers(c *call) error {
	p, err := page(c.r.URL.Query())
	if err != nil {
		return err
	}
	out := []notifierItem{}
	if cfg := s.d.Current().Config; cfg != nil {
		for _, n := range cfg.Notifiers {
			out = append(out, notifierItem{Name: n.Name, Type: n.Type, Defined: n.Pos.String()})
		}
	}
	writeJSON(c.w, http.StatusOK, memList(c.r, out, p))
	return nil
}

// outboxItem is an outbox entry with its payload as JSON.
type outboxItem struct {
	store.OutboxEntry
	Payload json.RawMessage `json:"payload"`
}

func (s *server) listOutbox(c *call) error {
	q := c.r.URL.Query()
	p, err := page(q)
	if err != nil {
		return err
	}
	if _, err := fixedSort(q, "-created"); err != nil {
		return err
	}
	f := store.OutboxFilter{Receiver: q.Get("receiver"), Incident: q.Get("incident"), Page: p.Probe()}
	if st := q.Get("state"); st != "" {
		if !slices.Contains([]store.OutboxState{store.OutboxPending, store.OutboxDelivered, store.OutboxDead}, store.OutboxState(st)) {
			return errBadRequest("state %q: want pending, delivered or dead", st)
		}
		f.State = store.OutboxState(st)
	}
	es, err := s.st.ListOutbox(c.r.Context(), f)
	if err != nil {
		return fmt.Errorf("list outbox: %w", err)
	}
	items := make([]outboxItem, len(es))
	for i, e := range es {
		items[i] = outboxItem{OutboxEntry: e, Payload: e.Payload}
		if !json.Valid(e.Payload) {
			items[i].Payload = nil
		}
	}
	writeJSON(c.w, http.StatusOK, storeList(c.r, items, p))
	return nil
}
