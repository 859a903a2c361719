// Package engine identifies the services behind open TCP ports (portwatch
// scan --sV): a short passive wait for a banner, then protocol probes
// ordered by how likely they are for the port and for what the banner
// suggested, on a fresh connection each, stopping at the first confident
// match. TLS is detected and completed, then probing continues inside it;
// STARTTLS is run where the protocol has it. Work per port is bounded by a
// time budget and by read caps. docs/service-detection.md explains the
// design and its timing.
package engine

import (
	"context"
	"log/slog"
	"net"
	"net/netip"
	"sync"
	"time"

	"github.com/portwatch/portwatch/internal/fingerprint"
	"github.com/portwatch/portwatch/internal/fingerprint/nmapprobe"
	"github.com/portwatch/portwatch/internal/fingerprint/registry"
)

// Defaults of Options.
const (
	DefaultPortTimeout = 6 * time.Second
	DefaultConcurrency = 64
)

// DialFunc opens a connection, like net.Dialer.DialContext.
type DialFunc func(ctx context.Context, network, address string) (net.Conn, error)

// Options configure an Engine. The zero value is usable.
type Options struct {
	// Dial opens every connection; nil means a net.Dialer.
	Dial DialFunc
	// Fingerprinters are the protocols tried; nil means registry.Default().
	Fingerprinters []fingerprint.Fingerprinter
	// PortTimeout is the total budget per port (--sv-timeout); 0 means
	// DefaultPortTimeout.
	PortTimeout time.Duration
	// Concurrency is how many ports IdentifyAll works on at once; 0 means
	// DefaultConcurrency.
	Concurrency int
	// NmapProbes, when set, are tried after the native fingerprinters
	// found nothing (--nmap-probes).
	NmapProbes *nmapprobe.Set
	// Logger receives what the result cannot carry (a fingerprinter that
	// panicked); nil means slog.Default().
	Logger *slog.Logger
}

// Target is one open TCP port to identify.
type Target struct {
	Addr netip.AddrPort
	// ServerName is the hostname the user gave for the address, if any;
	// it is sent as TLS SNI and HTTP Host.
	ServerName string
	// RTT is the round trip the scan measured to this port (0 if unknown);
	// the engine scales its waits with it.
	RTT time.Duration
}

// Result is the service found at a Target.
type Result struct {
	Target  Target
	Service fingerprint.Service
}

// Engine identifies services. It is safe for concurrent use.
type Engine struct {
	dial    DialFunc
	fps     []fingerprint.Fingerprinter
	budget  time.Duration
	workers int
	nmap    *nmapprobe.Set
	log     *slog.Logger
}

// New returns an Engine with opts' zero fields set to their defaults.
func New(opts Options) *Engine {
	e := &Engine{
		dial:    opts.Dial,
		fps:     opts.Fingerprinters,
		budget:  opts.PortTimeout,
		workers: opts.Concurrency,
		nmap:    opts.NmapProbes,
		log:     opts.Logger,
	}
	if e.dial == nil {
		d := &net.Dialer{}
		e.dial = d.DialContext
	}
	if e.fps == nil {
		e.fps = registry.Default()
	}
	if e.budget <= 0 {
		e.budget = DefaultPortTimeout
	}
	if e.workers <= 0 {
		e.workers = DefaultConcurrency
	}
	if e.log == nil {
		e.log = slog.Default()
	}
	return e
}

// Identify finds the service behind t within the per-port budget (or
// until ctx ends, whichever is first). It always returns a Service: when
// nothing answered, its Name comes from the port number (MethodPortHint)
// or is "unknown".
func (e *Engine) Identify(ctx context.Context, t Target) fingerprint.Service {
	ctx, cancel := context.WithTimeout(ctx, e.budget)
	defer cancel()
	return newPortRun(e, t).identify(ctx)
}

// IdentifyAll identifies every target received, at most Concurrency at a
// time, and streams the results in completion order. The returned channel
// is closed once targets is closed and drained, or ctx ended, and every
// worker finished. After ctx ends no further targets are read.
func (e *Engine) IdentifyAll(ctx context.Context, targets <-chan Target) <-chan Result {
	out := make(chan Result)
	var wg sync.WaitGroup
	for range e.workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				var t Target
				var ok bool
				select {
				case <-ctx.Done():
					return
				case t, ok = <-targets:
					if !ok {
						return
					}
				}
				r := Result{Target: t, Service: e.Identify(ctx, t)}
				select {
				case out <- r:
				case <-ctx.Done():
					return
				}
			}
		}()
	}
	go func() {
		wg.Wait()
		close(out)
	}()
	return out
}
