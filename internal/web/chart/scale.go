package chart

import (
	"cmp"
	"slices"
	"time"
)

// plot is the drawing area of a chart inside its viewBox.
type plot struct {
	x0, x1, y0, y1 float64
}

// timeScale maps instants of [from, to) onto [x0, x1].
type timeScale struct {
	from, to time.Time
	x0, x1   float64
	span     float64 // seconds, > 0
}

// seconds returns b-a in seconds without the ±292-year saturation of time.Sub.
func seconds(a, b time.Time) float64 {
	return float64(b.Unix()-a.Unix()) + float64(b.Nanosecond()-a.Nanosecond())/1e9
}

// normRange orders a range and reports whether it has a width.
func normRange(from, to time.Time) (time.Time, time.Time, bool) {
	if to.Before(from) {
		from, to = to, from
	}
	return from, to, to.After(from)
}

func newTimeScale(from, to time.Time, x0, x1 float64) timeScale {
	span := seconds(from, to)
	if !(span > 0) {
		span = 1
	}
	return timeScale{from: from, to: to, x0: x0, x1: x1, span: span}
}

// x returns the position of t, clamped to the plot.
func (s timeScale) x(t time.Time) float64 {
	switch {
	case t.Before(s.from):
		return s.x0
	case !t.Before(s.to):
		return s.x1
	}
	return clampF(s.x0+seconds(s.from, t)/s.span*(s.x1-s.x0), s.x0, s.x1)
}

// inWindow returns the points whose bucket starts in [from, to), ordered by
// time (the input is copied only when it is not ordered already).
func inWindow(points []Point, from, to time.Time) []Point {
	out := make([]Point, 0, len(points))
	for _, p := range points {
		if !p.T.Before(from) && p.T.Before(to) {
			out = append(out, p)
		}
	}
	byTime := func(a, b Point) int { return a.T.Compare(b.T) }
	if !slices.IsSortedFunc(out, byTime) {
		slices.SortStableFunc(out, byTime)
	}
	return out
}

// bucketStep returns the bucket width: the configured one, else the
// smallest positive spacing of the points, else the whole range.
func bucketStep(points []Point, opt Options, from, to time.Time) time.Duration {
	if opt.Step > 0 {
		return opt.Step
	}
	var step time.Duration
	for i := 1; i < len(points); i++ {
		d := points[i].T.Sub(points[i-1].T)
		if d > 0 && (step == 0 || d < step) {
			step = d
		}
	}
	if step == 0 {
		step = to.Sub(from)
	}
	return max(step, 1)
}

// maxOf returns the largest value of f over xs (zero for none).
func maxOf[T any, V cmp.Ordered](xs []T, f func(T) V) V {
	var m V
	for _, x := range xs {
		m = max(m, f(x))
	}
	return m
}
