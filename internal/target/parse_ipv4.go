package target

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// maxPatternSpans bounds how many separate ranges one octet pattern such as
// "10.0-255.0-255.1" may expand to, so that a short token cannot exhaust memory.
const maxPatternSpans = 1 << 18

// parseIPv4Expr parses dotted-quad syntax: an address, "a.b.c.d/n",
// "a.b.c.d-e.f.g.h" or an nmap octet pattern like "198.18.0-1.1,3,5-9".
func parseIPv4Expr(value string) ([]span, error) {
	if addr, bitsText, ok := strings.Cut(value, "/"); ok {
		v, err := parseIPv4(addr)
		if err != nil {
			return nil, err
		}
		n, err := parsePrefixLen(bitsText, 32)
		if err != nil {
			return nil, err
		}
		return []span{cidrSpan(v, n+96)}, nil
	}
	if from, to, ok := strings.Cut(value, "-"); ok && strings.Count(from, ".") == 3 && strings.Count(to, ".") == 3 &&
		!strings.ContainsAny(value, ",*") {
		first, err := parseIPv4(from)
		if err != nil {
			return nil, err
		}
		last, err := parseIPv4(to)
		if err != nil {
			return nil, err
		}
		if last.less(first) {
			return nil, fmt.Errorf("range %s-%s is reversed", from, to)
		}
		return []span{{first, last}}, nil
	}
	return parseOctetPattern(value)
}

// cidrSpan returns the network of v with the given prefix length counted in
// a 128-bit space (IPv4 callers add 96). Host bits are ignored, as nmap does.
func cidrSpan(v u128, prefix int) span {
	m := hostMask(prefix)
	return span{v.and(m.not()), v.or(m)}
}

// parseIPv4 parses a plain dotted-quad address.
func parseIPv4(s string) (u128, error) {
	parts := strings.Split(s, ".")
	if len(parts) != 4 {
		return u128{}, fmt.Errorf("IPv4 address %q needs 4 octets", s)
	}
	var v uint64
	for _, p := range parts {
		o, err := parseOctet(p)
		if err != nil {
			return u128{}, err
		}
		v = v<<8 | uint64(o)
	}
	return u128{0, v}, nil
}

// parseOctet parses a decimal octet. Leading zeros are refused because
// inet_aton would read them as octal.
func parseOctet(s string) (int, error) {
	switch {
	case s == "":
		return 0, errors.New("empty octet")
	case !onlyBytes(s, "0123456789"):
		return 0, fmt.Errorf("bad octet %q", s)
	case len(s) > 1 && s[0] == '0':
		return 0, fmt.Errorf("octet %q has a leading zero (ambiguous: octal or decimal?)", s)
	case len(s) > 3:
		return 0, fmt.Errorf("octet %s out of range", s)
	}
	n, _ := strconv.Atoi(s)
	if n > 255 {
		return 0, fmt.Errorf("octet %d out of range", n)
	}
	return n, nil
}

// octetRange is an inclusive range of values of one octet.
type octetRange struct{ lo, hi int }

// parseOctetPattern parses four dot-separated octet lists; each list is
// comma-separated items of "n", "n-m", "n-", "-m", "-" or "*".
func parseOctetPattern(value string) ([]span, error) {
	parts := strings.Split(value, ".")
	if len(parts) != 4 {
		return nil, fmt.Errorf("IPv4 address %q needs 4 octets", value)
	}
	var octets [4][]octetRange
	for i, p := range parts {
		rs, err := parseOctetList(p)
		if err != nil {
			return nil, err
		}
		octets[i] = rs
	}
	return expandOctets(octets)
}

func parseOctetList(s string) ([]octetRange, error) {
	if s == "" {
		return nil, errors.New("empty octet")
	}
	var out []octetRange
	for item := range strings.SplitSeq(s, ",") {
		r, err := parseOctetItem(item)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return mergeOctetRanges(out), nil
}

func parseOctetItem(item string) (octetRange, error) {
	if item == "*" || item == "-" {
		return octetRange{0, 255}, nil
	}
	from, to, isRange := strings.Cut(item, "-")
	if !isRange {
		n, err := parseOctet(item)
		return octetRange{n, n}, err
	}
	r := octetRange{0, 255}
	var err error
	if from != "" {
		if r.lo, err = parseOctet(from); err != nil {
			return r, err
		}
	}
	if to != "" {
		if r.hi, err = parseOctet(to); err != nil {
			return r, err
		}
	}
	if r.hi < r.lo {
		return r, fmt.Errorf("octet range %s is reversed", item)
	}
	return r, nil
}

// mergeOctetRanges sorts and merges overlapping or adjacent octet ranges.
func mergeOctetRanges(rs []octetRange) []octetRange {
	var present [256]bool
	for _, r := range rs {
		for v := r.lo; v <= r.hi; v++ {
			present[v] = true
		}
	}
	var out []octetRange
	for v := 0; v < 256; v++ {
		if !present[v] {
			continue
		}
		if n := len(out); n > 0 && out[n-1].hi == v-1 {
			out[n-1].hi = v
		} else {
			out = append(out, octetRange{v, v})
		}
	}
	return out
}

// expandOctets turns per-octet ranges into address spans. Trailing octets
// that cover 0-255 fold into the span, so "10.1-2.*.*" is two spans, not
// 131072.
func expandOctets(octets [4][]octetRange) ([]span, error) {
	k := 3 // the last octet that is not a full 0-255
	for k >= 0 && len(octets[k]) == 1 && octets[k][0] == (octetRange{0, 255}) {
		k--
	}
	if k < 0 {
		return []span{{u128{}, u128{0, 0xffffffff}}}, nil
	}
	count := uint64(len(octets[k]))
	for i := 0; i < k; i++ {
		count *= uint64(countOctetValues(octets[i]))
		if count > maxPatternSpans {
			break
		}
	}
	if count > maxPatternSpans {
		return nil, fmt.Errorf("octet pattern expands to more than %d separate ranges; use CIDR blocks or full-address ranges", maxPatternSpans)
	}
	shift := uint(8 * (3 - k))
	low := uint64(1)<<shift - 1
	spans := make([]span, 0, count)
	var walk func(i int, prefix uint64)
	walk = func(i int, prefix uint64) {
		for _, r := range octets[i] {
			if i == k {
				first := (prefix<<8 | uint64(r.lo)) << shift
				last := (prefix<<8|uint64(r.hi))<<shift | low
				spans = append(spans, span{u128{0, first}, u128{0, last}})
				continue
			}
			for v := r.lo; v <= r.hi; v++ {
				walk(i+1, prefix<<8|uint64(v))
			}
		}
	}
	walk(0, 0)
	return spans, nil
}

func countOctetValues(rs []octetRange) int {
	n := 0
	for _, r := range rs {
		n += r.hi - r.lo + 1
	}
	return n
}
