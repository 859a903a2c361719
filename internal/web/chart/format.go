package chart

import (
	"math"
	"strconv"
	"strings"
	"time"
)

// latencyUnit is the value-axis unit: µs when everything is below 1 ms, else ms.
type latencyUnit struct {
	ns   float64
	name string
}

func unitFor(top time.Duration) latencyUnit {
	if top < time.Millisecond {
		return latencyUnit{ns: 1e3, name: "µs"}
	}
	return latencyUnit{ns: 1e6, name: "ms"}
}

// fmtLatency formats d with about three significant digits: "850 µs", "3.25 ms", "1250 ms".
func fmtLatency(d time.Duration) string {
	u := unitFor(d)
	return fmtSig(float64(d)/u.ns) + " " + u.name
}

// fmtSig formats v with about three significant digits, no exponent.
func fmtSig(v float64) string {
	dec := 2
	switch a := math.Abs(v); {
	case a >= 100:
		dec = 0
	case a >= 10:
		dec = 1
	}
	s := strconv.FormatFloat(v, 'f', dec, 64)
	if strings.Contains(s, ".") {
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	}
	return s
}

// fmtPercent formats a percentage with two decimals, truncated so that
// anything short of 100 never reads as "100".
func fmtPercent(p float64) string {
	p = clampF(p, 0, 100)
	if p < 100 {
		p = math.Floor(p*100) / 100
	}
	s := strconv.FormatFloat(p, 'f', 2, 64)
	s = strings.TrimSuffix(s, ".00")
	return s + " %"
}

// fmtWhen formats a tooltip time, with seconds only for sub-minute buckets.
func fmtWhen(t time.Time, loc *time.Location, step time.Duration) string {
	if step < time.Minute {
		return t.In(loc).Format("2006-01-02 15:04:05 MST")
	}
	return t.In(loc).Format("2006-01-02 15:04 MST")
}

// fmtSpan formats a segment length as "3d 4h", "2h 5m", "45s".
func fmtSpan(d time.Duration) string {
	d = d.Round(time.Second)
	switch {
	case d >= day:
		return strconv.FormatInt(int64(d/day), 10) + "d " + strconv.FormatInt(int64(d%day/time.Hour), 10) + "h"
	case d >= time.Hour:
		return strconv.FormatInt(int64(d/time.Hour), 10) + "h " + strconv.FormatInt(int64(d%time.Hour/time.Minute), 10) + "m"
	case d >= time.Minute:
		return strconv.FormatInt(int64(d/time.Minute), 10) + "m " + strconv.FormatInt(int64(d%time.Minute/time.Second), 10) + "s"
	default:
		return strconv.FormatInt(int64(d/time.Second), 10) + "s"
	}
}
