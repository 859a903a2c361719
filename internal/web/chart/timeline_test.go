package chart

import (
	"strings"
	"testing"
	"time"
)

func TestTimelineLanesAndStates(t *testing.T) {
	evil := `<script>alert("x")</script>&`
	lanes := []Lane{
		{Name: "db-1:5432/tcp", Segments: []Segment{
			{From: t0.Add(-time.Hour), To: t0.Add(2 * time.Hour), State: "open", Label: "syn-ack"}, // clipped at the start
			{From: t0.Add(2 * time.Hour), To: t0.Add(3 * time.Hour), State: "closed"},
			{From: t0.Add(3 * time.Hour), To: t0.Add(4 * time.Hour), State: "filtered"},
			{From: t0.Add(4 * time.Hour), State: "open|filtered"}, // to the end
		}},
		{Name: evil, Segments: []Segment{
			{From: t0, To: t0.Add(time.Hour), State: "weird", Label: evil},
			{From: t0.Add(5 * time.Hour), To: t0.Add(4 * time.Hour), State: "open"},   // reversed: skipped
			{From: t0.Add(30 * time.Hour), To: t0.Add(31 * time.Hour), State: "open"}, // outside: skipped
		}},
		{Name: "this-is-a-very-long-hostname.example.internal"},
	}
	out := string(Timeline(lanes, t0, t0.Add(day), Options{Width: 800}))
	if strings.Contains(out, "<script") {
		t.Fatalf("unescaped user text")
	}
	els := mustParse(t, out)
	checkRoot(t, els)
	for class, want := range map[string]int{"seg-open": 1, "seg-closed": 1, "seg-filtered": 1, "seg-openfiltered": 1, "seg-unknown": 1, "lane": 3} {
		if n := len(find(els, "", class)); n != want {
			t.Errorf("%s = %d, want %d", class, n, want)
		}
	}
	open := find(els, "rect", "seg-open")[0]
	if open.Attr["x"] != "110" {
		t.Errorf("clipped segment starts at x=%s, want the plot's left edge 110", open.Attr["x"])
	}
	of := find(els, "rect", "seg-openfiltered")[0]
	pat := find(els, "pattern", "")
	if len(pat) != 1 || of.Attr["fill"] != "url(#"+pat[0].Attr["id"]+")" {
		t.Errorf("open|filtered fill %q does not use the pattern %v", of.Attr["fill"], pat)
	}
	tips := titlesOf(els, "rect", "seg-unknown")
	if len(tips) != 1 || tips[0] != evil+": weird from 2026-03-10 00:00 UTC to 2026-03-10 01:00 UTC (1h 0m), "+evil {
		t.Errorf("unknown tooltip = %q", tips)
	}
	names := find(els, "text", "lane-name")
	if len(names) != 3 || !strings.HasSuffix(names[2].Text, "…") || len([]rune(names[2].Text)) != laneNameRunes {
		t.Errorf("lane names = %v", names)
	}
	if tip := titlesOf(els, "text", "lane-name"); len(tip) != 3 || tip[2] != lanes[2].Name {
		t.Errorf("full lane name not in tooltip: %q", tip)
	}
}

func TestTimelineEdgeCases(t *testing.T) {
	one := []Lane{{Segments: []Segment{{From: t0, To: t0.Add(time.Minute), State: "open"}}}}
	cases := map[string]struct {
		lanes    []Lane
		from, to time.Time
		noData   bool
	}{
		"no lanes":       {nil, t0, t0.Add(time.Hour), true},
		"zero width":     {one, t0, t0, true},
		"reversed":       {one, t0.Add(time.Hour), t0, false},
		"empty lane":     {[]Lane{{Name: "h"}}, t0, t0.Add(time.Hour), false},
		"many lanes":     {make([]Lane, 500), t0, t0.Add(time.Hour), false},
		"huge range":     {one, time.Unix(-1<<40, 0), time.Unix(1<<40, 0), false},
		"nanosecond seg": {[]Lane{{Segments: []Segment{{From: t0, To: t0.Add(1), State: "closed"}}}}, t0, t0.Add(time.Hour), false},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			els := mustParse(t, string(Timeline(c.lanes, c.from, c.to, Options{ID: `x"><y`})))
			checkRoot(t, els)
			if got := len(find(els, "text", "nodata")) == 1; got != c.noData {
				t.Errorf("no data = %v, want %v", got, c.noData)
			}
		})
	}
}

func TestPatternID(t *testing.T) {
	if got := patternID(`a"b<c>-_9`, nil, t0, t0); got != "pw-abc-_9" {
		t.Errorf("patternID = %q", got)
	}
	a := patternID("", []Lane{{Name: "a"}}, t0, t0.Add(time.Hour))
	b := patternID("", []Lane{{Name: "b"}}, t0, t0.Add(time.Hour))
	if a == b || !strings.HasPrefix(a, "pw-") {
		t.Errorf("derived ids %q, %q", a, b)
	}
}
