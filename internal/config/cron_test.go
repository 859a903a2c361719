package config

import (
	"strings"
	"testing"
	"time"
)

func TestScheduleNext(t *testing.T) {
	base := time.Date(2026, 11, 21, 20, 17, 30, 0, time.UTC) // a Saturday
	for _, c := range []struct {
		expr string
		want []string // successive Next times
	}{
		{"* * * * *", []string{"2026-11-21 20:18", "2026-11-21 20:19"}},
		{"*/15 * * * *", []string{"2026-11-21 20:30", "2026-11-21 20:45", "2026-11-21 21:00"}},
		{"17 * * * *", []string{"2026-11-21 21:17", "2026-11-21 22:17"}},
		{"0 3 * * *", []string{"2026-11-22 03:00", "2026-11-23 03:00"}},
		{"30 9 * * mon-fri", []string{"2026-11-23 09:30", "2026-11-24 09:30"}},
		{"0 0 * * 7", []string{"2026-11-22 00:00", "2026-11-29 00:00"}},
		{"0 12 1 jan,jul *", []string{"2027-01-01 12:00", "2027-07-01 12:00"}},
		{"0 0 29 2 *", []string{"2028-02-29 00:00", "2032-02-29 00:00"}},
		{"0 0 1-7/3 * *", []string{"2026-12-01 00:00", "2026-12-04 00:00", "2026-12-07 00:00"}},
		// Both day fields restricted: either matches (the 1st, or any Monday).
		{"0 0 1 * mon", []string{"2026-11-23 00:00", "2026-11-30 00:00", "2026-12-01 00:00"}},
		{"5-10/5 4 * * *", []string{"2026-11-22 04:05", "2026-11-22 04:10", "2026-11-23 04:05"}},
	} {
		s, err := ParseSchedule(c.expr)
		if err != nil {
			t.Errorf("ParseSchedule(%q): %v", c.expr, err)
			continue
		}
		at := base
		for _, w := range c.want {
			at = s.Next(at)
			if got := at.Format("2006-01-02 15:04"); got != w {
				t.Errorf("%q: next %s, want %s", c.expr, got, w)
				break
			}
		}
	}
}

func TestScheduleNextKeepsLocation(t *testing.T) {
	loc := time.FixedZone("X", 5*3600)
	s, err := ParseSchedule("0 6 * * *")
	if err != nil {
		t.Fatal(err)
	}
	got := s.Next(time.Date(2026, 1, 1, 7, 0, 0, 0, loc))
	if want := time.Date(2026, 1, 2, 6, 0, 0, 0, loc); !got.Equal(want) || got.Location() != loc {
		t.Errorf("Next = %v, want %v", got, want)
	}
}

func TestParseScheduleErrors(t *testing.T) {
	for _, c := range []struct{ expr, want string }{
		{"* * * *", `cron schedule "* * * *": want 5 fields (minute hour day-of-month month day-of-week), got 4`},
		{"60 * * * *", `cron schedule "60 * * * *": minute: 60 out of range 0-59`},
		{"* 24 * * *", `cron schedule "* 24 * * *": hour: 24 out of range 0-23`},
		{"* * 0 * *", `cron schedule "* * 0 * *": day of month: 0 out of range 1-31`},
		{"* * * 13 *", `cron schedule "* * * 13 *": month: 13 out of range 1-12`},
		{"* * * * 8", `cron schedule "* * * * 8": day of week: 8 out of range 0-7`},
		{"*/0 * * * *", `cron schedule "*/0 * * * *": minute: bad step "0"`},
		{"10-5 * * * *", `cron schedule "10-5 * * * *": minute: range "10-5" runs backwards`},
		{"x * * * *", `cron schedule "x * * * *": minute: "x" is not a number`},
		{"* * * foo *", `cron schedule "* * * foo *": month: "foo" is not a number`},
		{"0 0 30 2 *", `cron schedule "0 0 30 2 *" never fires`},
		{"1,,2 * * * *", `cron schedule "1,,2 * * * *": minute: "" is not a number`},
	} {
		_, err := ParseSchedule(c.expr)
		if err == nil || err.Error() != c.want {
			t.Errorf("ParseSchedule(%q) error %v, want %q", c.expr, err, c.want)
		}
	}
	if s, err := ParseSchedule("  0  3 * *   SUN "); err != nil || s.String() != "0 3 * * SUN" {
		t.Errorf("String() = %v, %v", s, err)
	}
}

func FuzzParseSchedule(f *testing.F) {
	for _, s := range []string{"* * * * *", "*/5 1-3 1,15 jan-mar mon", "0 0 29 2 *"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, expr string) {
		s, err := ParseSchedule(expr)
		if err != nil {
			return
		}
		from := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
		n := s.Next(from)
		if n.IsZero() || !n.After(from) || n.Second() != 0 || strings.TrimSpace(s.String()) == "" {
			t.Fatalf("%q: Next(%v) = %v", expr, from, n)
		}
	})
}

// Daylight-saving changes neither hang Next nor move it backwards. Times
// are wall-clock: one that does not exist that day is skipped, and one in
// the repeated hour fires in both of its occurrences.
func TestScheduleNextDaylightSaving(t *testing.T) {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Skipf("no time zone data: %v", err)
	}
	for _, c := range []struct {
		expr string
		from time.Time
		want string
	}{
		{"30 2 * * *", time.Date(2026, 3, 8, 0, 0, 0, 0, ny), "2026-03-09 02:30 EDT"},
		{"30 1 * * *", time.Date(2026, 11, 1, 0, 0, 0, 0, ny), "2026-11-01 01:30 EDT"},
		{"30 1 * * *", time.Date(2026, 11, 1, 1, 45, 0, 0, ny), "2026-11-01 01:30 EST"},
	} {
		s, err := ParseSchedule(c.expr)
		if err != nil {
			t.Fatal(err)
		}
		if got := s.Next(c.from); got.Format("2006-01-02 15:04 MST") != c.want || !got.After(c.from) {
			t.Errorf("%q from %v: %v, want %s", c.expr, c.from, got, c.want)
		}
	}
}
