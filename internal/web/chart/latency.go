package chart

import (
	"html/template"
	"strconv"
	"time"
)

const latencyHeight = 200

// latencySeries is one line of the latency chart.
type latencySeries struct {
	class, color string
	value        func(Point) time.Duration
}

var latencyLines = [...]latencySeries{ // p95 first so that p50 is drawn on top
	{"p95", "#e8871e", func(p Point) time.Duration { return p.P95 }},
	{"p50", "#2b7bd6", func(p Point) time.Duration { return p.P50 }},
}

// hasLatency reports whether p carries the value v (a bucket without
// observations or without the value is a gap).
func hasLatency(p Point, v time.Duration) bool { return p.Count > 0 && v > 0 }

// Latency draws p50 and p95 lines over [from, to) with time and ms axes, gaps
// where there is no data (and where buckets are missing), a legend, and a
// <title> per point for hover tooltips. Points outside the range are left
// out; a reversed range is swapped; an empty one draws "no data".
func Latency(points []Point, from, to time.Time, opt Options) template.HTML {
	name := opt.Title
	if name == "" {
		name = "Latency"
	}
	from, to, ok := normRange(from, to)
	if !ok {
		return noData("latency", opt, latencyHeight, name, "empty time range")
	}
	pts := inWindow(points, from, to)
	top := max(maxOf(pts, func(p Point) time.Duration {
		if p.Count <= 0 {
			return 0
		}
		return max(p.P50, p.P95)
	}), 0)
	if top == 0 {
		return noData("latency", opt, latencyHeight, name, "no latency in range")
	}
	loc := opt.loc()
	step := bucketStep(pts, opt, from, to)
	unit := unitFor(top)
	vstep, vtop := valueTicks(float64(top)/unit.ns, 4)

	width, height := opt.size(latencyHeight)
	p := plot{x0: 52, x1: float64(width) - 10, y0: 26, y1: float64(height) - 22}
	ts := newTimeScale(from, to, p.x0, p.x1)
	y := func(d time.Duration) float64 {
		return clampF(p.y1-float64(d)/unit.ns/vtop*(p.y1-p.y0), p.y0, p.y1)
	}

	var w markup
	w.b.Grow(512 + len(pts)*200)
	w.open("latency", width, height, name, name+": p50 and p95 latency from "+fmtWhen(from, loc, step)+
		" to "+fmtWhen(to, loc, step)+", "+strconv.Itoa(len(pts))+" buckets, highest "+fmtLatency(top))
	w.heading(opt.Title)
	w.legend(p)
	w.valueAxis(p, vstep, vtop, " "+unit.name)
	w.timeAxis(p, ts, loc)

	xs := make([]float64, 0, len(pts))
	for _, pt := range pts {
		xs = append(xs, ts.x(pt.T.Add(step/2)))
	}
	for _, s := range latencyLines {
		w.raw(`<g class="series series-` + s.class + `">`)
		run := make([]int, 0, len(pts))
		for i, pt := range pts {
			v := s.value(pt)
			if !hasLatency(pt, v) || (len(run) > 0 && missing(pts[run[len(run)-1]].T, pt.T, step)) {
				w.run(s, run, xs, pts, y)
				run = run[:0]
			}
			if hasLatency(pt, v) {
				run = append(run, i)
			}
		}
		w.run(s, run, xs, pts, y)
		w.raw(`</g>`)
	}
	w.latencyHits(pts, ts, p, step, loc)
	return w.html()
}

// run draws one unbroken stretch of a series: a polyline, or a dot when it
// is a single bucket.
func (w *markup) run(s latencySeries, run []int, xs []float64, pts []Point, y func(time.Duration) float64) {
	switch len(run) {
	case 0:
		return
	case 1:
		w.raw(`<circle class="` + s.class + `" r="2" fill="` + s.color + `"`)
		w.attrF("cx", xs[run[0]])
		w.attrF("cy", y(s.value(pts[run[0]])))
		w.raw(`/>`)
		return
	}
	w.raw(`<polyline class="` + s.class + `" fill="none" stroke="` + s.color + `" stroke-width="1.5" stroke-linejoin="round" points="`)
	for k, i := range run {
		if k > 0 {
			w.raw(" ")
		}
		w.f(xs[i])
		w.raw(",")
		w.f(y(s.value(pts[i])))
	}
	w.raw(`"/>`)
}

// legend names the two lines at the top right of the plot.
func (w *markup) legend(p plot) {
	w.raw(`<g class="legend" fill="#555">`)
	x := p.x1 - 96
	for _, s := range [...]latencySeries{latencyLines[1], latencyLines[0]} {
		w.raw(`<line class="` + s.class + `" stroke="` + s.color + `" stroke-width="2"`)
		w.attrF("x1", x)
		w.attrF("x2", x+16)
		w.attrF("y1", 12)
		w.attrF("y2", 12)
		w.raw(`/><text dominant-baseline="middle"`)
		w.attrF("x", x+20)
		w.attrF("y", 12)
		w.raw(`>` + s.class + `</text>`)
		x += 50
	}
	w.raw(`</g>`)
}

// latencyHits draws one transparent column per bucket carrying its tooltip.
func (w *markup) latencyHits(pts []Point, ts timeScale, p plot, step time.Duration, loc *time.Location) {
	w.raw(`<g class="hits">`)
	for _, pt := range pts {
		x0, x1 := ts.x(pt.T), ts.x(pt.T.Add(step))
		w.raw(`<rect class="hit" fill="transparent"`)
		w.attrF("x", x0)
		w.attrF("y", p.y0)
		w.attrF("width", max(x1-x0, 0.5))
		w.attrF("height", p.y1-p.y0)
		w.raw(`>`)
		tip := fmtWhen(pt.T, loc, step) + ": "
		if pt.Count <= 0 || (pt.P50 <= 0 && pt.P95 <= 0) {
			tip += "no data"
		} else {
			tip += "p50 " + orNone(pt, pt.P50) + ", p95 " + orNone(pt, pt.P95) + " (" + strconv.FormatInt(pt.Count, 10) + " observations)"
		}
		w.titled(tip)
		w.raw(`</rect>`)
	}
	w.raw(`</g>`)
}

// missing reports whether at least one bucket is absent between a and b
// (their distance exceeds 1.5 steps); written to avoid overflow.
func missing(a, b time.Time, step time.Duration) bool {
	return b.Sub(a)-step > step/2
}

// orNone formats v, or "none" when the bucket has no such value.
func orNone(p Point, v time.Duration) string {
	if !hasLatency(p, v) {
		return "none"
	}
	return fmtLatency(v)
}
