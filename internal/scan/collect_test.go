package scan

import (
	"net/netip"
	"strings"
	"testing"
	"time"
)

func portEvent(a netip.Addr, port uint16, s PortState, r Reason) Event {
	return Event{Kind: PortEvent, Port: PortResult{Addr: a, Protocol: TCP, Port: port, State: s, Reason: r, RTT: time.Millisecond}}
}

func TestCollectorOmitsMostCommonState(t *testing.T) {
	a := netip.MustParseAddr("198.18.0.11")
	c := NewCollector()
	for p := uint16(1); p <= 100; p++ {
		switch {
		case p == 22 || p == 80:
			c.Add(portEvent(a, p, Open, ReasonSynAck))
		case p == 8080:
			c.Add(portEvent(a, p, Filtered, ReasonNoResponse))
		default:
			c.Add(portEvent(a, p, Closed, ReasonConnRefused))
		}
	}
	c.Add(portEvent(a, 8080, Filtered, ReasonNoResponse))
	h := c.Hosts(func(netip.Addr) []string { return []string{"h1.lab"} }, false)[0]
	if h.OtherStates[Closed] != 98 || len(h.OtherStates) != 1 {
		t.Errorf("other_states %v, want closed:98 only", h.OtherStates)
	}
	got := map[uint16]PortState{}
	for _, p := range h.Ports {
		got[p.Port] = p.State
	}
	if len(got) != 3 || got[22] != Open || got[80] != Open || got[8080] != Filtered {
		t.Errorf("listed %v, want 22,80 open and 8080 filtered", got)
	}
	if h.Status != HostUp || h.Hostnames[0] != "h1.lab" {
		t.Errorf("status %s hostnames %v", h.Status, h.Hostnames)
	}
	all := c.Hosts(nil, true)[0]
	if len(all.Ports) != 101 || len(all.OtherStates) != 0 {
		t.Errorf("all-states lists %d ports and %v other states, want 101 and none", len(all.Ports), all.OtherStates)
	}
}

func TestCollectorKeepsFewPortsListed(t *testing.T) {
	a := netip.MustParseAddr("198.18.0.11")
	c := NewCollector()
	for p := uint16(1); p <= 10; p++ {
		c.Add(portEvent(a, p, Closed, ReasonConnRefused))
	}
	h := c.Hosts(nil, false)[0]
	if len(h.Ports) != 10 || len(h.OtherStates) != 0 {
		t.Errorf("10 closed ports: listed %d, other %v; few ports are listed like nmap does", len(h.Ports), h.OtherStates)
	}
}

func TestCollectorWildcard(t *testing.T) {
	a := netip.MustParseAddr("198.18.0.66")
	c := NewCollector()
	for p := uint16(1); p <= 1000; p++ {
		c.Add(portEvent(a, p, Open, ReasonSynAck))
	}
	h := c.Hosts(nil, false)[0]
	if !h.Wildcard || !strings.Contains(h.Note, "1000 of 1000") {
		t.Errorf("wildcard %v note %q", h.Wildcard, h.Note)
	}
	b := netip.MustParseAddr("198.18.0.67")
	c.Add(portEvent(b, 22, Open, ReasonSynAck))
	c.Add(portEvent(b, 23, Closed, ReasonConnRefused))
	if hb := c.Hosts(nil, false)[1]; hb.Wildcard {
		t.Error("a host with 1 of 2 ports open is not a wildcard host")
	}
}

func TestHostStatus(t *testing.T) {
	a := netip.MustParseAddr("198.18.0.50")
	c := NewCollector()
	c.Add(portEvent(a, 1, Filtered, ReasonHostUnreachable))
	c.Add(portEvent(a, 2, Filtered, ReasonHostUnreachable))
	if h := c.Hosts(nil, false)[0]; h.Status != HostDown || h.Reason != ReasonHostUnreachable || len(h.Ports) != 0 {
		t.Errorf("every port unreachable: %s/%s with %d ports, want down/host-unreachable with none", h.Status, h.Reason, len(h.Ports))
	}
	b := netip.MustParseAddr("198.18.0.51")
	c.Add(Event{Kind: HostEvent, Host: HostVerdict{Addr: b, Status: HostDown, Reason: ReasonHostUnreachable}})
	c.Add(portEvent(b, 1, Filtered, ReasonNoResponse))
	if h := c.Hosts(nil, false)[1]; h.Status != HostDown {
		t.Errorf("verdict down: status %s", h.Status)
	}
	d := netip.MustParseAddr("198.18.0.52")
	c.Add(portEvent(d, 1, Filtered, ReasonNoResponse))
	if h := c.Hosts(nil, false)[2]; h.Status != HostUnknown {
		t.Errorf("silent host: status %s, want unknown", h.Status)
	}
}
