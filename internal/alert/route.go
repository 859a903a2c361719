package alert

import (
	"fmt"
	"time"

	"github.com/portwatch/portwatch/internal/store"
)

// Route sends the findings whose labels match to its receivers.
type Route struct {
	Name     string
	Matchers []store.Matcher
	// Receivers are notifier names.
	Receivers []string
	// Continue lets later routes match too; otherwise the first matching
	// route is the only one.
	Continue bool
	// SendResolved sends a resolve notification when the finding resolves.
	SendResolved bool
	// RepeatInterval re-notifies an unresolved, unacknowledged finding
	// (0: never).
	RepeatInterval time.Duration
	// EscalateAfter sends an unacknowledged finding to the route named
	// EscalateTo once it has been open this long (0: never).
	EscalateAfter time.Duration
	EscalateTo    string
	// Runbook is a link put on every message of the route.
	Runbook string
}

// router matches labels to routes in order.
type router struct {
	routes   []Route
	matchers [][]compiledMatcher
	byName   map[string]int
}

func newRouter(routes []Route) (*router, error) {
	r := &router{routes: routes, byName: map[string]int{}}
	for i, rt := range routes {
		ms, err := CompileMatchers(rt.Matchers)
		if err != nil {
			return nil, fmt.Errorf("route %q: %w", rt.Name, err)
		}
		if _, dup := r.byName[rt.Name]; dup {
			return nil, fmt.Errorf("route %q defined twice", rt.Name)
		}
		r.byName[rt.Name] = i
		r.matchers = append(r.matchers, ms)
	}
	for _, rt := range routes {
		if rt.EscalateTo != "" {
			if _, ok := r.byName[rt.EscalateTo]; !ok {
				return nil, fmt.Errorf("route %q: escalate_to names no route %q", rt.Name, rt.EscalateTo)
			}
		}
	}
	return r, nil
}

// match returns the indexes of the routes l goes to.
func (r *router) match(l Labels) []int {
	var out []int
	for i := range r.routes {
		if matchAll(r.matchers[i], l) {
			out = append(out, i)
			if !r.routes[i].Continue {
				break
			}
		}
	}
	return out
}
