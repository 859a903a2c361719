package api

import (
	"cmp"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/portwatch/portwatch/internal/daemon"
	"github.com/portwatch/portwatch/internal/store"
	"github.com/portwatch/portwatch/internal/view"
)

var monitorSorts = []string{"name", "host", "port", "source", "interval", "group"}

func compareMonitors(a, b *daemon.MonitorInfo, so view.Sort) int {
	for _, k := range so {
		var c int
		switch k.Key {
		case "name":
			c = cmp.Compare(a.Name, b.Name)
		case "host":
			c = cmp.Compare(a.Host, b.Host)
		case "port":
			c = cmp.Compare(a.Port, b.Port)
		case "source":
			c = cmp.Compare(a.Source, b.Source)
		case "interval":
			c = cmp.Compare(a.Interval, b.Interval)
		case "group":
			c = cmp.Compare(a.Group, b.Group)
		}
		if k.Desc {
			c = -c
		}
		if c != 0 {
			return c
		}
	}
	return cmp.Compare(a.Name, b.Name) // names are unique
}

// matchMonitor applies q (name, host), group, label and source.
func matchMonitor(m *daemon.MonitorInfo, q url.Values) bool {
	if t := strings.ToLower(q.Get("q")); t != "" && !strings.Contains(strings.ToLower(m.Name+" "+m.Host), t) {
		return false
	}
	if g := q.Get("group"); g != "" && m.Group != g {
		return false
	}
	if src := q.Get("source"); src != "" && m.Source != src {
		return false
	}
	for _, l := range q["label"] {
		k, v, _ := strings.Cut(l, "=")
		if m.Labels[k] != v {
			return false
		}
	}
	return true
}

func (s *server) listMonitors(c *call) error {
	q := c.r.URL.Query()
	p, err := page(q)
	if err != nil {
		return err
	}
	so, err := parseSort(q, monitorSorts, "name")
	if err != nil {
		return err
	}
	if src := q.Get("source"); src != "" && src != "config" && src != "api" {
		return errBadRequest("source %q: want config or api", src)
	}
	for _, l := range q["label"] {
		if k, _, ok := strings.Cut(l, "="); !ok || k == "" {
			return errBadRequest("label %q: want key=value", l)
		}
	}
	var out []daemon.MonitorInfo
	for _, m := range s.d.Current().Monitors {
		if matchMonitor(&m, q) {
			out = append(out, m)
		}
	}
	slices.SortStableFunc(out, func(a, b daemon.MonitorInfo) int { return compareMonitors(&a, &b, so) })
	writeJSON(c.w, http.StatusOK, memList(c.r, out, p))
	return nil
}

func (s *server) monitor(name string) (daemon.MonitorInfo, bool) {
	for _, m := range s.d.Current().Monitors {
		if m.Name == name {
			return m, true
		}
	}
	return daemon.MonitorInfo{}, false
}

func (s *server) getMonitor(c *call) error {
	name := c.r.PathValue("name")
	m, ok := s.monitor(name)
	if !ok {
		return errNotFound("monitor %q: not found", name)
	}
	writeJSON(c.w, http.StatusOK, m)
	return nil
}

func (s *server) createMonitor(c *call) error {
	spec, err := readBody(c)
	if err != nil {
		return err
	}
	var named struct {
		Name string `json:"name"`
	}
	_ = json.Unmarshal(spec, &named)
	if named.Name != "" {
		c.object = "monitor/" + named.Name
		if m, ok := s.monitor(named.Name); ok {
			return errConflict("monitor %q: name taken (defined in %s)", m.Name, m.Defined)
		}
	}
	mi, err := s.d.AddMonitor(c.r.Context(), spec, c.p.Actor())
	var inv *daemon.InvalidError
	switch {
	case errors.As(err, &inv):
		return newError(http.StatusBadRequest, "invalid", "%v", inv.Err)
	case errors.Is(err, store.ErrConflict):
		return errConflict("monitor %q: name taken", named.Name)
	case err != nil:
		return err
	}
	c.object = "monitor/" + mi.Name
	writeJSON(c.w, http.StatusCreated, mi)
	return nil
}

func (s *server) deleteMonitor(c *call) error {
	name := c.r.PathValue("name")
	c.object = "monitor/" + name
	m, ok := s.monitor(name)
	if !ok {
		return errNotFound("monitor %q: not found", name)
	}
	if m.Source != "api" {
		return errConflict("monitor %q is defined in %s; edit the file", name, m.Defined)
	}
	err := s.d.DeleteMonitor(c.r.Context(), name)
	if errors.Is(err, daemon.ErrNotFound) {
		return errNotFound("monitor %q: not found", name)
	}
	if err != nil {
		return err
	}
	c.w.WriteHeader(http.StatusNoContent)
	return nil
}

// groupItem is one group of the configuration.
type groupItem struct {
	Name           string            `json:"name"`
	Targets        []string          `json:"targets"`
	Labels         map[string]string `json:"labels,omitempty"`
	InternetFacing bool              `json:"internet_facing"`
	Defined        string            `json:"defined"`
}

func (s *server) targets(c *call) error {
	snap := s.d.Current()
	out := struct {
		Scope     []string         `json:"scope"`
		Groups    []groupItem      `json:"groups"`
		Discovery []daemon.JobInfo `json:"discovery"`
	}{Scope: []string{}, Groups: []groupItem{}, Discovery: snap.Jobs}
	if out.Discovery == nil {
		out.Discovery = []daemon.JobInfo{}
	}
	if cfg := snap.Config; cfg != nil {
		out.Scope = append(out.Scope, cfg.Scope...)
		for _, g := range cfg.Groups {
			out.Groups = append(out.Groups, groupItem{Name: g.Name, Targets: g.Targets, Labels: g.Labels, InternetFacing: g.InternetFacing, Defined: g.Pos.String()})
		}
	}
	writeJSON(c.w, http.StatusOK, out)
	return nil
}
