package chart

import (
	"math"
	"strconv"
	"time"
)

// tick is one labelled position on the time axis.
type tick struct {
	T     time.Time
	Label string
}

const day = 24 * time.Hour

// tickSteps are the time-axis steps, finest first. Sub-day steps divide a day
// and fall on wall-clock boundaries; day steps fall on local midnights (week
// steps on Mondays).
var tickSteps = [...]time.Duration{
	time.Second, 2 * time.Second, 5 * time.Second, 10 * time.Second, 15 * time.Second, 30 * time.Second,
	time.Minute, 2 * time.Minute, 5 * time.Minute, 10 * time.Minute, 15 * time.Minute, 30 * time.Minute,
	time.Hour, 2 * time.Hour, 3 * time.Hour, 6 * time.Hour, 12 * time.Hour,
	day, 2 * day, 7 * day, 14 * day, 28 * day, 91 * day, 182 * day, 364 * day,
}

// maxTickIter bounds the tick loops whatever the input (DST folds, huge ranges).
const maxTickIter = 200

// timeTicks returns at most about maxTicks ticks at sensible boundaries in [from, to).
func timeTicks(from, to time.Time, loc *time.Location, maxTicks int) []tick {
	span := seconds(from, to)
	if !(span > 0) {
		return nil
	}
	maxTicks = max(maxTicks, 2)
	for _, s := range tickSteps {
		if span/s.Seconds() > float64(maxTicks) {
			continue
		}
		if s < day {
			return clockTicks(from, to, loc, s)
		}
		return dayTicks(from, to, loc, int64(s/day))
	}
	// Beyond the table: whole multiples of its last step.
	last := int64(tickSteps[len(tickSteps)-1] / day)
	k := math.Ceil(span / (float64(last) * 86400 * float64(maxTicks)))
	return dayTicks(from, to, loc, last*int64(min(k, 1e6)))
}

// clockTicks places ticks where the local wall clock is a multiple of step.
func clockTicks(from, to time.Time, loc *time.Location, step time.Duration) []tick {
	lf := from.In(loc)
	y, mo, d := lf.Date()
	s := int64(step / time.Second)
	secs := int64(lf.Hour()*3600 + lf.Minute()*60 + lf.Second())
	k := secs / s
	layout := "15:04"
	if step < time.Minute {
		layout = "15:04:05"
	}
	var out []tick
	for range maxTickIter {
		t := time.Date(y, mo, d, 0, 0, int(k*s), 0, loc)
		k++
		if t.Before(from) || (len(out) > 0 && !t.After(out[len(out)-1].T)) {
			continue
		}
		if !t.Before(to) {
			break
		}
		label := t.Format(layout)
		if t.Hour() == 0 && t.Minute() == 0 && t.Second() == 0 {
			label = t.Format("Jan 2")
		}
		out = append(out, tick{T: t, Label: label})
	}
	return out
}

// dayTicks places ticks on local midnights whose day number is a multiple of
// n (Mondays for whole weeks), so ticks do not move as the range slides.
func dayTicks(from, to time.Time, loc *time.Location, n int64) []tick {
	y, mo, d := from.In(loc).Date()
	first := time.Date(y, mo, d, 0, 0, 0, 0, loc)
	ord := time.Date(y, mo, d, 0, 0, 0, 0, time.UTC).Unix() / 86400
	if n%7 == 0 {
		ord -= 4 // 1970-01-05 was a Monday
	}
	skip := ((n - ord%n) % n)
	var out []tick
	for i := range int64(maxTickIter) {
		t := first.AddDate(0, 0, int(skip+i*n))
		if t.Before(from) || (len(out) > 0 && !t.After(out[len(out)-1].T)) {
			continue
		}
		if !t.Before(to) {
			break
		}
		out = append(out, tick{T: t, Label: t.Format("Jan 2")})
	}
	return out
}

// valueTicks returns a "nice" step (1, 2 or 5 × 10^n) and the axis top (a
// multiple of the step ≥ top) for about n intervals from 0.
func valueTicks(top float64, n int) (step, axisTop float64) {
	if !(top > 0) || math.IsInf(top, 0) {
		top = 1
	}
	raw := top / float64(max(n, 1))
	e := math.Floor(math.Log10(raw))
	mag := math.Pow(10, e)
	m := 10.0
	for _, c := range [...]float64{1, 2, 5} {
		if c*mag >= raw*(1-1e-9) {
			m = c
			break
		}
	}
	k := math.Ceil(top/(m*mag) - 1e-9)
	if e < 0 { // divide by an exact power of ten: 3×2/10 is 0.6, 3×(2×0.1) is not
		p := math.Pow(10, -e)
		return m / p, k * m / p
	}
	return m * mag, k * m * mag
}

// tickLabel formats i×step without floating-point noise.
func tickLabel(i int, step float64) string {
	dec := 0
	if step < 1 {
		dec = int(math.Ceil(-math.Log10(step) - 1e-9))
	}
	return strconv.FormatFloat(float64(i)*step, 'f', dec, 64)
}
