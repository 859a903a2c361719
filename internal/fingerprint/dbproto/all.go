// Package dbproto holds protocol fingerprinters, one file per protocol.
package dbproto

import "github.com/portwatch/portwatch/internal/fingerprint"

// All returns this package's fingerprinters.
func All() []fingerprint.Fingerprinter {
	return []fingerprint.Fingerprinter{}
}
