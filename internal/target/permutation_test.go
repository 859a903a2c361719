package target

import (
	"testing"
)

// checkBijection drains a permutation and checks it yields [0,n) once each.
func checkBijection(t *testing.T, n, seed uint64) []uint64 {
	t.Helper()
	p := NewPermutation(n, seed)
	seen := make([]bool, n)
	out := make([]uint64, 0, n)
	for {
		v, ok := p.Next()
		if !ok {
			break
		}
		if v >= n {
			t.Fatalf("n=%d seed=%d: value %d out of range", n, seed, v)
		}
		if seen[v] {
			t.Fatalf("n=%d seed=%d: value %d twice", n, seed, v)
		}
		seen[v] = true
		out = append(out, v)
	}
	if uint64(len(out)) != n {
		t.Fatalf("n=%d seed=%d: %d values, want %d", n, seed, len(out), n)
	}
	if _, ok := p.Next(); ok {
		t.Fatalf("n=%d: Next returned a value after the end", n)
	}
	return out
}

func TestPermutationBijection(t *testing.T) {
	sizes := []uint64{0, 1, 2, 3, 4, 5, 7, 8, 9, 13, 16, 17, 31, 32, 33, 97, 127, 128, 129, 251, 256, 257,
		1000, 1023, 1024, 1025, 4093, 4096, 65521, 65535, 65536, 65537, 65535 * 3, 1 << 18, 1<<18 + 1, 1000003}
	for _, n := range sizes {
		for _, seed := range []uint64{0, 1, 0xdeadbeef, ^uint64(0)} {
			checkBijection(t, n, seed)
		}
	}
}

func TestPermutationSeeds(t *testing.T) {
	const n = 1000
	a := checkBijection(t, n, 1)
	b := checkBijection(t, n, 2)
	a2 := checkBijection(t, n, 1)
	same := 0
	for i := range a {
		if a[i] != a2[i] {
			t.Fatal("the same seed gave different orders")
		}
		if a[i] == b[i] {
			same++
		}
	}
	// Two random orders agree in about one place; allow a few.
	if same > 10 {
		t.Errorf("seeds 1 and 2 agree in %d of %d places", same, n)
	}
	// Small n: over many seeds, several orders appear.
	orders := make(map[[3]uint64]bool)
	for seed := range uint64(64) {
		o := checkBijection(t, 3, seed)
		orders[[3]uint64{o[0], o[1], o[2]}] = true
	}
	if len(orders) < 4 {
		t.Errorf("64 seeds gave only %d of the 6 orders of 3 values", len(orders))
	}
}

func TestPermutationSpread(t *testing.T) {
	for _, n := range []uint64{256, 65536, 100000, 1 << 20} {
		out := checkBijection(t, n, 42)
		adjacent, near := 0, 0
		for i := 1; i < len(out); i++ {
			d := int64(out[i]) - int64(out[i-1])
			if d == 1 || d == -1 {
				adjacent++
			}
			if d < int64(n/100) && d > -int64(n/100) {
				near++
			}
		}
		// Random orders put about 2/n of the steps at distance 1 and
		// about 2% within n/100.
		if float64(adjacent) > 0.01*float64(n)+3 {
			t.Errorf("n=%d: %d consecutive outputs differ by 1", n, adjacent)
		}
		if float64(near) > 0.05*float64(n) {
			t.Errorf("n=%d: %d consecutive outputs within n/100 of each other", n, near)
		}
		// The first values should not be the start of the range.
		small := 0
		for _, v := range out[:64] {
			if v < n/8 {
				small++
			}
		}
		if small > 24 {
			t.Errorf("n=%d: %d of the first 64 values are in the lowest eighth", n, small)
		}
	}
}

func TestPermutationHuge(t *testing.T) {
	// The largest n: the 64-bit domain must work and stay in range.
	const n = ^uint64(0)
	p := NewPermutation(n, 7)
	for range 1000 {
		if v, ok := p.Next(); !ok || v >= n {
			t.Fatalf("Next = %d, %v", v, ok)
		}
	}
	p = NewPermutation(1<<40+3, 7)
	for range 1000 {
		if v, ok := p.Next(); !ok || v >= 1<<40+3 {
			t.Fatalf("Next = %d, %v", v, ok)
		}
	}
}

func BenchmarkPermutation(b *testing.B) {
	for _, n := range []uint64{1 << 16, 1<<16 + 1, 1 << 32} {
		b.Run("n="+itoa(n), func(b *testing.B) {
			p := NewPermutation(n, 1)
			var sink uint64
			for b.Loop() {
				v, ok := p.Next()
				if !ok {
					p = NewPermutation(n, sink)
				}
				sink += v
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds()/1e6, "Mvalues/s")
		})
	}
}

func itoa(n uint64) string {
	if n == 0 {
		return "0"
	}
	var b []byte
	for ; n > 0; n /= 10 {
		b = append([]byte{byte('0' + n%10)}, b...)
	}
	return string(b)
}

func TestCeilSqrt(t *testing.T) {
	tests := map[uint64]uint64{1: 1, 2: 2, 3: 2, 4: 2, 5: 3, 9: 3, 10: 4, 1 << 32: 1 << 16, 1<<32 + 1: 1<<16 + 1,
		(1<<32 - 1) * (1<<32 - 1): 1<<32 - 1, (1<<32-1)*(1<<32-1) + 1: 1 << 32, ^uint64(0): 1 << 32}
	for n, want := range tests {
		if got := ceilSqrt(n); got != want {
			t.Errorf("ceilSqrt(%d) = %d, want %d", n, got, want)
		}
	}
}
