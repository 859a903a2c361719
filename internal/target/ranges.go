package target

import (
	"math/bits"
	"slices"
)

// span is an inclusive range of addresses of one family.
type span struct{ first, last u128 }

// size returns the number of addresses in s, and false if that does not fit
// in a uint64.
func (s span) size() (uint64, bool) {
	d := s.last.sub(s.first)
	if d.hi != 0 || d.lo == ^uint64(0) {
		return 0, false
	}
	return d.lo + 1, true
}

// normalize sorts spans and merges the ones that overlap or touch, in place.
func normalize(spans []span) []span {
	if len(spans) < 2 {
		return spans
	}
	slices.SortFunc(spans, func(a, b span) int { return a.first.cmp(b.first) })
	out := spans[:1]
	for _, s := range spans[1:] {
		cur := &out[len(out)-1]
		next, overflow := cur.last.inc()
		if overflow || !next.less(s.first) { // s starts inside cur or right after it
			if cur.last.less(s.last) {
				cur.last = s.last
			}
			continue
		}
		out = append(out, s)
	}
	return slices.Clip(out)
}

// subtract returns the addresses of a that are not in b. Both must be
// normalized; the result is normalized and shares no memory with them.
func subtract(a, b []span) []span {
	var out []span
	j := 0
	for _, s := range a {
		cur := s
		alive := true
		// Skip exclusions that end before cur starts.
		for j < len(b) && b[j].last.less(cur.first) {
			j++
		}
		for k := j; alive && k < len(b) && !cur.last.less(b[k].first); k++ {
			x := b[k]
			if cur.first.less(x.first) {
				out = append(out, span{cur.first, x.first.dec()})
			}
			if !x.last.less(cur.last) {
				alive = false
				break
			}
			cur.first = x.last.add(1) // x.last < cur.last, so no overflow
		}
		if alive {
			out = append(out, cur)
		}
	}
	return out
}

// intersect returns the parts of spans (normalized) that lie inside r.
func intersect(spans []span, r span) []span {
	var out []span
	for _, s := range spans {
		if s.last.less(r.first) || r.last.less(s.first) {
			continue
		}
		if s.first.less(r.first) {
			s.first = r.first
		}
		if r.last.less(s.last) {
			s.last = r.last
		}
		out = append(out, s)
	}
	return out
}

// containsValue reports whether v is in the normalized spans.
func containsValue(spans []span, v u128) bool {
	i, found := slices.BinarySearchFunc(spans, v, func(s span, v u128) int { return s.first.cmp(v) })
	if found {
		return true
	}
	return i > 0 && !spans[i-1].last.less(v)
}

// total returns the number of addresses in spans, and false if it does not
// fit in a uint64.
func total(spans []span) (uint64, bool) {
	var sum uint64
	for _, s := range spans {
		n, ok := s.size()
		if !ok {
			return 0, false
		}
		var carry uint64
		sum, carry = bits.Add64(sum, n, 0)
		if carry != 0 {
			return 0, false
		}
	}
	return sum, true
}
