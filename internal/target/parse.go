package target

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"slices"
)

// DefaultMaxAddresses is the address limit when Options.MaxAddresses is 0.
const DefaultMaxAddresses = 65536

// Errors that callers may branch on; Parse wraps them with details.
var (
	// ErrNoTargets means nothing is left to scan.
	ErrNoTargets = errors.New("no targets")
	// ErrTooManyAddresses means the targets exceed the address limit.
	ErrTooManyAddresses = errors.New("too many target addresses")
)

// Options controls Parse.
type Options struct {
	// Resolver resolves hostnames; nil means net.DefaultResolver.
	Resolver Resolver
	// FirstAddressOnly keeps one address per target hostname: the first
	// IPv4 address the resolver returned, or its first address if it
	// returned no IPv4 address. Otherwise every address is a target.
	// Hostnames in Excludes always exclude every address they resolve to.
	FirstAddressOnly bool
	// Excludes are subtracted from the targets; same syntax as targets. A
	// hostname among them that cannot be resolved is an error, so that an
	// exclusion never silently fails to apply.
	Excludes []Token
	// AllowLarge lifts the MaxAddresses limit (--allow-large).
	AllowLarge bool
	// MaxAddresses is the largest number of addresses allowed without
	// AllowLarge; 0 means DefaultMaxAddresses.
	MaxAddresses uint64
}

// parsedToken is a token with its parsed form.
type parsedToken struct {
	tok Token
	e   expr
}

// Parse parses targets and exclusions, resolves hostnames through
// opts.Resolver (bounded by ctx), merges everything into ranges and
// subtracts the exclusions. A bad token is an error naming it and its
// source; an unresolvable target hostname is not, and is reported by
// Set.Failures. Nothing left to scan is an error wrapping ErrNoTargets; more
// than the address limit is an error wrapping ErrTooManyAddresses.
func Parse(ctx context.Context, tokens []Token, opts Options) (*Set, error) {
	if len(tokens) == 0 {
		return nil, fmt.Errorf("%w: no targets given", ErrNoTargets)
	}
	targets, err := parseTokens(tokens, "target")
	if err != nil {
		return nil, err
	}
	excludes, err := parseTokens(opts.Excludes, "exclude")
	if err != nil {
		return nil, err
	}
	lookups, err := resolveHosts(ctx, opts.Resolver, targets, excludes)
	if err != nil {
		return nil, err
	}
	inc, err := collect(targets, lookups, opts.FirstAddressOnly, "target")
	if err != nil {
		return nil, err
	}
	exc, err := collect(excludes, lookups, false, "exclude")
	if err != nil {
		return nil, err
	}
	if len(exc.failures) > 0 {
		return nil, exc.failures[0].Err
	}
	v4 := subtract(inc.v4, exc.v4)
	v6 := subtract(inc.v6, exc.v6)
	if err := checkSize(v4, v6, inc, opts); err != nil {
		return nil, err
	}
	return newSet(v4, v6, inc.names, inc.failures), nil
}

func parseTokens(tokens []Token, kind string) ([]parsedToken, error) {
	out := make([]parsedToken, 0, len(tokens))
	for _, t := range tokens {
		e, err := parseExpr(t.Value)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", t.describe(kind), err)
		}
		out = append(out, parsedToken{t, e})
	}
	return out, nil
}

// resolveHosts looks up every hostname among the parsed tokens.
func resolveHosts(ctx context.Context, r Resolver, lists ...[]parsedToken) (map[string]*lookup, error) {
	var names []string
	for _, list := range lists {
		for _, p := range list {
			if p.e.host != "" {
				names = append(names, p.e.host)
			}
		}
	}
	if len(names) == 0 {
		return nil, nil
	}
	if r == nil {
		r = net.DefaultResolver
	}
	lookups := resolveAll(ctx, r, names)
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("resolve target hostnames: %w", err)
	}
	return lookups, nil
}

// collected is the normalized address ranges of a token list, the names
// that resolved to each address and the names that did not resolve.
type collected struct {
	v4, v6   []span
	names    map[netip.Addr][]string
	failures []Failure
}

