package chart

import (
	"math"
	"strings"
	"testing"
	"time"
)

func TestAvailabilityBarsAndOverall(t *testing.T) {
	pts := []Point{
		{T: t0, Count: 60, Up: 60},                    // ok
		{T: t0.Add(time.Hour), Count: 60, Up: 57},     // 95 %: warn
		{T: t0.Add(2 * time.Hour), Count: 60, Up: 30}, // 50 %: bad
		{T: t0.Add(3 * time.Hour)},                    // no data
		{T: t0.Add(4 * time.Hour), Count: 100, Up: 0}, // 0 %: bad, still visible
		{T: t0.Add(5 * time.Hour), Count: 10, Up: 99}, // Up capped at Count: ok
	}
	svg, overall, ok := Availability(pts, t0, t0.Add(day), Options{Title: "web:443"})
	if !ok {
		t.Fatal("ok = false")
	}
	if want := float64(60+57+30+0+10) * 100 / float64(60+60+60+100+10); math.Abs(overall-want) > 1e-9 {
		t.Errorf("overall = %v, want %v", overall, want)
	}
	els := mustParse(t, string(svg))
	checkRoot(t, els)
	for class, want := range map[string]int{"bar-ok": 2, "bar-warn": 1, "bar-bad": 2, "bar-none": 1} {
		if n := len(find(els, "rect", class)); n != want {
			t.Errorf("%s bars = %d, want %d", class, n, want)
		}
	}
	for _, b := range find(els, "rect", "bar-bad") {
		if b.Attr["height"] == "0" {
			t.Errorf("a 0 %% bar must stay visible")
		}
	}
	tips := titlesOf(els, "rect", "bar-warn")
	if len(tips) != 1 || tips[0] != "2026-03-10 01:00 UTC: 95 % (57 of 60 open)" {
		t.Errorf("warn tooltip = %q", tips)
	}
	if !strings.Contains(string(svg), ">54.13 %<") { // 157/290 = 54.137 truncated, never rounded up
		t.Errorf("overall label missing: %s", svg)
	}
}

func TestAvailabilityThreshold(t *testing.T) {
	pts := []Point{{T: t0, Count: 10, Up: 8}}
	for _, c := range []struct {
		badBelow float64
		class    string
	}{{0, "bar-bad"}, {75, "bar-warn"}, {80, "bar-warn"}, {81, "bar-bad"}, {500, "bar-bad"}} {
		svg, _, _ := Availability(pts, t0, t0.Add(time.Hour), Options{BadBelow: c.badBelow})
		if n := len(find(mustParse(t, string(svg)), "rect", c.class)); n != 1 {
			t.Errorf("BadBelow %v: want one %s", c.badBelow, c.class)
		}
	}
}

func TestAvailabilityOverallOnlyInRange(t *testing.T) {
	pts := []Point{{T: t0.Add(-time.Hour), Count: 100, Up: 0}, {T: t0, Count: 4, Up: 3}, {T: t0.Add(time.Hour), Count: 100}}
	_, overall, ok := Availability(pts, t0, t0.Add(time.Hour), Options{})
	if !ok || overall != 75 {
		t.Errorf("overall = %v, %v; want 75, true", overall, ok)
	}
}

func TestAvailabilityNoData(t *testing.T) {
	for name, pts := range map[string][]Point{"nil": nil, "zero counts": {{T: t0}, {T: t0.Add(time.Minute), Up: 3}}} {
		svg, overall, ok := Availability(pts, t0, t0.Add(time.Hour), Options{})
		els := mustParse(t, string(svg))
		checkRoot(t, els)
		if ok || overall != 0 || len(find(els, "text", "nodata")) != 1 {
			t.Errorf("%s: ok=%v overall=%v, want a no-data chart", name, ok, overall)
		}
	}
	for name, r := range map[string][2]time.Time{"zero width": {t0, t0}, "reversed": {t0.Add(time.Hour), t0}} {
		svg, _, ok := Availability(series(t0, time.Minute, 5), r[0], r[1], Options{})
		mustParse(t, string(svg))
		if ok != (name == "reversed") {
			t.Errorf("%s: ok = %v", name, ok)
		}
	}
}

func TestFmtPercent(t *testing.T) {
	for in, want := range map[float64]string{100: "100 %", 99.999: "99.99 %", 0: "0 %", 50.5: "50.50 %", -3: "0 %", 120: "100 %"} {
		if got := fmtPercent(in); got != want {
			t.Errorf("fmtPercent(%v) = %q, want %q", in, got, want)
		}
	}
}
