package chart

import "time"

// pxPerTimeTick is the room one time label needs.
const pxPerTimeTick = 64

// timeAxis draws vertical grid lines and time labels under the plot.
func (w *markup) timeAxis(p plot, s timeScale, loc *time.Location) {
	ticks := timeTicks(s.from, s.to, loc, int((p.x1-p.x0)/pxPerTimeTick))
	w.raw(`<g class="axis axis-time" fill="#777" text-anchor="middle">`)
	for _, t := range ticks {
		x := s.x(t.T)
		w.raw(`<line class="grid" stroke="#ddd" stroke-width="1"`)
		w.attrF("x1", x)
		w.attrF("x2", x)
		w.attrF("y1", p.y0)
		w.attrF("y2", p.y1+4)
		w.raw(`/><text`)
		w.attrF("x", x)
		w.attrF("y", p.y1+15)
		w.raw(`>`)
		w.text(t.Label)
		w.raw(`</text>`)
	}
	w.raw(`<line class="baseline" stroke="#bbb" stroke-width="1"`)
	w.attrF("x1", p.x0)
	w.attrF("x2", p.x1)
	w.attrF("y1", p.y1)
	w.attrF("y2", p.y1)
	w.raw(`/></g>`)
}

// valueAxis draws horizontal grid lines and labels left of the plot for
// 0..top in steps of step, each label followed by suffix.
func (w *markup) valueAxis(p plot, step, top float64, suffix string) {
	w.raw(`<g class="axis axis-value" fill="#777" text-anchor="end">`)
	n := int(top/step + 0.5)
	for i := 0; i <= n && i <= 20; i++ {
		y := p.y1 - float64(i)*step/top*(p.y1-p.y0)
		w.raw(`<line class="grid" stroke="#eee" stroke-width="1"`)
		w.attrF("x1", p.x0)
		w.attrF("x2", p.x1)
		w.attrF("y1", y)
		w.attrF("y2", y)
		w.raw(`/><text dominant-baseline="middle"`)
		w.attrF("x", p.x0-4)
		w.attrF("y", y)
		w.raw(`>`)
		w.text(tickLabel(i, step) + suffix)
		w.raw(`</text>`)
	}
	w.raw(`</g>`)
}