func collect(list []parsedToken, lookups map[string]*lookup, firstOnly bool, kind string) (collected, error) {
	c := collected{names: make(map[netip.Addr][]string)}
	failed := make(map[string]bool)
	for _, p := range list {
		c.v4 = append(c.v4, p.e.v4...)
		c.v6 = append(c.v6, p.e.v6...)
		if p.e.host == "" {
			continue
		}
		l := lookups[hostKey(p.e.host)]
		if l.err != nil {
			if k := hostKey(p.e.host); !failed[k] {
				failed[k] = true
				err := fmt.Errorf("%s: resolve: %w", p.tok.describe(kind), l.err)
				c.failures = append(c.failures, Failure{Target: p.tok.Value, Err: err})
			}
			continue
		}
		addrs := l.addrs
		if firstOnly {
			addrs = []netip.Addr{firstAddress(addrs)}
		}
		for _, a := range addrs {
			s, err := hostSpan(a, p.e.prefix)
			if err != nil {
				return c, fmt.Errorf("%s: %w", p.tok.describe(kind), err)
			}
			if a.Is4() {
				c.v4 = append(c.v4, s)
			} else {
				c.v6 = append(c.v6, s)
			}
			if !slices.Contains(c.names[a], l.name) {
				c.names[a] = append(c.names[a], l.name)
			}
		}
	}
	c.v4, c.v6 = unmapSpans(normalize(c.v4), normalize(c.v6))
	return c, nil
}

// hostSpan is the span of a resolved address, or of its network when the
// user wrote "host/prefix".
func hostSpan(a netip.Addr, prefix int) (span, error) {
	v, is4 := fromAddr(a)
	switch {
	case prefix < 0:
		return span{v, v}, nil
	case is4 && prefix > 32:
		return span{}, fmt.Errorf("prefix length %d too long for IPv4 address %s", prefix, a)
	case is4:
		return cidrSpan(v, prefix+96), nil
	}
	return cidrSpan(v, prefix), nil
}

// unmapSpans moves the IPv4-mapped part of IPv6 ranges (::ffff:0:0/96) to
// IPv4, so that each address has one form. Both inputs are normalized, and
// so are the results.
func unmapSpans(v4, v6 []span) ([]span, []span) {
	mapped := span{u128{0, 0xffff_0000_0000}, u128{0, 0xffff_ffff_ffff}}
	in := intersect(v6, mapped)
	if len(in) == 0 {
		return v4, v6
	}
	for _, s := range in {
		v4 = append(v4, span{u128{0, s.first.lo & 0xffff_ffff}, u128{0, s.last.lo & 0xffff_ffff}})
	}
	return normalize(v4), subtract(v6, []span{mapped})
}

// checkSize enforces that something is left and that the count fits the limit.
func checkSize(v4, v6 []span, inc collected, opts Options) error {
	if len(v4) == 0 && len(v6) == 0 {
		switch {
		case len(inc.failures) > 0 && len(inc.v4) == 0 && len(inc.v6) == 0:
			errs := make([]error, len(inc.failures))
			for i, f := range inc.failures {
				errs[i] = f.Err
			}
			return fmt.Errorf("%w: no target could be resolved: %w", ErrNoTargets, errors.Join(errs...))
		case len(inc.failures) > 0:
			return fmt.Errorf("%w: every address is excluded, and %d hostname(s) could not be resolved", ErrNoTargets, len(inc.failures))
		}
		return fmt.Errorf("%w: every address is excluded", ErrNoTargets)
	}
	n4, ok4 := total(v4)
	n6, ok6 := total(v6)
	n := n4 + n6
	if !ok4 || !ok6 || n < n4 {
		return fmt.Errorf("%w: more than %d addresses (IPv6 blocks must be much smaller than a /64)", ErrTooManyAddresses, uint64(1<<64-1))
	}
	limit := opts.MaxAddresses
	if limit == 0 {
		limit = DefaultMaxAddresses
	}
	if n > limit && !opts.AllowLarge {
		return fmt.Errorf("%w: %d addresses exceed the limit of %d; pass --allow-large to scan them anyway", ErrTooManyAddresses, n, limit)
	}
	return nil
}
