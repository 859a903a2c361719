// Package model holds the monitoring daemon's domain facts, in the
// vocabulary of ARCHITECTURE.md: endpoints and locations, observations,
// the current state of an endpoint, changes, and findings. The scanner's
// own result types live in internal/scan; the store persists these; the
// tracker and the policy engine compute them. Plain data, no behaviour
// beyond formatting and small predicates.
package model

import (
	"fmt"
	"net/netip"
	"time"

	"github.com/portwatch/portwatch/internal/fingerprint"
	"github.com/portwatch/portwatch/internal/scan"
)

// Endpoint is (address, protocol, port).
type Endpoint struct {
	Addr     netip.Addr    `json:"address"`
	Protocol scan.Protocol `json:"protocol"`
	Port     uint16        `json:"port"`
}

// String renders "198.18.0.11:22/tcp" ("[2001:2::11]:22/tcp" for IPv6).
func (e Endpoint) String() string {
	return fmt.Sprintf("%s/%s", netip.AddrPortFrom(e.Addr, e.Port), e.Protocol)
}

// Location names a vantage point: "local" for the daemon itself, an
// agent's name otherwise.
type Location string

// LocalLocation is the daemon's own vantage point.
const LocalLocation Location = "local"

// Source says what produced an observation.
type Source string

// Observation sources.
const (
	SourceMonitor   Source = "monitor"   // a scheduled monitor check of one endpoint
	SourceDiscovery Source = "discovery" // a discovery scan job
)

// Observation is one measured fact about one endpoint at one time from one
// location.
type Observation struct {
	Endpoint Endpoint       `json:"endpoint"`
	Location Location       `json:"location"`
	Time     time.Time      `json:"time"`
	State    scan.PortState `json:"state"`
	Reason   scan.Reason    `json:"reason"`
	// RTT is the handshake round trip when there was an answer.
	RTT     time.Duration        `json:"rtt_ns"`
	Service *fingerprint.Service `json:"service,omitempty"`
	Source  Source               `json:"source"`
	// Origin is the monitor or discovery job name that produced it.
	Origin string `json:"origin"`
	// ScanID groups the observations of one discovery scan (0 for monitors).
	ScanID int64 `json:"scan_id,omitempty"`
}

// EndpointState is the last known state of an endpoint at a location, as
// the tracker keeps it and the store persists it.
type EndpointState struct {
	Endpoint  Endpoint       `json:"endpoint"`
	Location  Location       `json:"location"`
	State     scan.PortState `json:"state"`
	Reason    scan.Reason    `json:"reason"`
	Since     time.Time      `json:"since"`      // when State began
	FirstSeen time.Time      `json:"first_seen"` // first observation ever
	LastSeen  time.Time      `json:"last_seen"`  // latest observation
	// Consecutive counts the observations in a row with State (including
	// the one that started it).
	Consecutive int                  `json:"consecutive"`
	LastRTT     time.Duration        `json:"last_rtt_ns"`
	Service     *fingerprint.Service `json:"service,omitempty"`
}

// ChangeKind names what changed about an endpoint.
type ChangeKind string

// Change kinds.
const (
	ChangeOpened         ChangeKind = "opened"
	ChangeClosed         ChangeKind = "closed"
	ChangeFiltered       ChangeKind = "filtered"
	ChangeServiceChanged ChangeKind = "service-changed"
	ChangeVersionChanged ChangeKind = "version-changed"
	ChangeCertChanged    ChangeKind = "certificate-changed"
)

// Change is a fact: the difference between the last known state of an
// endpoint and a new observation.
type Change struct {
	ID       int64      `json:"id"`
	Endpoint Endpoint   `json:"endpoint"`
	Location Location   `json:"location"`
	Time     time.Time  `json:"time"`
	Kind     ChangeKind `json:"kind"`
	From     string     `json:"from"` // previous state, service or version ("" when first seen)
	To       string     `json:"to"`
}

// Severity of a finding.
type Severity string

// Severities, most severe first.
const (
	SeverityCritical Severity = "critical"
	SeverityMajor    Severity = "major"
	SeverityWarning  Severity = "warning"
	SeverityInfo     Severity = "info"
)

// FindingKind names the policy rule a finding breaks.
type FindingKind string

// Finding kinds.
const (
	FindingForbiddenPort      FindingKind = "forbidden-port"       // a must-never-be-open port is open
	FindingUnexpectedPort     FindingKind = "unexpected-port"      // open but not in the group's allow-list
	FindingExpectedOpenDown   FindingKind = "expected-open-down"   // an expect: open monitor failed N checks in a row
	FindingExpectedClosedOpen FindingKind = "expected-closed-open" // an expect: closed monitor saw it open
	FindingUnexpectedService  FindingKind = "unexpected-service"   // the wrong service on a port
	FindingSlowResponse       FindingKind = "slow-response"        // a monitor's handshake took longer than its latency threshold
)

// Finding is a change or a state that breaks a policy. It opens on the
// first observation that breaks the rule and resolves when one no longer
// does.
type Finding struct {
	ID       int64       `json:"id"`
	Kind     FindingKind `json:"kind"`
	Severity Severity    `json:"severity"`
	Endpoint Endpoint    `json:"endpoint"`
	Location Location    `json:"location"`
	// Rule names what was broken: the policy or monitor and its group.
	Rule     string            `json:"rule"`
	Message  string            `json:"message"`
	Labels   map[string]string `json:"labels,omitempty"`
	Opened   time.Time         `json:"opened"`
	Resolved *time.Time        `json:"resolved,omitempty"`
	// Acked is when someone acknowledged the finding (nil: not yet), and
	// AckedBy who.
	Acked   *time.Time `json:"acked,omitempty"`
	AckedBy string     `json:"acked_by,omitempty"`
}

// Open reports whether the finding is unresolved.
func (f Finding) Open() bool { return f.Resolved == nil }

// FindingKey identifies "the same finding" across observations: one open
// finding per kind, endpoint, location and rule.
type FindingKey struct {
	Kind     FindingKind
	Endpoint Endpoint
	Location Location
	Rule     string
}

// Key returns the finding's identity.
func (f Finding) Key() FindingKey {
	return FindingKey{Kind: f.Kind, Endpoint: f.Endpoint, Location: f.Location, Rule: f.Rule}
}

// ScanRecord describes one stored discovery scan.
type ScanRecord struct {
	ID       int64     `json:"id"`
	Job      string    `json:"job"`
	Started  time.Time `json:"started"`
	Finished time.Time `json:"finished"`
	// Result is the scanner's full result (for portwatch diff by scan id).
	Result *scan.Result `json:"result,omitempty"`
}
