package config

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Schedule is a parsed standard 5-field cron expression: minute hour
// day-of-month month day-of-week. Fields take "*", numbers, ranges "a-b",
// steps "*/n" and "a-b/n", comma lists, month names jan-dec and weekday
// names sun-sat (0 and 7 are both Sunday). As in standard cron, when both
// day-of-month and day-of-week are restricted, a day matching either fires.
type Schedule struct {
	expr                          string
	minute, hour, dom, month, dow uint64 // bit i set: value i matches
	domRestricted, dowRestricted  bool
}

// cronField describes one field's range and names.
type cronField struct {
	name   string
	lo, hi int
	names  []string // names[i] is value lo+i
}

var cronFields = [5]cronField{
	{name: "minute", lo: 0, hi: 59},
	{name: "hour", lo: 0, hi: 23},
	{name: "day of month", lo: 1, hi: 31},
	{name: "month", lo: 1, hi: 12, names: []string{"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"}},
	{name: "day of week", lo: 0, hi: 7, names: []string{"sun", "mon", "tue", "wed", "thu", "fri", "sat"}},
}

// ParseSchedule parses a 5-field cron expression.
func ParseSchedule(expr string) (*Schedule, error) {
	parts := strings.Fields(expr)
	if len(parts) != 5 {
		return nil, fmt.Errorf("cron schedule %q: want 5 fields (minute hour day-of-month month day-of-week), got %d", expr, len(parts))
	}
	var sets [5]uint64
	for i, p := range parts {
		set, err := cronFields[i].parse(strings.ToLower(p))
		if err != nil {
			return nil, fmt.Errorf("cron schedule %q: %s: %w", expr, cronFields[i].name, err)
		}
		sets[i] = set
	}
	if sets[4]&(1<<7) != 0 {
		sets[4] = sets[4]&^(1<<7) | 1 // 7 is Sunday
	}
	s := &Schedule{
		expr: strings.Join(parts, " "), minute: sets[0], hour: sets[1], dom: sets[2], month: sets[3], dow: sets[4],
		domRestricted: parts[2] != "*" && !strings.HasPrefix(parts[2], "*/"),
		dowRestricted: parts[4] != "*" && !strings.HasPrefix(parts[4], "*/"),
	}
	// An impossible date ("0 0 31 2 *") would never fire; 8 years include a
	// leap year and every weekday of every date.
	from := time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)
	if s.next(from, from.AddDate(8, 0, 0)).IsZero() {
		return nil, fmt.Errorf("cron schedule %q never fires", expr)
	}
	return s, nil
}

// String returns the expression, fields separated by single spaces.
func (s *Schedule) String() string { return s.expr }

func (f cronField) parse(spec string) (uint64, error) {
	var set uint64
	for item := range strings.SplitSeq(spec, ",") {
		rng, stepStr, hasStep := strings.Cut(item, "/")
		step := 1
		if hasStep {
			n, err := strconv.Atoi(stepStr)
			if err != nil || n < 1 || n > f.hi {
				return 0, fmt.Errorf("bad step %q", stepStr)
			}
			step = n
		}
		lo, hi := f.lo, f.hi
		switch {
		case rng == "*":
		case strings.Contains(rng, "-"):
			a, b, _ := strings.Cut(rng, "-")
			var err error
			if lo, err = f.value(a); err != nil {
				return 0, err
			}
			if hi, err = f.value(b); err != nil {
				return 0, err
			}
			if lo > hi {
				return 0, fmt.Errorf("range %q runs backwards", rng)
			}
		default:
			v, err := f.value(rng)
			if err != nil {
				return 0, err
			}
			lo = v
			if !hasStep {
				hi = v
			}
		}
		for v := lo; v <= hi; v += step {
			set |= 1 << v
		}
	}
	return set, nil
}

func (f cronField) value(s string) (int, error) {
	for i, n := range f.names {
		if s == n {
			return f.lo + i, nil
		}
	}
	v, err := strconv.Atoi(s)
	if err != nil {
		return 0, fmt.Errorf("%q is not a number", s)
	}
	if v < f.lo || v > f.hi {
		return 0, fmt.Errorf("%d out of range %d-%d", v, f.lo, f.hi)
	}
	return v, nil
}

// Next returns the first time strictly after t at which the schedule fires,
// in t's location, at a whole minute.
func (s *Schedule) Next(t time.Time) time.Time {
	return s.next(t, t.AddDate(8, 0, 0))
}

// next searches up to limit; it returns the zero time if nothing fires.
func (s *Schedule) next(t, limit time.Time) time.Time {
	loc := t.Location()
	cur := t.Truncate(time.Minute).Add(time.Minute)
	for cur.Before(limit) {
		var n time.Time
		y, mo, d := cur.Date()
		switch {
		case s.month&(1<<uint(mo)) == 0:
			n = time.Date(y, mo+1, 1, 0, 0, 0, 0, loc)
		case !s.dayMatches(cur):
			n = time.Date(y, mo, d+1, 0, 0, 0, 0, loc)
		case s.hour&(1<<uint(cur.Hour())) == 0:
			n = time.Date(y, mo, d, cur.Hour()+1, 0, 0, 0, loc)
		case s.minute&(1<<uint(cur.Minute())) == 0:
			n = cur.Add(time.Minute)
		default:
			return cur
		}
		if !n.After(cur) { // a daylight-saving fold: keep moving forward
			n = cur.Add(time.Minute)
		}
		cur = n
	}
	return time.Time{}
}

func (s *Schedule) dayMatches(t time.Time) bool {
	dom := s.dom&(1<<uint(t.Day())) != 0
	dow := s.dow&(1<<uint(t.Weekday())) != 0
	if s.domRestricted && s.dowRestricted {
		return dom || dow
	}
	return dom && dow
}
