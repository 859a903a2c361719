package chart

import (
	"encoding/xml"
	"html/template"
	"math"
	"strconv"
	"strings"
)

// markup accumulates SVG. Its methods write either fixed markup of this
// package, numbers, or escaped text; user text only ever goes through text.
type markup struct {
	b   strings.Builder
	num []byte
}

// raw writes markup built by this package (never user text).
func (w *markup) raw(s string) { w.b.WriteString(s) }

// text writes s XML-escaped, valid in element content and in quoted
// attributes; characters XML cannot carry become U+FFFD.
func (w *markup) text(s string) {
	// strings.Builder.Write never fails.
	_ = xml.EscapeText(&w.b, []byte(s))
}

// f writes a coordinate rounded to 0.1 px.
func (w *markup) f(v float64) {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		v = 0
	}
	w.num = strconv.AppendFloat(w.num[:0], math.Round(v*10)/10, 'f', -1, 64)
	w.b.Write(w.num)
}

// i writes an integer.
func (w *markup) i(v int) {
	w.num = strconv.AppendInt(w.num[:0], int64(v), 10)
	w.b.Write(w.num)
}

// attrF writes ` name="v"`.
func (w *markup) attrF(name string, v float64) {
	w.raw(" ")
	w.raw(name)
	w.raw(`="`)
	w.f(v)
	w.raw(`"`)
}

// open writes the root element with its accessible name and description.
func (w *markup) open(kind string, width, height int, title, desc string) {
	w.raw(`<svg xmlns="http://www.w3.org/2000/svg" class="pwchart pwchart-`)
	w.raw(kind)
	w.raw(`" viewBox="0 0 `)
	w.i(width)
	w.raw(" ")
	w.i(height)
	w.raw(`" width="`)
	w.i(width)
	w.raw(`" height="`)
	w.i(height)
	w.raw(`" role="img" font-family="sans-serif" font-size="11"><title>`)
	w.text(title)
	w.raw(`</title><desc>`)
	w.text(desc)
	w.raw(`</desc>`)
}

// heading draws the visible title at the top left, if there is one.
func (w *markup) heading(title string) {
	if title == "" {
		return
	}
	w.raw(`<text class="title" x="8" y="14" font-weight="bold" fill="#555">`)
	w.text(title)
	w.raw(`</text>`)
}

// titled writes <title>s</title> (a hover tooltip inside an element).
func (w *markup) titled(s string) {
	w.raw(`<title>`)
	w.text(s)
	w.raw(`</title>`)
}

// html closes the root element and returns the markup.
func (w *markup) html() template.HTML {
	w.raw(`</svg>`)
	return template.HTML(w.b.String()) //nolint:gosec // built here, user text escaped by text()
}

// noData returns a chart that says "no data" (empty input or time range).
func noData(kind string, opt Options, defHeight int, title, why string) template.HTML {
	width, height := opt.size(defHeight)
	var w markup
	w.open(kind, width, height, title, title+": no data ("+why+")")
	w.heading(opt.Title)
	w.raw(`<rect class="frame" x="0.5" y="0.5"`)
	w.attrF("width", float64(width)-1)
	w.attrF("height", float64(height)-1)
	w.raw(` fill="none" stroke="#ccc"/><text class="nodata" text-anchor="middle" dominant-baseline="middle" fill="#888"`)
	w.attrF("x", float64(width)/2)
	w.attrF("y", float64(height)/2)
	w.raw(`>no data</text>`)
	return w.html()
}
