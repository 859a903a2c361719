package chart

import (
	"html/template"
	"strconv"
	"time"
)

const (
	availabilityHeight = 140
	defaultBadBelow    = 90.0
	minBarPx           = 2.0 // a 0 % bucket must still show its red bar
)

// barClass is the colour class and default fill of one availability bucket.
func barClass(up, count int64, badBelow float64) (class, fill string) {
	switch {
	case count <= 0:
		return "bar-none", "#d0d0d0"
	case up >= count:
		return "bar-ok", "#2e9d4f"
	case float64(up)*100/float64(count) >= badBelow:
		return "bar-warn", "#e3a21a"
	default:
		return "bar-bad", "#d64040"
	}
}

// upCount returns the bucket's counts made consistent: no negatives, Up ≤ Count.
func upCount(p Point) (int64, int64) {
	c := max(p.Count, 0)
	return clampInt64(p.Up, 0, c), c
}

func clampInt64(v, lo, hi int64) int64 { return max(lo, min(v, hi)) }

// Availability draws availability % per bucket as bars (green 100 %, amber
// below, red under BadBelow (default 90 %), grey no data) and returns the
// overall percentage (0..100) computed from the sums of Up and Count of the
// buckets in [from, to); ok is false when no bucket there has observations.
// Counts are taken as consistent: negative counts count as 0, Up is capped at Count.
func Availability(points []Point, from, to time.Time, opt Options) (svg template.HTML, overall float64, ok bool) {
	name := opt.Title
	if name == "" {
		name = "Availability"
	}
	from, to, valid := normRange(from, to)
	if !valid {
		return noData("availability", opt, availabilityHeight, name, "empty time range"), 0, false
	}
	pts := inWindow(points, from, to)
	var sumUp, sumCount int64
	for _, p := range pts {
		u, c := upCount(p)
		sumUp, sumCount = sumUp+u, sumCount+c
	}
	if sumCount <= 0 {
		return noData("availability", opt, availabilityHeight, name, "no observations in range"), 0, false
	}
	overall = float64(sumUp) * 100 / float64(sumCount)
	badBelow := opt.BadBelow
	if badBelow <= 0 || badBelow > 100 {
		badBelow = defaultBadBelow
	}
	loc := opt.loc()
	step := bucketStep(pts, opt, from, to)

	width, height := opt.size(availabilityHeight)
	p := plot{x0: 52, x1: float64(width) - 10, y0: 26, y1: float64(height) - 22}
	ts := newTimeScale(from, to, p.x0, p.x1)

	var w markup
	w.b.Grow(512 + len(pts)*180)
	w.open("availability", width, height, name, name+" "+fmtPercent(overall)+" from "+fmtWhen(from, loc, step)+
		" to "+fmtWhen(to, loc, step)+" ("+strconv.FormatInt(sumUp, 10)+" of "+strconv.FormatInt(sumCount, 10)+" observations open)")
	w.heading(opt.Title)
	w.raw(`<text class="overall" text-anchor="end" y="14" font-weight="bold" fill="#555"`)
	w.attrF("x", p.x1)
	w.raw(`>`)
	w.text(fmtPercent(overall))
	w.raw(`</text>`)
	w.valueAxis(p, 50, 100, " %")
	w.timeAxis(p, ts, loc)
	w.raw(`<g class="bars">`)
	for _, pt := range pts {
		w.bar(pt, ts, p, step, badBelow, loc)
	}
	w.raw(`</g>`)
	return w.html(), overall, true
}

// bar draws one bucket with its tooltip.
func (w *markup) bar(pt Point, ts timeScale, p plot, step time.Duration, badBelow float64, loc *time.Location) {
	up, count := upCount(pt)
	class, fill := barClass(up, count, badBelow)
	x0, x1 := ts.x(pt.T), ts.x(pt.T.Add(step))
	if x1-x0 > 3 {
		x1-- // a hair of space between wide bars
	}
	h := p.y1 - p.y0 // no data: a full grey bar
	tip := fmtWhen(pt.T, loc, step) + ": no data"
	if count > 0 {
		pct := float64(up) * 100 / float64(count)
		h = max(pct/100*(p.y1-p.y0), minBarPx)
		tip = fmtWhen(pt.T, loc, step) + ": " + fmtPercent(pct) + " (" + strconv.FormatInt(up, 10) + " of " +
			strconv.FormatInt(count, 10) + " open)"
	}
	w.raw(`<rect class="` + class + `" fill="` + fill + `"`)
	w.attrF("x", x0)
	w.attrF("y", p.y1-h)
	w.attrF("width", max(x1-x0, 0.5))
	w.attrF("height", h)
	w.raw(`>`)
	w.titled(tip)
	w.raw(`</rect>`)
}
