// Package registry is the one list of protocol fingerprinters: every
// family package's All(), in a fixed order. The engine, the CLI and any
// validation of service names build on Default, never on a second list.
package registry

import (
	"github.com/portwatch/portwatch/internal/fingerprint"
	"github.com/portwatch/portwatch/internal/fingerprint/dbproto"
	"github.com/portwatch/portwatch/internal/fingerprint/httpproto"
	"github.com/portwatch/portwatch/internal/fingerprint/textproto"
)

// Default returns every built-in fingerprinter: text protocols, then
// database protocols, then HTTP. The order is the engine's tie-breaker
// among fingerprinters that are equally likely on a port. Each call
// returns a fresh slice.
func Default() []fingerprint.Fingerprinter {
	var all []fingerprint.Fingerprinter
	all = append(all, textproto.All()...)
	all = append(all, dbproto.All()...)
	all = append(all, httpproto.All()...)
	return all
}

// Names returns the protocol names of fps in order, without duplicates.
func Names(fps []fingerprint.Fingerprinter) []string {
	seen := make(map[string]bool, len(fps))
	var names []string
	for _, fp := range fps {
		if n := fp.Name(); !seen[n] {
			seen[n] = true
			names = append(names, n)
		}
	}
	return names
}
