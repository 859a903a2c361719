package alert

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/portwatch/portwatch/internal/model"
	"github.com/portwatch/portwatch/internal/store"
)

// Labels are what routes, silences and maintenance windows match on.
type Labels map[string]string

// FindingLabels returns a finding's labels: its own (the group's or
// monitor's labels) plus kind, severity, endpoint, host, port, protocol,
// location, and group or monitor from the rule that raised it.
func FindingLabels(f model.Finding) Labels {
	l := Labels{}
	for k, v := range f.Labels {
		l[k] = v
	}
	l["kind"] = string(f.Kind)
	l["severity"] = string(f.Severity)
	l["endpoint"] = f.Endpoint.String()
	l["host"] = f.Endpoint.Addr.String()
	l["port"] = strconv.Itoa(int(f.Endpoint.Port))
	l["protocol"] = string(f.Endpoint.Protocol)
	l["location"] = string(f.Location)
	if kind, name, ok := strings.Cut(f.Rule, ":"); ok {
		switch kind {
		case "group":
			l["group"] = name
		case "monitor":
			name, _, _ = strings.Cut(name, "/")
			l["monitor"] = name
		}
	}
	return l
}

// compiledMatcher is a store.Matcher ready to match.
type compiledMatcher struct {
	store.Matcher
	re *regexp.Regexp
}

// CompileMatchers checks and compiles matchers.
func CompileMatchers(ms []store.Matcher) ([]compiledMatcher, error) {
	out := make([]compiledMatcher, 0, len(ms))
	for _, m := range ms {
		c := compiledMatcher{Matcher: m}
		switch m.Op {
		case "=", "!=":
		case "=~", "!~":
			re, err := regexp.Compile("^(?:" + m.Value + ")$")
			if err != nil {
				return nil, fmt.Errorf("matcher %s%s%q: %w", m.Name, m.Op, m.Value, err)
			}
			c.re = re
		default:
			return nil, fmt.Errorf("matcher %s: unknown operator %q (want =, !=, =~ or !~)", m.Name, m.Op)
		}
		if m.Name == "" {
			return nil, fmt.Errorf("matcher with an empty label name")
		}
		out = append(out, c)
	}
	return out, nil
}

// matchAll reports whether l satisfies every matcher (an absent label is
// the empty string, as in Alertmanager).
func matchAll(ms []compiledMatcher, l Labels) bool {
	for _, m := range ms {
		v := l[m.Name]
		var ok bool
		switch m.Op {
		case "=":
			ok = v == m.Value
		case "!=":
			ok = v != m.Value
		case "=~":
			ok = m.re.MatchString(v)
		case "!~":
			ok = !m.re.MatchString(v)
		}
		if !ok {
			return false
		}
	}
	return true
}
