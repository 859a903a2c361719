package target

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"strings"
	"sync"
)

// Resolver resolves hostnames; *net.Resolver satisfies it.
type Resolver interface {
	LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error)
}

var _ Resolver = (*net.Resolver)(nil)

// maxLookups bounds how many hostname lookups run at once.
const maxLookups = 8

// errNoAddresses is the lookup error when a name resolves to nothing.
var errNoAddresses = errors.New("no addresses")

// lookup is the result of resolving one distinct hostname.
type lookup struct {
	name  string // as first written by the user
	addrs []netip.Addr
	err   error
}

// hostKey is the form under which lookups are deduplicated: DNS names are
// case-insensitive and "a.example." is "a.example".
func hostKey(name string) string { return strings.ToLower(strings.TrimSuffix(name, ".")) }

// resolveAll resolves every distinct name concurrently (at most maxLookups at
// a time) and returns the results by hostKey. Addresses come back unmapped
// and without zones, in the resolver's order.
func resolveAll(ctx context.Context, r Resolver, names []string) map[string]*lookup {
	results := make(map[string]*lookup, len(names))
	var todo []*lookup
	for _, n := range names {
		k := hostKey(n)
		if _, dup := results[k]; dup {
			continue
		}
		l := &lookup{name: n}
		results[k] = l
		todo = append(todo, l)
	}
	work := make(chan *lookup)
	var wg sync.WaitGroup
	for range min(maxLookups, len(todo)) {
		wg.Go(func() {
			for l := range work {
				l.addrs, l.err = resolveOne(ctx, r, l.name)
			}
		})
	}
	for _, l := range todo {
		work <- l
	}
	close(work)
	wg.Wait()
	return results
}

func resolveOne(ctx context.Context, r Resolver, name string) ([]netip.Addr, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	addrs, err := r.LookupNetIP(ctx, "ip", name)
	if err != nil {
		return nil, err
	}
	out := make([]netip.Addr, 0, len(addrs))
	for _, a := range addrs {
		if a.IsValid() {
			out = append(out, a.Unmap().WithZone(""))
		}
	}
	if len(out) == 0 {
		return nil, errNoAddresses
	}
	return out, nil
}

// firstAddress picks the address used when only one is wanted: the first
// IPv4 address if there is one, else the first address. IPv4 is preferred
// because, like nmap without -6, most networks and scans are IPv4-first and
// a dual-stack name's IPv6 address is often not reachable from the scanner.
func firstAddress(addrs []netip.Addr) netip.Addr {
	for _, a := range addrs {
		if a.Is4() {
			return a
		}
	}
	return addrs[0]
}
