// Package payloads holds the datagrams portwatch's UDP scan sends, one file
// per service, and the parsers that identify a service from its answer.
// Every payload is written from its protocol's specification (each file
// names the RFC or document); none is taken from another scanner.
//
// A UDP service ignores a datagram it cannot parse, so a port is only
// proven open by a request its service answers. Ports without a payload of
// their own get the generic ones (an empty datagram and a blank line).
package payloads

import (
	"math/rand/v2"
	"net/netip"

	"github.com/portwatch/portwatch/internal/fingerprint"
)

// Request is what a payload may use to build its datagram.
type Request struct {
	// Dst is the endpoint the datagram goes to (SSDP and SIP name it).
	Dst netip.AddrPort
	// Rand supplies per-probe randomness: transaction IDs, SPIs, cookies,
	// file names. Callers give each goroutine its own source.
	Rand rand.Source
}

// Payload is one probe datagram for a UDP service and the parser of the
// service's answers to it.
type Payload struct {
	// Service is the service name it targets, as in fingerprint.Service.
	Service string
	// Name tells payloads apart, e.g. "snmp-v2c-public"; unique.
	Name string
	// Spec is the specification the datagram follows, e.g. "RFC 1035".
	Spec string
	// Ports are the UDP ports the payload is sent to.
	Ports []uint16
	// AnySourcePort is set when the service answers from another port
	// than the one probed (TFTP answers from a fresh port, RFC 1350), so
	// the probe socket must not be connected.
	AnySourcePort bool
	// Build returns the datagram for one probe.
	Build func(Request) []byte
	// Identify reads one answer; ok is false when the answer is not this
	// protocol's. Nil for payloads that cannot identify anything.
	Identify func(reply []byte) (svc fingerprint.Service, ok bool)
}

// All returns every payload portwatch knows, in the order they are sent
// when several share a port (the most informative request first, so that
// its answer is the first to arrive).
func All() []Payload {
	var all []Payload
	for _, family := range [][]Payload{
		DNS(), NTP(), SNMP(), NetBIOS(), SSDP(), MDNS(), IKE(), OpenVPN(),
		Memcached(), SIP(), TFTP(), RPC(), CLDAP(), STUN(),
	} {
		all = append(all, family...)
	}
	return all
}

// probe fills the fields every identified service shares.
func probe(name string, conf int) fingerprint.Service {
	return fingerprint.Service{Name: name, Method: fingerprint.MethodProbe, Confidence: conf}
}
