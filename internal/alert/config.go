package alert

import (
	"fmt"

	"github.com/portwatch/portwatch/internal/config"
	"github.com/portwatch/portwatch/internal/store"
)

// OptionsFromConfig turns a configuration's routes, maintenance windows
// and alerting settings into engine Options (without notifiers, logger
// or the ungrouped receivers, which the caller knows).
func OptionsFromConfig(cfg *config.Config) (Options, error) {
	a := cfg.Alerting
	tmpl, err := ParseTemplates(a.TitleTemplate, a.TextTemplate)
	if err != nil {
		return Options{}, fmt.Errorf("alerting (%s): %w", a.Pos, err)
	}
	opts := Options{
		GroupWait: a.GroupWait, MaxItems: a.MaxItems, Templates: tmpl, DashboardURL: a.DashboardURL,
		Flap: FlapOptions{Window: a.FlapWindow, High: a.FlapHigh, Low: a.FlapLow},
	}
	for _, r := range cfg.Routes {
		opts.Routes = append(opts.Routes, Route{Name: r.Name, Matchers: StoreMatchers(r.Match), Receivers: r.Receivers,
			Continue: r.Continue, SendResolved: r.SendResolved, RepeatInterval: r.RepeatInterval,
			EscalateAfter: r.EscalateAfter, EscalateTo: r.EscalateTo, Runbook: r.Runbook})
	}
	for _, m := range cfg.Maintenance {
		w := Window{Name: m.Name, Matchers: StoreMatchers(m.Match), Start: m.Start, End: m.End, Duration: m.Duration}
		if m.Schedule != nil {
			w.Schedule = m.Schedule
		}
		opts.Maintenance = append(opts.Maintenance, w)
	}
	return opts, nil
}

// StoreMatchers converts parsed configuration matchers (config.ParseMatcher
// is the one parser of the matcher syntax) to the stored form.
func StoreMatchers(ms []config.Matcher) []store.Matcher {
	out := make([]store.Matcher, len(ms))
	for i, m := range ms {
		out[i] = store.Matcher{Name: m.Name, Op: m.Op, Value: m.Value}
	}
	return out
}
