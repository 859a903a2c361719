// Package policy evaluates expectations (group port policies and monitor
// expectations) against the current state of an endpoint and says which
// findings open and which resolve. It is pure logic: it does not import
// the config package (the daemon adapts config to the small types here),
// does no I/O and reads no clock; times come from the endpoint state.
package policy

import (
	"net/netip"
	"slices"
	"time"

	"github.com/portwatch/portwatch/internal/model"
	"github.com/portwatch/portwatch/internal/scan"
)

// Ports lists port numbers per transport protocol.
type Ports struct {
	TCP []uint16
	UDP []uint16
}

// For returns the ports of one protocol (nil for an unknown protocol).
func (p Ports) For(proto scan.Protocol) []uint16 {
	switch proto {
	case scan.TCP:
		return p.TCP
	case scan.UDP:
		return p.UDP
	}
	return nil
}

// Group is one group of targets and its port policy, as the daemon adapts
// it from the config.
type Group struct {
	// Name identifies the group in rules and messages.
	Name string
	// Labels are copied onto every finding the group raises.
	Labels map[string]string
	// Members are the prefixes whose addresses belong to the group (a host
	// is a /32 or /128). The daemon resolves hostnames and ranges into it.
	Members []netip.Prefix
	// MemberSets are further address sets of the group (a parsed target
	// range or a resolved hostname), for members no prefix list expresses
	// compactly.
	MemberSets []AddrSet
	// AllowedPorts, when non-empty for a protocol, is the complete list of
	// ports that may be open on that protocol; an empty list allows all.
	AllowedPorts Ports
	// ForbiddenPorts must never be open.
	ForbiddenPorts Ports
	// ExpectedServices maps a port (either protocol) to the service name
	// that must run there, e.g. 5432: "postgresql".
	ExpectedServices map[uint16]string
	// InternetFacing adds DefaultForbiddenTCP to the forbidden TCP ports,
	// except those explicitly listed in AllowedPorts.TCP.
	InternetFacing bool
}

// Expect is what a monitor expects of its endpoint.
type Expect string

// Expectations.
const (
	ExpectOpen   Expect = "open"
	ExpectClosed Expect = "closed"
)

// Monitor is one monitored endpoint and its expectation.
type Monitor struct {
	// Name identifies the monitor in rules and messages.
	Name string
	// Group names the group whose labels the monitor's findings carry
	// (optional).
	Group    string
	Endpoint model.Endpoint
	Expect   Expect
	// FailureThreshold is how many consecutive non-open observations an
	// expect: open monitor tolerates before a finding opens (<= 0 means 1).
	FailureThreshold int
	// SuccessThreshold is how many consecutive open observations resolve
	// an expect: open monitor's finding (<= 0 means 1).
	SuccessThreshold int
	// LatencyWarn and LatencyCrit are thresholds on the handshake time of
	// an open endpoint (0 is off): above them a slow-response finding
	// opens, a warning or a major one.
	LatencyWarn, LatencyCrit time.Duration
}

// DefaultForbiddenTCP returns the TCP ports forbidden on internet-facing
// groups: remote shells and desktops, and databases, caches and APIs that
// must never face the internet (ssh, telnet, docker, mysql, rdp,
// postgresql, redis, elasticsearch, memcached, mongodb).
func DefaultForbiddenTCP() []uint16 {
	return []uint16{22, 23, 2375, 3306, 3389, 5432, 6379, 9200, 11211, 27017}
}

// SeverityOf returns the severity of a finding kind.
func SeverityOf(kind model.FindingKind) model.Severity {
	switch kind {
	case model.FindingForbiddenPort, model.FindingUnexpectedPort, model.FindingExpectedClosedOpen:
		return model.SeverityCritical
	case model.FindingExpectedOpenDown:
		return model.SeverityMajor
	case model.FindingUnexpectedService:
		return model.SeverityWarning
	case model.FindingSlowResponse:
		return model.SeverityWarning // major past the critical threshold (latencyVerdicts)
	}
	return model.SeverityInfo
}

// portSet is a set of ports per protocol.
type portSet map[scan.Protocol]map[uint16]struct{}

func (s portSet) has(proto scan.Protocol, port uint16) bool {
	_, ok := s[proto][port]
	return ok
}

func (s portSet) add(proto scan.Protocol, ports ...uint16) {
	if len(ports) == 0 {
		return
	}
	m := s[proto]
	if m == nil {
		m = make(map[uint16]struct{}, len(ports))
		s[proto] = m
	}
	for _, p := range ports {
		m[p] = struct{}{}
	}
}

// compiledGroup is a Group with its port lists turned into sets.
type compiledGroup struct {
	Group
	rule      string
	allowed   portSet // a protocol absent here has no allow-list
	forbidden portSet
}

// contains reports whether addr belongs to the group.
func (g *compiledGroup) contains(addr netip.Addr) bool {
	addr = addr.Unmap()
	for _, p := range g.Members {
		if p.Contains(addr) {
			return true
		}
	}
	for _, s := range g.MemberSets {
		if s.Contains(addr) {
			return true
		}
	}
	return false
}

// AddrSet is a set of addresses (*target.Set is one).
type AddrSet interface {
	Contains(addr netip.Addr) bool
}

// compileGroup builds the port sets of a group.
func compileGroup(g Group) compiledGroup {
	c := compiledGroup{Group: g, rule: "group:" + g.Name, allowed: portSet{}, forbidden: portSet{}}
	c.Members = make([]netip.Prefix, len(g.Members))
	for i, p := range g.Members {
		c.Members[i] = p.Masked()
	}
	for _, proto := range []scan.Protocol{scan.TCP, scan.UDP} {
		c.allowed.add(proto, g.AllowedPorts.For(proto)...)
		c.forbidden.add(proto, g.ForbiddenPorts.For(proto)...)
	}
	if g.InternetFacing {
		for _, p := range DefaultForbiddenTCP() {
			if !slices.Contains(g.AllowedPorts.TCP, p) {
				c.forbidden.add(scan.TCP, p)
			}
		}
	}
	return c
}
