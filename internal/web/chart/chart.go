// Package chart draws the dashboard's charts (latency, availability, state
// timeline) as inline SVG markup built in Go, so the pages need no JavaScript
// chart library and work air-gapped.
//
// Every function returns complete, well-formed SVG; all text that may come
// from users (titles, lane names, labels, states) is XML-escaped. Colours come
// from the CSS classes listed in CSS, with inline default fills so a chart
// still reads without the stylesheet.
package chart

import (
	"time"
)

// Point is one bucket of a latency series.
type Point struct {
	T        time.Time     // start of the bucket
	P50, P95 time.Duration // zero = no latency data in that bucket (draw a gap)
	Count    int64         // observations in the bucket (0 = no data: gap)
	Up       int64         // observations that saw the endpoint open
}

// Segment is one interval of a state timeline. A zero To means "still in
// this state" and extends to the end of the chart.
type Segment struct {
	From, To time.Time
	State    string // open, closed, filtered, open|filtered; anything else is drawn as unknown
	Label    string // extra text for the tooltip (reason, service ...)
}

// Lane is one labelled row of a state timeline.
type Lane struct {
	Name     string
	Segments []Segment
}

// Options sets the size, title and time zone of a chart. The zero value is usable.
type Options struct {
	Width, Height int            // CSS px of the viewBox; 0 = default (720 wide; height per chart)
	Title         string         // shown above the plot and used as the accessible name
	Location      *time.Location // time zone of the axis labels and tooltips; nil = UTC

	// Step is the bucket width; 0 = inferred from the smallest spacing of the points.
	Step time.Duration
	// BadBelow is the availability percentage under which a bucket is drawn
	// red (bar-bad) instead of amber; 0 = 90.
	BadBelow float64
	// ID names the ids a chart defines (the timeline's hatch pattern,
	// reduced to [A-Za-z0-9_-]); "" = derived from the chart's content. Equal
	// ids define equal patterns, so a clash only matters when the first
	// chart carrying it is hidden (display:none).
	ID string
}

const (
	defaultWidth = 720
	minWidth     = 160
	maxWidth     = 4096
	minHeight    = 60
	maxHeight    = 4096
)

// size returns the clamped width and height, with defHeight when Height is 0.
func (o Options) size(defHeight int) (int, int) {
	w, h := o.Width, o.Height
	if w <= 0 {
		w = defaultWidth
	}
	if h <= 0 {
		h = defHeight
	}
	return clampInt(w, minWidth, maxWidth), clampInt(h, minHeight, maxHeight)
}

// loc returns the axis time zone.
func (o Options) loc() *time.Location {
	if o.Location == nil {
		return time.UTC
	}
	return o.Location
}

func clampInt(v, lo, hi int) int {
	return max(lo, min(v, hi))
}

func clampF(v, lo, hi float64) float64 {
	if v != v { // NaN
		return lo
	}
	return max(lo, min(v, hi))
}
