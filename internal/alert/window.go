package alert

import (
	"time"

	"github.com/portwatch/portwatch/internal/store"
)

// Calendar is a cron schedule (config.Schedule is one).
type Calendar interface {
	Next(t time.Time) time.Time
}

// Window is a maintenance window: while it is active, notifications for
// findings whose labels match are not sent (findings are still recorded).
// Either Start/End (one-off) or Schedule/Duration (recurring: each firing
// of Schedule opens the window for Duration).
type Window struct {
	Name     string
	Matchers []store.Matcher
	Start    time.Time
	End      time.Time
	Schedule Calendar
	Duration time.Duration
}

// active reports whether the window covers now.
func (w *Window) active(now time.Time) bool {
	if w.Schedule == nil {
		return !now.Before(w.Start) && now.Before(w.End)
	}
	// The latest firing at or before now: search back from now-Duration.
	from := now.Add(-w.Duration).Add(-time.Minute)
	for t := w.Schedule.Next(from); !t.After(now); t = w.Schedule.Next(t) {
		if now.Before(t.Add(w.Duration)) {
			return true
		}
	}
	return false
}
