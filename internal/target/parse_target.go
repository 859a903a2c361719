package target

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// expr is one target or exclusion token after parsing, before resolution.
type expr struct {
	v4, v6 []span
	host   string // hostname still to resolve; empty for address syntax
	prefix int    // prefix length for "host/24", applied to each resolved address; -1 if none
}

// parseExpr parses one token. Errors say what is wrong with the token; the
// caller adds which token it was and where it came from.
func parseExpr(value string) (expr, error) {
	switch {
	case value == "":
		return expr{}, errors.New("empty target")
	case strings.Contains(value, "%"):
		return expr{}, errors.New("IPv6 zones are not supported")
	case strings.ContainsAny(value, ":[]"):
		return parseIPv6Expr(value)
	case onlyBytes(value, "0123456789.,*-/"):
		v4, err := parseIPv4Expr(value)
		return expr{v4: v4, prefix: -1}, err
	}
	return parseHostExpr(value)
}

// parseHostExpr parses "name" or "name/prefix".
func parseHostExpr(value string) (expr, error) {
	name, bitsText, hasPrefix := strings.Cut(value, "/")
	prefix := -1
	if hasPrefix {
		n, err := parsePrefixLen(bitsText, 128)
		if err != nil {
			return expr{}, err
		}
		prefix = n
	}
	if err := checkHostname(name); err != nil {
		return expr{}, err
	}
	return expr{host: name, prefix: prefix}, nil
}

// checkHostname accepts DNS names made of letters, digits, '-' and '_'
// (labels of 1-63 bytes, 253 in all, an optional final dot).
func checkHostname(name string) error {
	trimmed := strings.TrimSuffix(name, ".")
	if trimmed == "" || len(trimmed) > 253 {
		return errors.New("not an IP address, range, CIDR or hostname")
	}
	for label := range strings.SplitSeq(trimmed, ".") {
		if label == "" || len(label) > 63 {
			return errors.New("not an IP address, range, CIDR or hostname (bad hostname label)")
		}
		for _, c := range label {
			ok := c == '-' || c == '_' || ('0' <= c && c <= '9') || ('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z')
			if !ok {
				return fmt.Errorf("not an IP address, range, CIDR or hostname (character %q)", c)
			}
		}
		if label[0] == '-' || label[len(label)-1] == '-' {
			return errors.New("not an IP address, range, CIDR or hostname (hostname label starts or ends with '-')")
		}
	}
	return nil
}

// parsePrefixLen parses the decimal prefix length after '/'.
func parsePrefixLen(s string, max int) (int, error) {
	if s == "" {
		return 0, errors.New("missing prefix length after '/'")
	}
	if !onlyBytes(s, "0123456789") || len(s) > 3 || (len(s) > 1 && s[0] == '0') {
		return 0, fmt.Errorf("bad prefix length %q", s)
	}
	n, _ := strconv.Atoi(s) // at most 3 digits
	if n > max {
		return 0, fmt.Errorf("prefix length %d out of range 0-%d", n, max)
	}
	return n, nil
}

// onlyBytes reports whether every byte of s is one of set.
func onlyBytes(s, set string) bool {
	for i := 0; i < len(s); i++ {
		if strings.IndexByte(set, s[i]) < 0 {
			return false
		}
	}
	return true
}
