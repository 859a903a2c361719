// Package nmapprobe is an optional second opinion for service detection:
// it reads an nmap-service-probes file the user installed (nmap's
// database is not shipped with portwatch; it is read at run time from the
// user's own copy) and runs its probes and match lines. The native
// fingerprinters run first; this engine is asked only when they found
// nothing. Patterns are PCRE, run with github.com/dlclark/regexp2.
package nmapprobe

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"time"

	"github.com/dlclark/regexp2"
)

// DefaultIntensity is nmap's default --version-intensity: probes whose
// rarity is higher are sent only to the ports they list.
const DefaultIntensity = 7

// Waits used when the file does not set them (nmap's defaults).
const (
	defaultTotalWait  = 5 * time.Second
	defaultTCPWrapped = 2 * time.Second
)

// AutoPaths are where Load("auto") looks for the user's nmap installation.
func AutoPaths() []string {
	return []string{"/usr/share/nmap/nmap-service-probes", "/usr/local/share/nmap/nmap-service-probes"}
}

// ErrNotInstalled means Load("auto") found no nmap-service-probes file.
var ErrNotInstalled = errors.New("no nmap-service-probes file installed (looked in /usr/share/nmap and /usr/local/share/nmap)")

// DialFunc opens a connection, like net.Dialer.DialContext.
type DialFunc func(ctx context.Context, network, address string) (net.Conn, error)

// Set is a parsed probe file. It is read-only once loaded (set Intensity
// before use) and safe for concurrent use.
type Set struct {
	// Source is the file the set was read from.
	Source string
	// Probes in file order.
	Probes []*Probe
	// Intensity is 0-9: a probe is sent to a port it does not list only
	// if its rarity is at most Intensity. Load sets DefaultIntensity.
	Intensity int
	// Warnings name the match lines skipped because their pattern uses
	// PCRE that regexp2 cannot run, as "file:line: reason".
	Warnings []string

	exclude portList // Exclude T: ports (and unprefixed ones)
	null    *Probe   // the TCP NULL probe, if any
}

// Probe is one Probe section of the file.
type Probe struct {
	Protocol   string // "TCP" or "UDP"
	Name       string
	Payload    []byte
	Rarity     int // 1-9; 0 when unset (always sent)
	Ports      portList
	SSLPorts   portList
	TotalWait  time.Duration
	TCPWrapped time.Duration
	Fallback   []string
	Matches    []*Match
	Line       int

	fallbacks []*Probe // resolved Fallback, in order
}

// Match is one match or softmatch line.
type Match struct {
	Service string
	Soft    bool
	Line    int
	re      *regexp2.Regexp
	version []versionField
}

// Load reads and parses an nmap-service-probes file. path "auto" looks in
// AutoPaths. Parse errors carry file:line.
func Load(path string) (*Set, error) {
	if path == "auto" {
		for _, p := range AutoPaths() {
			if _, err := os.Stat(p); err == nil {
				path = p
				break
			}
		}
		if path == "auto" {
			return nil, ErrNotInstalled
		}
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open nmap probes: %w", err)
	}
	defer f.Close()
	return Parse(f, filepath.Clean(path))
}

// hasMatchFor reports whether p can hard-match service (used after a
// softmatch narrowed the search).
func (p *Probe) hasMatchFor(service string) bool {
	for _, m := range p.Matches {
		if !m.Soft && m.Service == service {
			return true
		}
	}
	return false
}
