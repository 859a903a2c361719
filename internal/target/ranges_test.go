package target

import (
	"math/rand/v2"
	"testing"
)

// bitmapModel is the obvious implementation over a small value space,
// against which the range algebra is checked.
type bitmapModel [256]bool

func (m *bitmapModel) add(spans []span) {
	for _, s := range spans {
		for v := s.first.lo; v <= s.last.lo; v++ {
			m[v] = true
		}
	}
}

func (m *bitmapModel) equal(t *testing.T, spans []span) {
	t.Helper()
	var got bitmapModel
	got.add(spans)
	if got != *m {
		t.Fatalf("spans %v do not match the model", spans)
	}
	for i := 1; i < len(spans); i++ {
		if spans[i-1].last.add(1).cmp(spans[i].first) >= 0 {
			t.Fatalf("spans %v are not sorted, disjoint and non-adjacent", spans)
		}
	}
}

func randomSpans(r *rand.Rand) []span {
	n := r.IntN(8)
	out := make([]span, n)
	for i := range out {
		a, b := r.Uint64N(256), r.Uint64N(256)
		out[i] = span{u128{0, min(a, b)}, u128{0, max(a, b)}}
	}
	return out
}

func TestRangeAlgebraAgainstModel(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for range 20000 {
		a, b := normalize(randomSpans(r)), normalize(randomSpans(r))
		var ma, mb, diff bitmapModel
		ma.add(a)
		mb.add(b)
		ma.equal(t, a)
		mb.equal(t, b)
		for v := range diff {
			diff[v] = ma[v] && !mb[v]
		}
		diff.equal(t, subtract(a, b))
		for v := range 256 {
			if containsValue(a, u128{0, uint64(v)}) != ma[v] {
				t.Fatalf("containsValue(%v, %d) wrong", a, v)
			}
		}
	}
}

func TestRangeEdgesOf128Bits(t *testing.T) {
	all := []span{{u128{}, maxU128()}}
	if _, ok := total(all); ok {
		t.Error("total of the whole IPv6 space fits in uint64")
	}
	top := span{maxU128().sub(u128{0, 5}), maxU128()}
	got := normalize([]span{top, {u128{}, u128{0, 3}}, {maxU128(), maxU128()}})
	if len(got) != 2 || got[1] != top {
		t.Errorf("normalize at the top of the space: %v", got)
	}
	rest := subtract(all, []span{{u128{}, u128{0, 9}}, {maxU128(), maxU128()}})
	if len(rest) != 1 || rest[0].first != (u128{0, 10}) || rest[0].last != maxU128().dec() {
		t.Errorf("subtract at the edges: %v", rest)
	}
	if n, ok := (span{u128{1, 0}, u128{1, ^uint64(0) - 1}}).size(); !ok || n != ^uint64(0) {
		t.Errorf("size of 2^64-1 addresses = %d, %v", n, ok)
	}
	if _, ok := (span{u128{1, 0}, u128{1, ^uint64(0)}}).size(); ok {
		t.Error("size of 2^64 addresses fits in uint64")
	}
	if _, ok := total([]span{{u128{}, u128{0, 1 << 63}}, {u128{1, 0}, u128{1, 1 << 63}}}); ok {
		t.Error("sum overflow not detected")
	}
}
