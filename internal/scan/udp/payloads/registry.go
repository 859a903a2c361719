package payloads

import (
	"errors"
	"fmt"
	"slices"

	"github.com/portwatch/portwatch/internal/fingerprint"
)

// Registry finds the payloads of a port and identifies answers. It is
// immutable after construction and safe for concurrent use.
type Registry struct {
	all     []Payload
	byPort  map[uint16][]int // indexes into all
	generic []Payload
}

// NewRegistry checks the payloads and indexes them by port. Payloads of one
// port are sent in the order given.
func NewRegistry(payloads []Payload) (*Registry, error) {
	r := &Registry{all: slices.Clone(payloads), byPort: map[uint16][]int{}, generic: Generic()}
	names := map[string]bool{}
	var errs []error
	for i, p := range r.all {
		switch {
		case p.Name == "" || p.Service == "":
			errs = append(errs, fmt.Errorf("payload %d: name and service are required", i))
		case names[p.Name]:
			errs = append(errs, fmt.Errorf("payload %q: name used twice", p.Name))
		case len(p.Ports) == 0 || p.Build == nil || p.Identify == nil:
			errs = append(errs, fmt.Errorf("payload %q: ports, Build and Identify are required", p.Name))
		}
		names[p.Name] = true
		for _, port := range p.Ports {
			r.byPort[port] = append(r.byPort[port], i)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return r, nil
}

// Default returns the registry of All.
func Default() *Registry {
	r, err := NewRegistry(All())
	if err != nil {
		panic("payloads: built-in table is invalid: " + err.Error()) // covered by TestDefaultRegistry
	}
	return r
}

// For returns the payloads sent to port: its own, or the generic ones.
func (r *Registry) For(port uint16) []Payload {
	idx := r.byPort[port]
	if len(idx) == 0 {
		return r.generic
	}
	out := make([]Payload, len(idx))
	for i, j := range idx {
		out[i] = r.all[j]
	}
	return out
}

// Specific reports whether port has payloads of its own.
func (r *Registry) Specific(port uint16) bool { return len(r.byPort[port]) > 0 }

// Ports returns the ports with payloads of their own, ascending.
func (r *Registry) Ports() []uint16 {
	out := make([]uint16, 0, len(r.byPort))
	for p := range r.byPort {
		out = append(out, p)
	}
	slices.Sort(out)
	return out
}

// Identify reads an answer received from port: with the port's own
// payloads' parsers, or, for a port without payloads, with every parser
// (a service on an unusual port may still answer the generic datagram).
// ok is false when nothing recognised it.
func (r *Registry) Identify(port uint16, reply []byte) (fingerprint.Service, bool) {
	if idx := r.byPort[port]; len(idx) > 0 {
		for _, j := range idx {
			if svc, ok := r.all[j].Identify(reply); ok {
				return svc, true
			}
		}
		return fingerprint.Service{}, false
	}
	for _, p := range r.generic {
		if svc, ok := p.Identify(reply); ok {
			return svc, true
		}
	}
	for _, p := range r.all {
		if svc, ok := p.Identify(reply); ok {
			return svc, true
		}
	}
	return fingerprint.Service{}, false
}
