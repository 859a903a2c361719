package target

import (
	"encoding/binary"
	"math/bits"
	"net/netip"
)

// u128 is an address as an unsigned 128-bit integer. IPv4 addresses use
// only the low 32 bits of lo.
type u128 struct{ hi, lo uint64 }

// maxU128 returns the all-ones value, the last IPv6 address.
func maxU128() u128 { return u128{^uint64(0), ^uint64(0)} }

func (a u128) cmp(b u128) int {
	switch {
	case a.hi < b.hi:
		return -1
	case a.hi > b.hi:
		return 1
	case a.lo < b.lo:
		return -1
	case a.lo > b.lo:
		return 1
	}
	return 0
}

func (a u128) less(b u128) bool { return a.cmp(b) < 0 }

// add returns a+n, wrapping at 2^128 (callers check for overflow first).
func (a u128) add(n uint64) u128 {
	lo, carry := bits.Add64(a.lo, n, 0)
	return u128{a.hi + carry, lo}
}

// sub returns a-b, wrapping below zero (callers ensure a >= b).
func (a u128) sub(b u128) u128 {
	lo, borrow := bits.Sub64(a.lo, b.lo, 0)
	return u128{a.hi - b.hi - borrow, lo}
}

// inc returns a+1 and whether that overflowed 2^128.
func (a u128) inc() (u128, bool) {
	if a == maxU128() {
		return u128{}, true
	}
	return a.add(1), false
}

// dec returns a-1; a must not be zero.
func (a u128) dec() u128 { return a.sub(u128{0, 1}) }

// hostMask returns a value with the low 128-prefix bits set: the host part of
// a prefix of the given length in a 128-bit space.
func hostMask(prefix int) u128 {
	switch {
	case prefix <= 0:
		return maxU128()
	case prefix >= 128:
		return u128{}
	case prefix <= 64:
		return u128{^uint64(0) >> prefix, ^uint64(0)}
	default:
		return u128{0, ^uint64(0) >> (prefix - 64)}
	}
}

func (a u128) and(b u128) u128 { return u128{a.hi & b.hi, a.lo & b.lo} }
func (a u128) or(b u128) u128  { return u128{a.hi | b.hi, a.lo | b.lo} }
func (a u128) not() u128       { return u128{^a.hi, ^a.lo} }

// fromAddr converts an address; is4 reports whether it is IPv4 (after
// unmapping IPv4-mapped IPv6, which the caller is expected to have done).
func fromAddr(a netip.Addr) (v u128, is4 bool) {
	if a.Is4() {
		b := a.As4()
		return u128{0, uint64(binary.BigEndian.Uint32(b[:]))}, true
	}
	b := a.As16()
	return u128{binary.BigEndian.Uint64(b[:8]), binary.BigEndian.Uint64(b[8:])}, false
}

func toAddr4(v u128) netip.Addr {
	var b [4]byte
	binary.BigEndian.PutUint32(b[:], uint32(v.lo))
	return netip.AddrFrom4(b)
}

func toAddr6(v u128) netip.Addr {
	var b [16]byte
	binary.BigEndian.PutUint64(b[:8], v.hi)
	binary.BigEndian.PutUint64(b[8:], v.lo)
	return netip.AddrFrom16(b)
}
