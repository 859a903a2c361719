package chart

import (
	"strings"
	"testing"
	"time"
)

func TestLatency30DaysHourly(t *testing.T) {
	pts := series(t0, time.Hour, 720)
	out := string(Latency(pts, t0, t0.Add(30*day), Options{Title: "db-primary:5432"}))
	els := mustParse(t, out)
	checkRoot(t, els)
	if n := len(find(els, "polyline", "p50")); n != 1 {
		t.Errorf("p50 polylines = %d, want 1", n)
	}
	if n := len(find(els, "polyline", "p95")); n != 1 {
		t.Errorf("p95 polylines = %d, want 1", n)
	}
	tips := titlesOf(els, "rect", "hit")
	if len(tips) != 720 {
		t.Fatalf("tooltips = %d, want 720", len(tips))
	}
	if want := "2026-03-10 00:00 UTC: p50 2 ms, p95 5 ms (60 observations)"; tips[0] != want {
		t.Errorf("first tooltip = %q, want %q", tips[0], want)
	}
	if len(find(els, "line", "p50")) != 1 || len(find(els, "line", "p95")) != 1 {
		t.Errorf("legend lines missing")
	}
	var labels []string
	for i, e := range els {
		if e.Name == "text" && i > 0 && strings.HasSuffix(e.Text, " ms") {
			labels = append(labels, e.Text)
		}
	}
	// p95 tops at 5 ms + 10×0.3 ms = 8 ms: ticks 0, 2, 4, 6, 8 ms.
	if got := strings.Join(labels, ","); got != "0 ms,2 ms,4 ms,6 ms,8 ms" {
		t.Errorf("value labels = %s", got)
	}
}

func TestLatencyGapsSplitLines(t *testing.T) {
	pts := series(t0, time.Minute, 10)
	pts[3].Count = 0 // no data at all: both lines break
	pts[6].P50 = 0   // only p50 breaks
	els := mustParse(t, string(Latency(pts, t0, t0.Add(time.Hour), Options{})))
	if n := len(find(els, "polyline", "p50")); n != 3 {
		t.Errorf("p50 polylines = %d, want 3 (0-2, 4-5, 7-9)", n)
	}
	if n := len(find(els, "polyline", "p95")); n != 2 {
		t.Errorf("p95 polylines = %d, want 2 (0-2, 4-9)", n)
	}
	tips := titlesOf(els, "rect", "hit")
	if !strings.HasSuffix(tips[3], ": no data") || !strings.Contains(tips[6], "p50 none") {
		t.Errorf("gap tooltips = %q, %q", tips[3], tips[6])
	}
}

func TestLatencyMissingBucketSplitsAndSingleIsDot(t *testing.T) {
	pts := series(t0, time.Minute, 10)
	pts = append(pts[:5], pts[6:]...) // minute 5 absent
	pts = append(pts, series(t0.Add(30*time.Minute), time.Minute, 1)...)
	els := mustParse(t, string(Latency(pts, t0, t0.Add(time.Hour), Options{})))
	if n := len(find(els, "polyline", "p50")); n != 2 {
		t.Errorf("p50 polylines = %d, want 2", n)
	}
	if n := len(find(els, "circle", "p50")); n != 1 {
		t.Errorf("p50 dots = %d, want 1 for the lone bucket", n)
	}
}

func TestLatencyMicroseconds(t *testing.T) {
	pts := []Point{{T: t0, P50: 120 * time.Microsecond, P95: 730 * time.Microsecond, Count: 5, Up: 5},
		{T: t0.Add(time.Minute), P50: 150 * time.Microsecond, P95: 420 * time.Microsecond, Count: 5, Up: 5}}
	out := string(Latency(pts, t0, t0.Add(time.Hour), Options{}))
	mustParse(t, out)
	for _, want := range []string{">0 µs<", ">200 µs<", ">800 µs<", "p95 730 µs"} {
		if !strings.Contains(out, want) {
			t.Errorf("missing %q", want)
		}
	}
}

func TestLatencyHostileTitleEscaped(t *testing.T) {
	evil := `<script>alert(1)</script>&"'`
	out := string(Latency(series(t0, time.Minute, 3), t0, t0.Add(time.Hour), Options{Title: evil}))
	if strings.Contains(out, "<script") || strings.Contains(out, `"'`) {
		t.Fatalf("unescaped user text in %s", out)
	}
	els := mustParse(t, out)
	if els[1].Text != evil {
		t.Errorf("title = %q, want %q", els[1].Text, evil)
	}
}

func TestLatencyNoDataAndOddRanges(t *testing.T) {
	cases := map[string]struct {
		pts      []Point
		from, to time.Time
		noData   bool
	}{
		"nil points":     {nil, t0, t0.Add(time.Hour), true},
		"all empty":      {[]Point{{T: t0}, {T: t0.Add(time.Minute), P50: 5, P95: 9}}, t0, t0.Add(time.Hour), true},
		"outside range":  {series(t0.Add(-2*time.Hour), time.Minute, 10), t0, t0.Add(time.Hour), true},
		"zero width":     {series(t0, time.Minute, 10), t0, t0, true},
		"reversed":       {series(t0, time.Minute, 10), t0.Add(time.Hour), t0, false},
		"unsorted":       {[]Point{series(t0, time.Minute, 3)[2], series(t0, time.Minute, 3)[0]}, t0, t0.Add(time.Hour), false},
		"one point":      {series(t0, time.Minute, 1), t0, t0.Add(time.Hour), false},
		"negative value": {[]Point{{T: t0, P50: -5, P95: -1, Count: 3}}, t0, t0.Add(time.Hour), true},
		"tiny options":   {series(t0, time.Minute, 3), t0, t0.Add(time.Nanosecond * 10), false},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			out := string(Latency(c.pts, c.from, c.to, Options{Width: -5, Height: 1}))
			els := mustParse(t, out)
			checkRoot(t, els)
			if got := len(find(els, "text", "nodata")) == 1; got != c.noData {
				t.Errorf("no data = %v, want %v", got, c.noData)
			}
		})
	}
}
