package config

import (
	"fmt"
	"regexp"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// Notifier is one receiver of notifications: a provider type and its
// settings. The keys each type takes are checked when the daemon builds
// the notifier (docs/notifiers.md); `portwatch config validate` does the
// same.
type Notifier struct {
	Name string
	Type string
	// Settings are the provider's scalar keys (url, secret, ...), with
	// ${ENV} expanded; Lists its list keys (to, responders); Maps its
	// mapping keys (headers).
	Settings map[string]string
	Lists    map[string][]string
	Maps     map[string]map[string]string
	// KeyPos is where each key was written, for the provider's errors.
	KeyPos map[string]Pos
	Pos    Pos
}

// NotifierTypes are the provider types a notifier may have.
var NotifierTypes = []string{"webhook", "slack", "teams", "pagerduty", "opsgenie", "email", "syslog", "shoutrrr"}

// Matcher matches one label: Op is =, !=, =~ or !~ (regular expressions
// anchored at both ends).
type Matcher struct {
	Name, Op, Value string
}

// Route sends matching findings to receivers (alerting, docs/alerting.md).
type Route struct {
	Name           string
	Match          []Matcher
	Receivers      []string
	Continue       bool
	SendResolved   bool
	RepeatInterval time.Duration
	EscalateAfter  time.Duration
	EscalateTo     string
	Runbook        string
	Pos            Pos
}

// Alerting holds the alert engine's settings.
type Alerting struct {
	GroupWait     time.Duration // default 1s
	MaxItems      int           // default 20
	FlapWindow    int           // default 21
	FlapHigh      float64       // percent, default 50
	FlapLow       float64       // percent, default 25
	DashboardURL  string
	TitleTemplate string
	TextTemplate  string
	// RetryBase and RetryMax bound the outbox's back-off between attempts
	// (defaults 2s and 60s); RetryFor gives a notification up (default 24h).
	RetryBase, RetryMax, RetryFor time.Duration
	Pos                           Pos
}

// Maintenance is a maintenance window: one-off (Start/End) or recurring
// (Schedule fires, the window lasts Duration).
type Maintenance struct {
	Name     string
	Match    []Matcher
	Start    time.Time
	End      time.Time
	Schedule *Schedule
	Duration time.Duration
	Pos      Pos
}

// Default alerting values.
const (
	DefaultGroupWait = time.Second
	DefaultMaxItems  = 20
)

var namePattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]*$`)

// ParseMatcher parses "name=value", "name!=value", "name=~regex" or
// "name!~regex".
func ParseMatcher(s string) (Matcher, error) {
	for _, op := range []string{"=~", "!~", "!=", "="} {
		i := strings.Index(s, op)
		if i <= 0 {
			continue
		}
		m := Matcher{Name: strings.TrimSpace(s[:i]), Op: op, Value: strings.TrimSpace(s[i+len(op):])}
		if m.Name == "" {
			break
		}
		if op == "=~" || op == "!~" {
			if _, err := regexp.Compile("^(?:" + m.Value + ")$"); err != nil {
				return m, fmt.Errorf("matcher %q: %v", s, err)
			}
		}
		return m, nil
	}
	return Matcher{}, fmt.Errorf("matcher %q: want name=value, name!=value, name=~regex or name!~regex", s)
}

func (d *decoder) matchers(n *yaml.Node, entity, key string) []Matcher {
	var out []Matcher
	for _, item := range d.strList(n, entity, key) {
		m, err := ParseMatcher(item)
		if err != nil {
			d.errorf(n, entity, "%s: %v", key, err)
			continue
		}
		out = append(out, m)
	}
	return out
}

func (d *decoder) name(v *yaml.Node, entity string) {
	if s, ok := d.str(v, entity, "name"); ok && !namePattern.MatchString(s) {
		d.errorf(v, entity, "name %q: use letters, digits, '.', '_' and '-'", s)
	}
}

func decodeNotifier(d *decoder, n *yaml.Node, index int) Notifier {
	name, entity := d.entityName(n, "notifier", "name", index)
	nt := Notifier{Name: name, Settings: map[string]string{}, Lists: map[string][]string{}, Maps: map[string]map[string]string{},
		KeyPos: map[string]Pos{}, Pos: d.pos(n)}
	if n.Kind != yaml.MappingNode {
		d.errorf(n, entity, "want a mapping, got %s", kindName(n))
		return nt
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		key := k.Value
		nt.KeyPos[key] = d.pos(v)
		switch key {
		case "name":
			d.name(v, entity)
		case "type":
			if s, ok := d.oneOf(v, entity, "type", NotifierTypes...); ok {
				nt.Type = s
			}
		default:
			switch v.Kind {
			case yaml.SequenceNode:
				nt.Lists[key] = d.strList(v, entity, key)
			case yaml.MappingNode:
				nt.Maps[key] = d.labels(v, entity, key)
			default:
				if s, ok := d.str(v, entity, key); ok {
					nt.Settings[key] = s
				}
			}
		}
	}
	if name == "" {
		d.errorf(n, entity, "name is required")
	}
	if mapValue(n, "type") == nil {
		d.errorf(n, entity, "type is required (one of %s)", strings.Join(NotifierTypes, ", "))
	}
	return nt
}

// routeSrc keeps positions for the cross-checks.
type routeSrc struct {
	r           Route
	entity      string
	receiverPos Pos
	escalatePos Pos
}

func decodeRoute(d *decoder, n *yaml.Node, index int) routeSrc {
	name, entity := d.entityName(n, "route", "name", index)
	src := routeSrc{entity: entity, r: Route{Name: name, SendResolved: true, Pos: d.pos(n)}}
	r := &src.r
	d.fields(n, entity, map[string]func(*yaml.Node){
		"name":  func(v *yaml.Node) { d.name(v, entity) },
		"match": func(v *yaml.Node) { r.Match = d.matchers(v, entity, "match") },
		"receivers": func(v *yaml.Node) {
			r.Receivers, src.receiverPos = d.strList(v, entity, "receivers"), d.pos(v)
		},
		"continue":      func(v *yaml.Node) { r.Continue = d.boolean(v, entity, "continue") },
		"send_resolved": func(v *yaml.Node) { r.SendResolved = d.boolean(v, entity, "send_resolved") },
		"repeat_interval": func(v *yaml.Node) {
			if x, ok := d.duration(v, entity, "repeat_interval"); ok {
				r.RepeatInterval = x
			}
		},
		"escalate_after": func(v *yaml.Node) {
			if x, ok := d.duration(v, entity, "escalate_after"); ok {
				r.EscalateAfter = x
			}
		},
		"escalate_to": func(v *yaml.Node) {
			if s, ok := d.str(v, entity, "escalate_to"); ok {
				r.EscalateTo, src.escalatePos = s, d.pos(v)
			}
		},
		"runbook": func(v *yaml.Node) {
			if s, ok := d.str(v, entity, "runbook"); ok {
				r.Runbook = s
			}
		},
	})
	if name == "" {
		d.errorf(n, entity, "name is required")
	}
	if len(r.Receivers) == 0 && mapValue(n, "receivers") == nil {
		d.errorf(n, entity, "receivers is required")
	}
	if (r.EscalateAfter > 0) != (r.EscalateTo != "") {
		d.errorf(n, entity, "escalate_after and escalate_to go together")
	}
	return src
}

func (dr *draft) addAlerting(d *decoder, n *yaml.Node) {
	const entity = "alerting"
	if dr.alerting != nil {
		d.errorf(n, entity, "section repeated (first at %s)", dr.alerting.Pos)
		return
	}
	a := &Alerting{GroupWait: DefaultGroupWait, MaxItems: DefaultMaxItems, FlapWindow: 21, FlapHigh: 50, FlapLow: 25, Pos: d.pos(n)}
	dr.alerting = a
	d.fields(n, entity, map[string]func(*yaml.Node){
		"group_wait": func(v *yaml.Node) {
			if x, ok := d.duration(v, entity, "group_wait"); ok {
				a.GroupWait = x
			}
		},
		"max_items": func(v *yaml.Node) {
			if x, ok := d.integer(v, entity, "max_items", 1, 500); ok {
				a.MaxItems = x
			}
		},
		"flap_window": func(v *yaml.Node) {
			if x, ok := d.integer(v, entity, "flap_window", 6, 1000); ok {
				a.FlapWindow = x
			}
		},
		"flap_high": func(v *yaml.Node) {
			if x, ok := d.integer(v, entity, "flap_high", 1, 100); ok {
				a.FlapHigh = float64(x)
			}
		},
		"flap_low": func(v *yaml.Node) {
			if x, ok := d.integer(v, entity, "flap_low", 1, 100); ok {
				a.FlapLow = float64(x)
			}
		},
		"dashboard_url": func(v *yaml.Node) {
			if s, ok := d.str(v, entity, "dashboard_url"); ok {
				a.DashboardURL = s
			}
		},
		"title_template": func(v *yaml.Node) {
			if s, ok := d.str(v, entity, "title_template"); ok {
				a.TitleTemplate = s
			}
		},
		"text_template": func(v *yaml.Node) {
			if s, ok := d.str(v, entity, "text_template"); ok {
				a.TextTemplate = s
			}
		},
		"retry_base": func(v *yaml.Node) {
			if x, ok := d.duration(v, entity, "retry_base"); ok {
				a.RetryBase = x
			}
		},
		"retry_max": func(v *yaml.Node) {
			if x, ok := d.duration(v, entity, "retry_max"); ok {
				a.RetryMax = x
			}
		},
		"retry_for": func(v *yaml.Node) {
			if x, ok := d.duration(v, entity, "retry_for"); ok {
				a.RetryFor = x
			}
		},
	})
	if a.RetryBase > 0 && a.RetryMax > 0 && a.RetryMax < a.RetryBase {
		d.errorf(n, entity, "retry_max %s is below retry_base %s", a.RetryMax, a.RetryBase)
	}
	if a.FlapLow >= a.FlapHigh {
		d.errorf(n, entity, "flap_low %.0f must be below flap_high %.0f", a.FlapLow, a.FlapHigh)
	}
}

func decodeMaintenance(d *decoder, n *yaml.Node, index int) Maintenance {
	name, entity := d.entityName(n, "maintenance window", "name", index)
	m := Maintenance{Name: name, Pos: d.pos(n)}
	ok := d.fields(n, entity, map[string]func(*yaml.Node){
		"name":  func(v *yaml.Node) { d.name(v, entity) },
		"match": func(v *yaml.Node) { m.Match = d.matchers(v, entity, "match") },
		"start": func(v *yaml.Node) { m.Start = d.timestamp(v, entity, "start") },
		"end":   func(v *yaml.Node) { m.End = d.timestamp(v, entity, "end") },
		"schedule": func(v *yaml.Node) {
			if s, ok := d.str(v, entity, "schedule"); ok {
				sc, err := ParseSchedule(s)
				if err != nil {
					d.errorf(v, entity, "schedule: %v", err)
					return
				}
				m.Schedule = sc
			}
		},
		"duration": func(v *yaml.Node) {
			if x, ok := d.duration(v, entity, "duration"); ok {
				m.Duration = x
			}
		},
	})
	if !ok {
		return m
	}
	if name == "" {
		d.errorf(n, entity, "name is required")
	}
	if len(m.Match) == 0 {
		d.errorf(n, entity, "match is required (a window over everything is a silence: `portwatch silence add`)")
	}
	oneOff := !m.Start.IsZero() || !m.End.IsZero()
	switch {
	case oneOff && m.Schedule != nil:
		d.errorf(n, entity, "give either start and end, or schedule and duration")
	case oneOff && (m.Start.IsZero() || m.End.IsZero() || !m.End.After(m.Start)):
		d.errorf(n, entity, "a one-off window needs start before end")
	case !oneOff && (m.Schedule == nil || m.Duration <= 0):
		d.errorf(n, entity, "a recurring window needs schedule and a positive duration")
	}
	return m
}

func (d *decoder) timestamp(v *yaml.Node, entity, key string) time.Time {
	s, ok := d.str(v, entity, key)
	if !ok {
		return time.Time{}
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		d.errorf(v, entity, "%s: %q is not an RFC 3339 time (2026-11-22T02:00:00Z)", key, s)
		return time.Time{}
	}
	return t
}

// buildAlerting checks names and references between notifiers, routes
// and maintenance windows.
func (dr *draft) buildAlerting(cfg *Config, c *collector) {
	if dr.alerting != nil {
		cfg.Alerting = *dr.alerting
	} else {
		cfg.Alerting = Alerting{GroupWait: DefaultGroupWait, MaxItems: DefaultMaxItems, FlapWindow: 21, FlapHigh: 50, FlapLow: 25}
	}
	seen := map[string]Pos{}
	receivers := map[string]bool{}
	for _, n := range dr.notifiers {
		if n.Name == "" || !unique(seen, n.Name, n.Pos, fmt.Sprintf("notifier %q", n.Name), c) {
			continue
		}
		receivers[n.Name] = true
		cfg.Notifiers = append(cfg.Notifiers, n)
	}
	clear(seen)
	routes := map[string]bool{}
	for _, r := range dr.routes {
		if r.r.Name != "" {
			routes[r.r.Name] = true
		}
	}
	for _, r := range dr.routes {
		if r.r.Name == "" || !unique(seen, r.r.Name, r.r.Pos, r.entity, c) {
			continue
		}
		for _, rc := range r.r.Receivers {
			if !receivers[rc] {
				c.add(r.receiverPos, r.entity, "receivers: no notifier named %q", rc)
			}
		}
		if r.r.EscalateTo != "" && !routes[r.r.EscalateTo] {
			c.add(r.escalatePos, r.entity, "escalate_to: no route named %q", r.r.EscalateTo)
		}
		cfg.Routes = append(cfg.Routes, r.r)
	}
	clear(seen)
	for _, m := range dr.maintenance {
		if m.Name == "" || !unique(seen, m.Name, m.Pos, fmt.Sprintf("maintenance window %q", m.Name), c) {
			continue
		}
		cfg.Maintenance = append(cfg.Maintenance, m)
	}
	if len(cfg.Notifiers) > 0 && len(cfg.Routes) == 0 {
		// Notifiers without routes: every finding goes to all of them.
		var all []string
		for _, n := range cfg.Notifiers {
			all = append(all, n.Name)
		}
		cfg.Routes = []Route{{Name: "default", Receivers: all, SendResolved: true}}
	}
}
