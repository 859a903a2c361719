package chart

import (
	"hash/fnv"
	"html/template"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

const (
	laneLabelWidth = 110 // room for lane names
	laneNameRunes  = 16  // longer names are shortened (in full in the tooltip)
	lanePitch      = 24  // px per lane when the height is automatic
	axisHeight     = 22
)

// segStyle returns the class and default fill of a state; hatch is the
// pattern URL used for open|filtered.
func segStyle(state, hatch string) (class, fill string) {
	switch strings.ToLower(strings.TrimSpace(state)) {
	case "open":
		return "seg-open", "#2e9d4f"
	case "closed":
		return "seg-closed", "#9e9e9e"
	case "filtered":
		return "seg-filtered", "#e3a21a"
	case "open|filtered":
		return "seg-openfiltered", "url(#" + hatch + ")"
	default:
		return "seg-unknown", "#ececec"
	}
}

// Timeline draws a horizontal strip of state segments per lane (open green,
// closed grey, filtered amber, open|filtered amber-hatched, anything else
// light) with a time axis. Segments are clipped to [from, to); a reversed
// range is swapped; no lanes or an empty range draw "no data". With Height 0
// the height follows the number of lanes.
func Timeline(lanes []Lane, from, to time.Time, opt Options) template.HTML {
	name := opt.Title
	if name == "" {
		name = "State timeline"
	}
	from, to, ok := normRange(from, to)
	if !ok {
		return noData("timeline", opt, 80, name, "empty time range")
	}
	if len(lanes) == 0 {
		return noData("timeline", opt, 80, name, "no lanes")
	}
	top := 8.0
	if opt.Title != "" {
		top = 24
	}
	left := 8.0
	for _, l := range lanes {
		if l.Name != "" {
			left = laneLabelWidth
			break
		}
	}
	autoH := int(top) + len(lanes)*lanePitch + axisHeight
	width, height := opt.size(min(autoH, maxHeight))
	p := plot{x0: left, x1: float64(width) - 10, y0: top, y1: float64(height) - axisHeight}
	pitch := (p.y1 - p.y0) / float64(len(lanes))
	ts := newTimeScale(from, to, p.x0, p.x1)
	loc := opt.loc()
	hatch := patternID(opt.ID, lanes, from, to) + "-hatch"

	var w markup
	w.open("timeline", width, height, name, name+" of "+strconv.Itoa(len(lanes))+" lanes from "+
		fmtWhen(from, loc, time.Hour)+" to "+fmtWhen(to, loc, time.Hour))
	w.hatchDef(hatch)
	w.heading(opt.Title)
	w.timeAxis(p, ts, loc)
	for i, l := range lanes {
		w.lane(l, p.y0+float64(i)*pitch, pitch, ts, loc, hatch)
	}
	return w.html()
}

// lane draws one row: its name, background and segments.
func (w *markup) lane(l Lane, y, pitch float64, ts timeScale, loc *time.Location, hatch string) {
	h := max(pitch*0.75, 1)
	y += (pitch - h) / 2
	w.raw(`<g class="lane">`)
	if l.Name != "" {
		w.raw(`<text class="lane-name" fill="#555" text-anchor="end" dominant-baseline="middle"`)
		w.attrF("x", ts.x0-6)
		w.attrF("y", y+h/2)
		w.raw(`>`)
		w.titled(l.Name)
		w.text(shorten(l.Name, laneNameRunes))
		w.raw(`</text>`)
	}
	w.raw(`<rect class="lane-bg" fill="#f6f6f6"`)
	w.attrF("x", ts.x0)
	w.attrF("y", y)
	w.attrF("width", ts.x1-ts.x0)
	w.attrF("height", h)
	w.raw(`/>`)
	for _, s := range l.Segments {
		from, to := s.From, s.To
		if to.IsZero() {
			to = ts.to
		}
		if from.Before(ts.from) {
			from = ts.from
		}
		if to.After(ts.to) {
			to = ts.to
		}
		if !to.After(from) {
			continue
		}
		class, fill := segStyle(s.State, hatch)
		x0, x1 := ts.x(from), ts.x(to)
		w.raw(`<rect class="seg ` + class + `" fill="` + fill + `"`)
		w.attrF("x", x0)
		w.attrF("y", y)
		w.attrF("width", max(x1-x0, 0.5))
		w.attrF("height", h)
		w.raw(`>`)
		tip := l.Name
		if tip != "" {
			tip += ": "
		}
		tip += s.State + " from " + fmtWhen(from, loc, to.Sub(from)) + " to " + fmtWhen(to, loc, to.Sub(from)) +
			" (" + fmtSpan(to.Sub(from)) + ")"
		if s.Label != "" {
			tip += ", " + s.Label
		}
		w.titled(tip)
		w.raw(`</rect>`)
	}
	w.raw(`</g>`)
}

// hatchDef defines the amber hatch of open|filtered.
func (w *markup) hatchDef(id string) {
	w.raw(`<defs><pattern id="` + id + `" patternUnits="userSpaceOnUse" width="6" height="6" patternTransform="rotate(45)">` +
		`<rect class="hatch-bg" width="6" height="6" fill="#f6dca0"/>` +
		`<line class="hatch-line" x1="0" y1="0" x2="0" y2="6" stroke="#e3a21a" stroke-width="3"/></pattern></defs>`)
}

// shorten cuts s to n runes, marking the cut with an ellipsis.
func shorten(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}

// patternID returns a safe id prefix: the caller's (reduced to [A-Za-z0-9_-])
// or one derived from the chart's content, so equal ids define equal patterns.
func patternID(want string, lanes []Lane, from, to time.Time) string {
	var b strings.Builder
	b.WriteString("pw-")
	for _, r := range want {
		if r == '-' || r == '_' || (r >= '0' && r <= '9') || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') {
			b.WriteRune(r)
		}
	}
	if b.Len() > 3 {
		return b.String()
	}
	h := fnv.New64a()
	var buf [24]byte
	for _, l := range lanes {
		h.Write([]byte(l.Name))
		h.Write(strconv.AppendInt(buf[:0], int64(len(l.Segments)), 10))
	}
	h.Write(strconv.AppendInt(buf[:0], from.UnixNano(), 10))
	h.Write(strconv.AppendInt(buf[:0], to.UnixNano(), 10))
	return "pw-" + strconv.FormatUint(h.Sum64(), 36)
}
