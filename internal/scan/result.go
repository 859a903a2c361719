// Package scan discovers the state of endpoints: which ports of which hosts
// are open, closed or filtered, and why. It knows nothing about storage,
// policy or alerting; it streams facts.
package scan

import (
	"encoding/json"
	"math"
	"net/netip"
	"time"

	"github.com/portwatch/portwatch/internal/fingerprint"
)

// Protocol is a transport protocol of an endpoint.
type Protocol string

// Transport protocols.
const (
	TCP Protocol = "tcp"
	UDP Protocol = "udp"
)

// PortState is the nmap-compatible state of one endpoint.
type PortState string

// Port states, named as nmap names them.
const (
	Open         PortState = "open"
	Closed       PortState = "closed"
	Filtered     PortState = "filtered"
	OpenFiltered PortState = "open|filtered"
)

// Reason says which evidence a port state or host status rests on.
type Reason string

// Reasons. The connect scan can only see what the kernel reports through
// connect(2), so ICMP codes the kernel folds together stay folded.
const (
	ReasonSynAck          Reason = "syn-ack"
	ReasonConnRefused     Reason = "conn-refused"
	ReasonRST             Reason = "rst"
	ReasonNoResponse      Reason = "no-response"
	ReasonHostUnreachable Reason = "host-unreachable"
	ReasonNetUnreachable  Reason = "net-unreachable"
	ReasonAdminProhibited Reason = "admin-prohibited" // a local firewall refused to send
	ReasonICMPProhibited  Reason = "icmp-admin-prohibited"
	ReasonPortUnreachable Reason = "icmp-port-unreachable"
	ReasonProtoUnreach    Reason = "icmp-proto-unreachable"
	ReasonARPResponse     Reason = "arp-response" // the neighbour table shows the host answered ARP/ND
	ReasonUDPResponse     Reason = "udp-response"
	ReasonUserSet         Reason = "user-set"
	ReasonResponded       Reason = "responded"
	ReasonError           Reason = "error"
)

// HostStatus says whether a host answered at all.
type HostStatus string

// Host statuses.
const (
	HostUp      HostStatus = "up"
	HostDown    HostStatus = "down"
	HostUnknown HostStatus = "unknown"
)

// PortResult is the measured state of one endpoint of one host.
type PortResult struct {
	Addr     netip.Addr
	Protocol Protocol
	Port     uint16
	State    PortState
	Reason   Reason
	// RTT is the connect/handshake round trip when there was an answer.
	RTT time.Duration
	// Service is what was identified behind an open port (--sV), if asked.
	Service *fingerprint.Service
}

// portJSON is the stable wire form of a PortResult inside a host.
type portJSON struct {
	Protocol Protocol             `json:"protocol"`
	Port     uint16               `json:"port"`
	State    PortState            `json:"state"`
	Reason   Reason               `json:"reason"`
	RTTms    *float64             `json:"rtt_ms"`
	Service  *fingerprint.Service `json:"service,omitempty"`
}

// MarshalJSON writes the documented schema (docs/output.md); the address is
// carried by the enclosing host.
func (p PortResult) MarshalJSON() ([]byte, error) {
	j := portJSON{Protocol: p.Protocol, Port: p.Port, State: p.State, Reason: p.Reason, Service: p.Service}
	if p.RTT > 0 {
		ms := math.Round(float64(p.RTT)/float64(time.Millisecond)*1000) / 1000
		j.RTTms = &ms
	}
	return json.Marshal(j)
}

// UnmarshalJSON reads the documented schema.
func (p *PortResult) UnmarshalJSON(b []byte) error {
	var j portJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	*p = PortResult{Protocol: j.Protocol, Port: j.Port, State: j.State, Reason: j.Reason, Service: j.Service}
	if j.RTTms != nil {
		p.RTT = time.Duration(math.Round(*j.RTTms * float64(time.Millisecond)))
	}
	return nil
}

// HostResult gathers the results of one host.
type HostResult struct {
	Address   netip.Addr `json:"address"`
	Hostnames []string   `json:"hostnames"`
	Status    HostStatus `json:"status"`
	Reason    Reason     `json:"reason"`
	// Wildcard is set when the host accepts connections on an implausible
	// share of ports (SYN proxy, tarpit); Note says what was seen.
	Wildcard bool   `json:"wildcard"`
	Note     string `json:"note,omitempty"`
	// Ports lists every scanned port except those whose state is counted in
	// OtherStates (with --all-states, every port is listed).
	Ports []PortResult `json:"ports"`
	// OtherStates counts the scanned ports not listed in Ports, by state.
	OtherStates map[PortState]int `json:"other_states"`
}

// TargetError records a target that could not be scanned (e.g. unresolvable).
type TargetError struct {
	Target string `json:"target"`
	Error  string `json:"error"`
}

// Stats summarises a run.
type Stats struct {
	Endpoints  uint64 `json:"endpoints"`
	Open       int    `json:"open"`
	HostsUp    int    `json:"hosts_up"`
	HostsDown  int    `json:"hosts_down"`
	DurationMS int64  `json:"duration_ms"`
	// Interrupted is true when the run was cut short (Ctrl-C); the results
	// then cover only what was measured.
	Interrupted bool `json:"interrupted,omitempty"`
}

// ScanInfo says what was scanned for one protocol.
type ScanInfo struct {
	Protocol Protocol `json:"protocol"`
	// Type is the technique: connect (later syn, udp).
	Type  string   `json:"type"`
	Count int      `json:"count"`
	Ports []uint16 `json:"-"`
}

// Result is the outcome of one scan run.
type Result struct {
	Started  time.Time `json:"started"`
	Finished time.Time `json:"finished"`
	Args     []string  `json:"args"`
	// Scanner is the program and its version, e.g. "portwatch 0.1.0".
	Scanner string        `json:"scanner"`
	Scanned []ScanInfo    `json:"scanned,omitempty"`
	Hosts   []HostResult  `json:"hosts"`
	Errors  []TargetError `json:"errors,omitempty"`
	Stats   Stats         `json:"stats"`
}
