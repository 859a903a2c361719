package scan

import (
	"cmp"
	"fmt"
	"net/netip"
	"slices"
	"time"

	"github.com/portwatch/portwatch/internal/fingerprint"
)

// Wildcard detection: a host that accepts connections on at least
// wildcardShare of at least wildcardMinPorts scanned ports is almost
// certainly a SYN proxy, tarpit or port-forwarding appliance.
const (
	wildcardMinPorts = 100
	wildcardShare    = 0.5
)

// OmitThreshold: without --all-states, the most common non-open state of a
// host is counted instead of listed when more than this many ports have it
// (nmap's "Not shown" convention). Because only one state is omitted, every
// unlisted port's state is known.
const OmitThreshold = 25

// compactPort is one port result in 12 bytes, so that a full-range scan of
// many hosts stays small in memory.
type compactPort struct {
	rttMicros uint32
	port      uint16
	proto     uint8
	state     uint8
	reason    uint8
}

type hostAcc struct {
	ports    []compactPort
	verdict  *HostVerdict
	services map[serviceKey]*fingerprint.Service // few: only identified open ports
}

type serviceKey struct {
	proto Protocol
	port  uint16
}

// Collector gathers streamed events into per-host results. Not safe for
// concurrent use: feed it from the goroutine that drains the event channel.
type Collector struct {
	hosts   map[netip.Addr]*hostAcc
	strings []string       // interned protocol/state/reason names
	index   map[string]int // position in strings
}

// NewCollector returns an empty collector.
func NewCollector() *Collector {
	return &Collector{hosts: map[netip.Addr]*hostAcc{}, index: map[string]int{}}
}

func (c *Collector) intern(s string) uint8 {
	if i, ok := c.index[s]; ok {
		return uint8(i)
	}
	c.strings = append(c.strings, s)
	c.index[s] = len(c.strings) - 1
	return uint8(len(c.strings) - 1)
}

func (c *Collector) host(a netip.Addr) *hostAcc {
	h, ok := c.hosts[a]
	if !ok {
		h = &hostAcc{}
		c.hosts[a] = h
	}
	return h
}

// Add records one event.
func (c *Collector) Add(ev Event) {
	switch ev.Kind {
	case PortEvent:
		p := ev.Port
		rtt := p.RTT.Microseconds()
		if p.RTT > 0 && rtt == 0 {
			rtt = 1
		}
		h := c.host(p.Addr)
		h.ports = append(h.ports, compactPort{
			rttMicros: uint32(min(rtt, 1<<32-1)),
			port:      p.Port,
			proto:     c.intern(string(p.Protocol)),
			state:     c.intern(string(p.State)),
			reason:    c.intern(string(p.Reason)),
		})
	case HostEvent:
		v := ev.Host
		c.host(v.Addr).verdict = &v
	case ServiceEvent:
		if ev.Port.Service == nil {
			return
		}
		h := c.host(ev.Port.Addr)
		if h.services == nil {
			h.services = map[serviceKey]*fingerprint.Service{}
		}
		h.services[serviceKey{ev.Port.Protocol, ev.Port.Port}] = ev.Port.Service
	}
}

func (c *Collector) expand(a netip.Addr, cp compactPort) PortResult {
	return PortResult{
		Addr:     a,
		Protocol: Protocol(c.strings[cp.proto]),
		Port:     cp.port,
		State:    PortState(c.strings[cp.state]),
		Reason:   Reason(c.strings[cp.reason]),
		RTT:      time.Duration(cp.rttMicros) * time.Microsecond,
	}
}

// Hosts returns one result per host seen, in address order. names supplies
// the hostnames the user gave for an address (may be nil).
func (c *Collector) Hosts(names func(netip.Addr) []string, allStates bool) []HostResult {
	addrs := make([]netip.Addr, 0, len(c.hosts))
	for a := range c.hosts {
		addrs = append(addrs, a)
	}
	slices.SortFunc(addrs, netip.Addr.Compare)
	out := make([]HostResult, 0, len(addrs))
	for _, a := range addrs {
		out = append(out, c.hostResult(a, names, allStates))
	}
	return out
}

func (c *Collector) hostResult(a netip.Addr, names func(netip.Addr) []string, allStates bool) HostResult {
	acc := c.hosts[a]
	hr := HostResult{Address: a, Hostnames: []string{}, Ports: []PortResult{}, OtherStates: map[PortState]int{}}
	if names != nil {
		if n := names(a); n != nil {
			hr.Hostnames = n
		}
	}
	ports := make([]PortResult, 0, len(acc.ports))
	for _, cp := range acc.ports {
		p := c.expand(a, cp)
		p.Service = acc.services[serviceKey{p.Protocol, p.Port}]
		ports = append(ports, p)
	}
	slices.SortFunc(ports, func(x, y PortResult) int {
		return cmp.Or(cmp.Compare(x.Protocol, y.Protocol), cmp.Compare(x.Port, y.Port))
	})
	hr.Status, hr.Reason = hostStatus(acc.verdict, ports)
	if hr.Status == HostDown {
		return hr // like nmap: the ports of an absent host are not listed
	}
	hr.Wildcard, hr.Note = wildcard(ports)
	if allStates {
		hr.Ports = ports
		return hr
	}
	omit, n := omittedState(ports)
	for _, p := range ports {
		if p.State == omit && n > OmitThreshold {
			hr.OtherStates[p.State]++
			continue
		}
		hr.Ports = append(hr.Ports, p)
	}
	return hr
}

// hostStatus: up when any port answered; down when the scanner saw the
// address fail to resolve, or every port ended unreachable; unknown when
// nothing answered at all (a host that drops everything looks like no host).
func hostStatus(v *HostVerdict, ports []PortResult) (HostStatus, Reason) {
	var answer Reason
	unreachable, total := 0, 0
	var unreachReason Reason
	for _, p := range ports {
		total++
		switch {
		case p.State == Open:
			return HostUp, p.Reason
		case p.State == Closed && answer == "":
			answer = p.Reason
		case p.Reason == ReasonHostUnreachable || p.Reason == ReasonNetUnreachable:
			unreachable++
			unreachReason = p.Reason
		}
	}
	switch {
	case answer != "":
		return HostUp, answer
	case v != nil:
		return v.Status, v.Reason
	case total > 0 && unreachable == total:
		return HostDown, unreachReason
	}
	return HostUnknown, ReasonNoResponse
}

func wildcard(ports []PortResult) (bool, string) {
	open := 0
	for _, p := range ports {
		if p.State == Open {
			open++
		}
	}
	if len(ports) < wildcardMinPorts || float64(open) < wildcardShare*float64(len(ports)) {
		return false, ""
	}
	return true, fmt.Sprintf("accepted connections on %d of %d scanned ports (%.0f%%): likely a SYN proxy, tarpit or port forwarder; open ports here do not prove services",
		open, len(ports), 100*float64(open)/float64(len(ports)))
}

// omittedState picks the most common non-open state and its count.
func omittedState(ports []PortResult) (PortState, int) {
	counts := map[PortState]int{}
	for _, p := range ports {
		if p.State != Open {
			counts[p.State]++
		}
	}
	var best PortState
	n := 0
	for _, s := range []PortState{Closed, Filtered, OpenFiltered} { // fixed order: deterministic ties
		if counts[s] > n {
			best, n = s, counts[s]
		}
	}
	return best, n
}
