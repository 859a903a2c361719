package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"time"

	"github.com/portwatch/portwatch/internal/alert/notify"
	"github.com/portwatch/portwatch/internal/daemon"
	"github.com/portwatch/portwatch/internal/store"
)

// incidentScan bounds how many outbox entries, newest first, the
// incident list is built from.
const incidentScan = 10_000

// incidentEvent is one notification of an incident.
type incidentEvent struct {
	ID        int64             `json:"id"`
	Event     string            `json:"event"`
	Receiver  string            `json:"receiver"`
	Route     string            `json:"route"`
	State     store.OutboxState `json:"state"`
	Attempts  int               `json:"attempts"`
	Created   time.Time         `json:"created"`
	Done      *time.Time        `json:"done,omitempty"`
	LastError string            `json:"last_error,omitempty"`
}

// incident is the notifications sent about one incident key.
type incident struct {
	Key string `json:"key"`
	// URL is the incident's API path (the key path-escaped).
	URL       string          `json:"url"`
	Title     string          `json:"title"`
	Severity  string          `json:"severity"`
	Findings  []int64         `json:"findings"`
	Receivers []string        `json:"receivers"`
	LastEvent string          `json:"last_event"`
	First     time.Time       `json:"first"`
	Last      time.Time       `json:"last"`
	Events    []incidentEvent `json:"events"`
}

// incidentsOf groups outbox entries (newest first) by incident key,
// most recently active incident first.
func incidentsOf(entries []store.OutboxEntry) []incident {
	idx := map[string]int{}
	var out []incident
	for _, e := range entries {
		i, ok := idx[e.Incident]
		if !ok {
			i = len(out)
			idx[e.Incident] = i
			out = append(out, incident{Key: e.Incident, URL: Prefix + "/incidents/" + url.PathEscape(e.Incident),
				Findings: []int64{}, LastEvent: e.Event, Last: e.Created})
			var m notify.Message
			if json.Unmarshal(e.Payload, &m) == nil {
				out[i].Title, out[i].Severity = m.Title, string(m.Severity)
			}
		}
		in := &out[i]
		in.First = e.Created
		in.Events = append(in.Events, incidentEvent{ID: e.ID, Event: e.Event, Receiver: e.Receiver, Route: e.Route, State: e.State,
			Attempts: e.Attempts, Created: e.Created, Done: e.Done, LastError: e.LastError})
		if !slices.Contains(in.Receivers, e.Receiver) {
			in.Receivers = append(in.Receivers, e.Receiver)
		}
		var m notify.Message
		if json.Unmarshal(e.Payload, &m) == nil {
			for _, it := range m.Items {
				if it.FindingID != 0 && !slices.Contains(in.Findings, it.FindingID) {
					in.Findings = append(in.Findings, it.FindingID)
				}
			}
		}
	}
	for i := range out {
		slices.Sort(out[i].Findings)
		slices.Sort(out[i].Receivers)
	}
	return out
}

func (s *server) listIncidents(c *call) error {
	q := c.r.URL.Query()
	p, err := page(q)
	if err != nil {
		return err
	}
	if _, err := fixedSort(q, "-last"); err != nil {
		return err
	}
	open, err := boolParam(q, "open")
	if err != nil {
		return err
	}
	entries, err := s.st.ListOutbox(c.r.Context(), store.OutboxFilter{Receiver: q.Get("receiver"), Page: store.Page{Limit: incidentScan}})
	if err != nil {
		return fmt.Errorf("list outbox: %w", err)
	}
	all := incidentsOf(entries)
	if open != nil {
		all = slices.DeleteFunc(all, func(in incident) bool { return (in.LastEvent != string(notify.EventResolve)) != *open })
	}
	// Newest activity first; the key breaks ties.
	slices.SortStableFunc(all, func(a, b incident) int {
		if c := b.Last.Compare(a.Last); c != 0 {
			return c
		}
		if a.Key < b.Key {
			return -1
		}
		if a.Key > b.Key {
			return 1
		}
		return 0
	})
	writeJSON(c.w, http.StatusOK, memList(c.r, all, p))
	return nil
}

func (s *server) incident(c *call) (incident, error) {
	key := c.r.PathValue("key")
	c.object = "incident/" + key
	entries, err := s.st.ListOutbox(c.r.Context(), store.OutboxFilter{Incident: key, Page: store.Page{Limit: incidentScan}})
	if err != nil {
		return incident{}, fmt.Errorf("incident %s: %w", key, err)
	}
	if len(entries) == 0 {
		return incident{}, errNotFound("incident %q: no notification has this key", key)
	}
	return incidentsOf(entries)[0], nil
}

func (s *server) getIncident(c *call) error {
	in, err := s.incident(c)
	if err != nil {
		return err
	}
	writeJSON(c.w, http.StatusOK, in)
	return nil
}

func (s *server) ackIncident(c *call) error {
	in, err := s.incident(c)
	if err != nil {
		return err
	}
	acked := []int64{}
	for _, id := range in.Findings {
		_, err := s.d.AckFinding(c.r.Context(), id, c.p.Actor())
		if errors.Is(err, daemon.ErrNotFound) {
			continue
		}
		if err != nil {
			return err
		}
		acked = append(acked, id)
	}
	c.detail = fmt.Sprintf("findings %v", acked)
	writeJSON(c.w, http.StatusOK, map[string]any{"key": in.Key, "acked_findings": acked})
	return nil
}
