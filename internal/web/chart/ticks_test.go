package chart

import (
	"testing"
	"time"
)

func TestTimeTicksRanges(t *testing.T) {
	ist := time.FixedZone("IST", 5*3600+1800)
	cases := []struct {
		name     string
		from     time.Time
		span     time.Duration
		loc      *time.Location
		boundary func(time.Time) bool // every tick must fall on it (in loc)
		layout   string               // every label must parse with it (or as a date)
	}{
		{"1h", t0.Add(17*time.Minute + 23*time.Second), time.Hour, time.UTC,
			func(t time.Time) bool { return t.Second() == 0 && t.Minute()%5 == 0 }, "15:04"},
		{"24h", t0.Add(13*time.Hour + 41*time.Minute), day, time.UTC,
			func(t time.Time) bool { return t.Second() == 0 && t.Minute() == 0 }, "15:04"},
		{"24h IST", t0.Add(13*time.Hour + 41*time.Minute), day, ist,
			func(t time.Time) bool { return t.Second() == 0 && t.Minute() == 0 }, "15:04"},
		{"7d", t0.Add(5 * time.Hour), 7 * day, time.UTC,
			func(t time.Time) bool { return t.Hour() == 0 && t.Minute() == 0 }, "Jan 2"},
		{"30d", t0.Add(5 * time.Hour), 30 * day, time.UTC,
			func(t time.Time) bool { return t.Hour() == 0 && t.Minute() == 0 }, "Jan 2"},
		{"30d IST", t0.Add(5 * time.Hour), 30 * day, ist,
			func(t time.Time) bool { return t.Hour() == 0 && t.Minute() == 0 }, "Jan 2"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ticks := timeTicks(c.from, c.from.Add(c.span), c.loc, 10)
			if len(ticks) < 3 || len(ticks) > 11 {
				t.Fatalf("%d ticks: %v", len(ticks), ticks)
			}
			var gap time.Duration
			for i, tk := range ticks {
				lt := tk.T.In(c.loc)
				if !c.boundary(lt) || tk.T.Before(c.from) || !tk.T.Before(c.from.Add(c.span)) {
					t.Errorf("tick %v off boundary or range", lt)
				}
				if _, err := time.Parse(c.layout, tk.Label); err != nil {
					if _, err2 := time.Parse("Jan 2", tk.Label); err2 != nil {
						t.Errorf("label %q: %v", tk.Label, err)
					}
				}
				if i > 0 {
					d := tk.T.Sub(ticks[i-1].T)
					if gap != 0 && d != gap {
						t.Errorf("uneven ticks: %v then %v", gap, d)
					}
					gap = d
				}
			}
		})
	}
}

func TestTimeTicksMidnightShowsDate(t *testing.T) {
	ticks := timeTicks(t0.Add(-6*time.Hour), t0.Add(18*time.Hour), time.UTC, 10)
	found := false
	for _, tk := range ticks {
		if tk.T.Equal(t0) {
			found = tk.Label == "Mar 10"
		}
	}
	if !found {
		t.Errorf("midnight tick not labelled with the date: %v", ticks)
	}
}

func TestTimeTicksDST(t *testing.T) {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Skip("no tzdata:", err)
	}
	from := time.Date(2026, 3, 7, 0, 0, 0, 0, ny) // DST starts on 8 March
	for _, span := range []time.Duration{day, 3 * day, 30 * day} {
		ticks := timeTicks(from, from.Add(span), ny, 10)
		for i := 1; i < len(ticks); i++ {
			if !ticks[i].T.After(ticks[i-1].T) {
				t.Fatalf("ticks not increasing: %v", ticks)
			}
		}
		if len(ticks) < 2 {
			t.Errorf("span %v: %v", span, ticks)
		}
	}
}

func TestTimeTicksDegenerate(t *testing.T) {
	if got := timeTicks(t0, t0, time.UTC, 10); got != nil {
		t.Errorf("zero span: %v", got)
	}
	if got := timeTicks(t0, t0.Add(10*time.Millisecond), time.UTC, 10); len(got) > 1 {
		t.Errorf("10 ms span: %v", got)
	}
	huge := timeTicks(time.Unix(-1<<40, 0), time.Unix(1<<40, 0), time.UTC, 10)
	if len(huge) > 12 {
		t.Errorf("huge span: %d ticks", len(huge))
	}
}

func TestValueTicks(t *testing.T) {
	cases := []struct{ top, step, axisTop float64 }{
		{8, 2, 8}, {7.3, 2, 8}, {0.42, 0.2, 0.6}, {100, 50, 100}, {1, 0.5, 1}, {0, 0.5, 1}, {1234, 500, 1500}, {3, 1, 3},
	}
	for _, c := range cases {
		step, top := valueTicks(c.top, 4)
		if step != c.step || top != c.axisTop {
			t.Errorf("valueTicks(%v) = %v, %v; want %v, %v", c.top, step, top, c.step, c.axisTop)
		}
	}
	if got := tickLabel(3, 0.1); got != "0.3" {
		t.Errorf("tickLabel(3, 0.1) = %q", got)
	}
	if got := tickLabel(3, 0.05); got != "0.15" {
		t.Errorf("tickLabel(3, 0.05) = %q", got)
	}
}
