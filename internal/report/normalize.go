package report

import (
	"cmp"
	"net/netip"
	"slices"

	"github.com/portwatch/portwatch/internal/scan"
)

// normalize returns a copy of res that every writer can rely on: no nil
// slices or maps where the documented output has a list or an object, and
// the ports of each host sorted by protocol, then number. res is not changed.
func normalize(res *scan.Result) *scan.Result {
	out := *res
	if out.Args == nil {
		out.Args = []string{}
	}
	out.Hosts = make([]scan.HostResult, len(res.Hosts))
	for i, h := range res.Hosts {
		if h.Hostnames == nil {
			h.Hostnames = []string{}
		}
		h.Ports = slices.Clone(h.Ports)
		if h.Ports == nil {
			h.Ports = []scan.PortResult{}
		}
		slices.SortStableFunc(h.Ports, comparePorts)
		if h.OtherStates == nil {
			h.OtherStates = map[scan.PortState]int{}
		}
		out.Hosts[i] = h
	}
	return &out
}

// comparePorts orders ports like nmap and the scan collector do: by
// protocol (tcp before udp), then number.
func comparePorts(a, b scan.PortResult) int {
	return cmp.Or(cmp.Compare(a.Protocol, b.Protocol), cmp.Compare(a.Port, b.Port))
}

// isOpen reports the states the table lists without --all-states: only
// open. open|filtered (UDP silence) is counted in the summary like closed
// and filtered, or a UDP scan would list a row for nearly every port.
func isOpen(s scan.PortState) bool {
	return s == scan.Open
}

// stateCount is the number of ports of a host in one state.
type stateCount struct {
	State scan.PortState
	Count int
}

// sortedCounts turns a state→count map into a list ordered by count
// (largest first), then state name; zero and negative counts are dropped.
func sortedCounts(m map[scan.PortState]int) []stateCount {
	var out []stateCount
	for s, n := range m {
		if n > 0 {
			out = append(out, stateCount{s, n})
		}
	}
	slices.SortFunc(out, func(a, b stateCount) int {
		return cmp.Or(cmp.Compare(b.Count, a.Count), cmp.Compare(a.State, b.State))
	})
	return out
}

// addrString prints an address, or "" for the zero Addr (which netip
// would print as "invalid IP").
func addrString(a netip.Addr) string {
	if !a.IsValid() {
		return ""
	}
	return a.String()
}
