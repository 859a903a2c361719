package scan

import (
	"context"
	"net/netip"
	"sync/atomic"
)

// EventKind tells which half of an Event is set.
type EventKind uint8

// Event kinds.
const (
	PortEvent EventKind = iota + 1
	HostEvent
	// ServiceEvent carries the identified service of an endpoint already
	// reported (Port.Addr, Protocol, Port and Service are set).
	ServiceEvent
)

// Event is one streamed scan fact: a port result, or a verdict on a whole host.
type Event struct {
	Kind EventKind
	Port PortResult
	Host HostVerdict
}

// HostVerdict is what the scanner concluded about a host as a whole.
type HostVerdict struct {
	Addr   netip.Addr
	Status HostStatus
	Reason Reason
}

// Targets is the list of hosts to scan, indexable without being
// materialised (a target set keeps ranges, not addresses).
type Targets interface {
	Len() uint64
	At(i uint64) netip.Addr
}

// AddrList adapts a slice of addresses to Targets.
type AddrList []netip.Addr

// Len returns the number of addresses.
func (l AddrList) Len() uint64 { return uint64(len(l)) }

// At returns the i-th address.
func (l AddrList) At(i uint64) netip.Addr { return l[i] }

// Progress counts a running scan's work; readers may poll it at any time.
type Progress struct {
	Total atomic.Uint64 // endpoints to probe
	Done  atomic.Uint64 // endpoints finished (including skipped ones of down hosts)
	Open  atomic.Uint64 // open endpoints found
	Sent  atomic.Uint64 // probes sent, retries included
}

// Scanner is a port-scanning technique: connect, SYN or UDP. The protocol
// of Job.Ports is the technique's.
type Scanner interface {
	Scan(ctx context.Context, job Job) (<-chan Event, error)
}

var _ Scanner = (*ConnectScanner)(nil)
