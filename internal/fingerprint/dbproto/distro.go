package dbproto

import "github.com/portwatch/portwatch/internal/fingerprint"

// distroOf names the operating-system package a version suffix comes from,
// e.g. "0+deb12u1" or "Debian 15.18-0+deb12u1"; nil when it names none. It
// is the only place this package parses distributions.
func distroOf(suffix string) *fingerprint.Distro {
	return fingerprint.ParseDistro(suffix)
}
