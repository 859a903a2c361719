package target

import (
	"net/netip"
	"slices"
	"sort"
)

// Failure is a target that could not be resolved. It is not fatal: the
// other targets are still scanned, and the caller reports the failure.
type Failure struct {
	Target string // the token as the user wrote it
	Err    error  // names the token and its source
}

// Set is the parsed, merged and exclusion-subtracted set of target
// addresses. It holds sorted disjoint ranges, never one entry per address,
// and is read-only once built, so it may be shared between goroutines.
type Set struct {
	v4, v6   []span
	v4Index  []uint64 // v4Index[i] is the position of v4[i].first among all IPv4 addresses
	v6Index  []uint64 // the same for v6, counted from the first IPv6 address
	v4Len    uint64
	n        uint64
	names    map[netip.Addr][]string
	failures []Failure
}

// newSet builds the index of normalized spans; the caller has checked that
// the total fits in a uint64.
func newSet(v4, v6 []span, names map[netip.Addr][]string, failures []Failure) *Set {
	s := &Set{v4: v4, v6: v6, failures: failures}
	s.v4Index, s.v4Len = positions(v4)
	var v6Len uint64
	s.v6Index, v6Len = positions(v6)
	s.n = s.v4Len + v6Len
	s.names = make(map[netip.Addr][]string)
	for a, ns := range names {
		if s.Contains(a) {
			s.names[a] = ns
		}
	}
	return s
}

func positions(spans []span) ([]uint64, uint64) {
	idx := make([]uint64, len(spans))
	var pos uint64
	for i, sp := range spans {
		idx[i] = pos
		n, _ := sp.size()
		pos += n
	}
	return idx, pos
}

// Len returns the number of addresses in the set.
func (s *Set) Len() uint64 { return s.n }

// At returns the i-th address, 0 <= i < Len(): IPv4 addresses ascending,
// then IPv6 addresses ascending. It panics if i is out of range.
func (s *Set) At(i uint64) netip.Addr {
	if i >= s.n {
		panic("target: Set.At index out of range")
	}
	if i < s.v4Len {
		return toAddr4(nth(s.v4, s.v4Index, i))
	}
	return toAddr6(nth(s.v6, s.v6Index, i-s.v4Len))
}

// nth returns the i-th value of spans whose start positions are idx.
func nth(spans []span, idx []uint64, i uint64) u128 {
	j := sort.Search(len(idx), func(j int) bool { return idx[j] > i }) - 1
	return spans[j].first.add(i - idx[j])
}

// Contains reports whether a is in the set. IPv4-mapped IPv6 addresses are
// looked up as IPv4; zones are ignored.
func (s *Set) Contains(a netip.Addr) bool {
	if !a.IsValid() {
		return false
	}
	v, is4 := fromAddr(a.Unmap().WithZone(""))
	if is4 {
		return containsValue(s.v4, v)
	}
	return containsValue(s.v6, v)
}

// Hostnames returns the names the user gave that resolved to a, in the
// order they were given, or nil. For "name/24" only the address the name
// resolved to carries the name, not the rest of the block.
func (s *Set) Hostnames(a netip.Addr) []string {
	if !a.IsValid() {
		return nil
	}
	return slices.Clone(s.names[a.Unmap().WithZone("")])
}

// Failures returns the hostnames that could not be resolved, in the order
// they were given.
func (s *Set) Failures() []Failure { return slices.Clone(s.failures) }
