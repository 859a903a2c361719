package target

import (
	"errors"
	"fmt"
	"net/netip"
	"strings"
)

// parseIPv6Expr parses an IPv6 address ("2001:2::11" or "[2001:2::11]"),
// a CIDR block ("2001:2::/120", "[2001:2::]/120") or a full-address range
// ("2001:2::11-2001:2::20"). Bracketed IPv4 addresses are accepted too.
func parseIPv6Expr(value string) (expr, error) {
	e := expr{prefix: -1}
	addrText, bitsText, isCIDR := strings.Cut(value, "/")
	from, to, isRange := strings.Cut(addrText, "-")
	if isCIDR && isRange {
		return e, errors.New("a range cannot have a prefix length")
	}
	first, is4, err := parseBracketedAddr(from)
	if err != nil {
		return e, err
	}
	s := span{first, first}
	switch {
	case isCIDR:
		max, offset := 128, 0
		if is4 {
			max, offset = 32, 96
		}
		n, err := parsePrefixLen(bitsText, max)
		if err != nil {
			return e, err
		}
		s = cidrSpan(first, n+offset)
	case isRange:
		last, lastIs4, err := parseBracketedAddr(to)
		if err != nil && !is4 && !strings.ContainsAny(to, ":.") {
			plain := strings.Trim(from, "[]")
			return e, fmt.Errorf("an IPv6 range needs a full end address, like %s-%s", plain, plain[:strings.LastIndex(plain, ":")+1]+to)
		}
		if err != nil {
			return e, err
		}
		if lastIs4 != is4 {
			return e, errors.New("range mixes IPv4 and IPv6")
		}
		if last.less(first) {
			return e, fmt.Errorf("range %s-%s is reversed", from, to)
		}
		s.last = last
	}
	if is4 {
		e.v4 = []span{s}
	} else {
		e.v6 = []span{s}
	}
	return e, nil
}

// parseBracketedAddr parses an address with or without [ ]. IPv4-mapped
// IPv6 addresses stay IPv6 here; Parse moves them to IPv4 as whole ranges.
func parseBracketedAddr(s string) (u128, bool, error) {
	if strings.HasPrefix(s, "[") || strings.HasSuffix(s, "]") {
		inner, ok := strings.CutPrefix(s, "[")
		inner, ok2 := strings.CutSuffix(inner, "]")
		if !ok || !ok2 {
			return u128{}, false, fmt.Errorf("unbalanced brackets in %q", s)
		}
		s = inner
	}
	if s == "" {
		return u128{}, false, errors.New("missing address")
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return u128{}, false, fmt.Errorf("bad IP address %q", s)
	}
	v, is4 := fromAddr(a)
	return v, is4, nil
}
