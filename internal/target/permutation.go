package target

import (
	"math"
	"math/bits"
)

// feistelRounds is the number of Feistel rounds. Four rounds already make
// a pseudo-random permutation in theory (Luby-Rackoff); six bring the
// measured statistics (e.g. how often consecutive outputs are neighbours)
// down to those of a truly random order for small n, and keep the halves
// in their starting roles (an even count).
const feistelRounds = 6

// Permutation yields every integer in [0,n) exactly once in a pseudo-random
// order using O(1) memory. It is a Feistel network over the mixed-radix
// domain [0,a) x [0,b) with a = ceil(sqrt(n)) and b = ceil(n/a), which
// encrypts a counter; results >= n are skipped ("cycle walking" by
// filtering). Each round maps (L in [0,a), R in [0,b)) to (R, (L + F(R)) mod
// a), which is invertible, so the network is a bijection of the domain, and
// a*b - n < a keeps skips rare. The same n and seed always give the same
// order. It is not safe for concurrent use.
type Permutation struct {
	n, emitted uint64
	a, b       uint64 // radices of the two halves; a*b >= n
	hi, lo     uint64 // the counter, as the pair (hi in [0,a), lo in [0,b))
	keys       [feistelRounds]uint64
}

// NewPermutation returns a permutation of [0,n) chosen by seed.
func NewPermutation(n uint64, seed uint64) *Permutation {
	p := &Permutation{n: n, a: 1, b: 1}
	if n > 0 {
		p.a = ceilSqrt(n)
		p.b = (n-1)/p.a + 1
	}
	state := seed
	for i := range p.keys {
		state += 0x9e3779b97f4a7c15 // splitmix64 sequence
		p.keys[i] = mix64(state)
	}
	return p
}

// Next returns the next value, or false once all n values were returned.
func (p *Permutation) Next() (uint64, bool) {
	for p.emitted < p.n {
		l, r := p.hi, p.lo
		if p.lo++; p.lo == p.b {
			p.lo = 0
			p.hi++
		}
		ml, mr := p.a, p.b // the moduli of l and r; they swap each round
		for _, k := range p.keys {
			f, _ := bits.Mul64(mix64(r^k), ml) // F(R) scaled into [0, ml)
			s := l + f
			if s >= ml {
				s -= ml
			}
			l, r = r, s
			ml, mr = mr, ml
		}
		// After an even number of rounds l is in [0,a) and r in [0,b) again.
		hi, lo := bits.Mul64(l, p.b)
		lo, carry := bits.Add64(lo, r, 0)
		if hi|carry == 0 && lo < p.n {
			p.emitted++
			return lo, true
		}
	}
	return 0, false
}

// ceilSqrt returns the smallest a with a*a >= n, for n >= 1.
func ceilSqrt(n uint64) uint64 {
	const maxRoot = 1<<32 - 1 // the largest s with s*s < 2^64
	s := min(uint64(math.Sqrt(float64(n))), maxRoot)
	for s*s > n { // float rounding may overshoot
		s--
	}
	for s < maxRoot && (s+1)*(s+1) <= n {
		s++
	}
	if s*s < n {
		s++
	}
	return s
}

// mix64 is the splitmix64 finaliser: a fast bijective mixer in which every
// input bit affects every output bit.
func mix64(z uint64) uint64 {
	z = (z ^ z>>30) * 0xbf58476d1ce4e5b9
	z = (z ^ z>>27) * 0x94d049bb133111eb
	return z ^ z>>31
}
