package config

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"strings"

	"github.com/portwatch/portwatch/internal/target"
)

// maxTargetAddresses bounds one target expression of a configuration (a
// /16 of IPv4, the scan command's default limit); a larger one is refused
// rather than checked address by address against the scope.
const maxTargetAddresses = target.DefaultMaxAddresses

// noResolver refuses every lookup: validating a configuration does no DNS,
// so a hostname stays a name and is matched against the scope's names.
type noResolver struct{}

var errNoLookup = errors.New("hostnames are not resolved while validating")

func (noResolver) LookupNetIP(context.Context, string, string) ([]netip.Addr, error) {
	return nil, errNoLookup
}

// scope is the parsed scope: address ranges plus hostnames.
type scope struct {
	addrs *target.Set
	names map[string]bool
}

// parsedTarget is one target expression: its addresses, or a hostname.
type parsedTarget struct {
	set  *target.Set
	name string
}

// parseTarget parses one target in the scan command's syntax (address,
// CIDR, range, octet pattern or hostname) without resolving names.
func parseTarget(s string, limit uint64) (parsedTarget, error) {
	if strings.ContainsAny(s, " \t,") {
		return parsedTarget{}, fmt.Errorf("target %q: one target per entry", s)
	}
	set, err := target.Parse(context.Background(), []target.Token{{Value: s}},
		target.Options{Resolver: noResolver{}, MaxAddresses: limit, AllowLarge: limit == 0})
	if errors.Is(err, target.ErrNoTargets) {
		return parsedTarget{name: hostKey(s)}, nil // a lone hostname, left unresolved
	}
	if err != nil {
		return parsedTarget{}, err // names the target already
	}
	if len(set.Failures()) > 0 {
		return parsedTarget{name: hostKey(s)}, nil
	}
	return parsedTarget{set: set}, nil
}

func hostKey(name string) string { return strings.ToLower(strings.TrimSuffix(name, ".")) }

// buildScope parses the scope entries, reporting bad ones.
func buildScope(entries []located, c *collector) scope {
	sc := scope{names: make(map[string]bool)}
	var tokens []target.Token
	for _, e := range entries {
		pt, err := parseTarget(e.value, 0)
		switch {
		case err != nil:
			c.add(e.pos, "", "scope: %v", err)
		case pt.set == nil:
			sc.names[pt.name] = true
		default:
			tokens = append(tokens, target.Token{Value: e.value})
		}
	}
	if len(tokens) > 0 {
		set, err := target.Parse(context.Background(), tokens, target.Options{Resolver: noResolver{}, AllowLarge: true})
		if err == nil {
			sc.addrs = set
		}
	}
	return sc
}

// check reports a target that is malformed or not entirely inside the scope.
func (sc scope) check(t located, entity string, c *collector) {
	pt, err := parseTarget(t.value, maxTargetAddresses)
	if err != nil {
		c.add(t.pos, entity, "%v", err)
		return
	}
	if pt.set == nil {
		if !sc.names[pt.name] {
			c.add(t.pos, entity, "target %q is outside scope (a hostname must be listed in scope by name)", t.value)
		}
		return
	}
	for i := range pt.set.Len() {
		if a := pt.set.At(i); sc.addrs == nil || !sc.addrs.Contains(a) {
			if pt.set.Len() == 1 {
				c.add(t.pos, entity, "target %q is outside scope", t.value)
			} else {
				c.add(t.pos, entity, "target %q is outside scope (%s is not in scope)", t.value, a)
			}
			return
		}
	}
}
