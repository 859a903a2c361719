package engine

import (
	"slices"

	"github.com/portwatch/portwatch/internal/fingerprint"
)

// Likelihood tiers of a fingerprinter for one port, most likely first.
const (
	tierExpected = iota // the protocol the port's TLS name or ALPN implies
	tierPort            // the port is one of the fingerprinter's Ports()
	tierBanner          // the peer spoke first and so does this protocol
	tierCommon          // HTTP: by far the most common protocol on odd ports
	tierOther           // any other protocol where the client speaks first
	tierSkip            // speaks first, but the peer sent no banner: not tried
)

// candidate is one fingerprinter scheduled for a probe.
type candidate struct {
	idx  int // into Engine.fps
	tier int
	rank int // within tierOther: offPortRank
}

// offPortRank orders the protocols of tierOther: those often exposed away
// from their usual ports first, and among them those whose probe is a
// line of text, which most other servers reject at once (a binary
// request can leave a line-based server waiting for the end of a line
// until the probe times out). Protocols not named here keep registry
// order after them. This ranks; it does not list what exists.
func offPortRank(name string) int {
	switch name {
	case "redis":
		return 1
	case "memcached":
		return 2
	case "postgresql":
		return 3
	case "mongodb":
		return 4
	}
	return 100
}

// speaksFirst reports whether fp's protocol sends a banner unprompted.
func speaksFirst(fp fingerprint.Fingerprinter) bool {
	p, ok := fp.(fingerprint.Passive)
	return ok && p.ServerSpeaksFirst()
}

// hasPort reports whether port is one of fp's usual ports.
func hasPort(fp fingerprint.Fingerprinter, port uint16) bool {
	return slices.Contains(fp.Ports(), port)
}

// tierOf places fp for a port, given what the peer sent unprompted and
// the protocol expected from the port's TLS name or ALPN ("" if none).
func tierOf(fp fingerprint.Fingerprinter, port uint16, bannerSeen bool, expected string) int {
	switch {
	case expected != "" && fp.Name() == expected:
		return tierExpected
	case hasPort(fp, port):
		return tierPort
	case bannerSeen && speaksFirst(fp):
		return tierBanner
	case !bannerSeen && speaksFirst(fp):
		// Its server would have greeted us during the passive wait.
		return tierSkip
	case fp.Name() == "http":
		return tierCommon
	}
	return tierOther
}

// order returns the fingerprinters to probe, most likely first and in
// registry order within a tier; those marked done are left out.
func order(fps []fingerprint.Fingerprinter, done []bool, port uint16, bannerSeen bool, expected string) []candidate {
	var cs []candidate
	for i, fp := range fps {
		if done[i] {
			continue
		}
		if t := tierOf(fp, port, bannerSeen, expected); t != tierSkip {
			c := candidate{idx: i, tier: t}
			if t == tierOther {
				c.rank = offPortRank(fp.Name())
			}
			cs = append(cs, c)
		}
	}
	slices.SortStableFunc(cs, func(a, b candidate) int {
		if a.tier != b.tier {
			return a.tier - b.tier
		}
		return a.rank - b.rank
	})
	return cs
}

// bannerOrder is the order in which MatchBanner is asked: fingerprinters
// of the expected protocol and of this port first, then all others.
func bannerOrder(fps []fingerprint.Fingerprinter, port uint16, expected string) []int {
	var first, rest []int
	for i, fp := range fps {
		if (expected != "" && fp.Name() == expected) || hasPort(fp, port) {
			first = append(first, i)
		} else {
			rest = append(rest, i)
		}
	}
	return append(first, rest...)
}

// likely reports whether a tier earns the longer answer wait.
func likely(tier int) bool {
	return tier <= tierBanner
}
