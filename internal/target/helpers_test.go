package target

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"sync"
	"testing"
)

// fakeResolver answers from a fixed table and counts lookups; names not in
// the table fail like a DNS "no such host".
type fakeResolver struct {
	mu      sync.Mutex
	table   map[string][]string
	lookups map[string]int
}

func newFakeResolver(table map[string][]string) *fakeResolver {
	return &fakeResolver{table: table, lookups: make(map[string]int)}
}

var errNoSuchHost = errors.New("no such host")

func (r *fakeResolver) LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if network != "ip" {
		return nil, fmt.Errorf("unexpected network %q", network)
	}
	r.mu.Lock()
	r.lookups[strings.ToLower(host)]++
	r.mu.Unlock()
	texts, ok := r.table[strings.ToLower(strings.TrimSuffix(host, "."))]
	if !ok {
		return nil, fmt.Errorf("lookup %s: %w", host, errNoSuchHost)
	}
	out := make([]netip.Addr, len(texts))
	for i, t := range texts {
		out[i] = netip.MustParseAddr(t)
	}
	return out, nil
}

// labResolver knows a few lab names in the benchmarking ranges.
func labResolver() *fakeResolver {
	return newFakeResolver(map[string][]string{
		"web.lab":    {"198.18.0.11"},
		"dual.lab":   {"2001:2::11", "198.18.0.12", "198.18.0.13"},
		"v6only.lab": {"2001:2::20", "2001:2::21"},
		"alias.lab":  {"198.18.0.11"},
		"mapped.lab": {"::ffff:198.18.0.30"},
		"empty.lab":  {},
	})
}

// spansOf renders a set as "first-last" ranges (or single addresses) for comparison.
func spansOf(s *Set) string {
	var parts []string
	render := func(spans []span, conv func(u128) netip.Addr) {
		for _, sp := range spans {
			if sp.first == sp.last {
				parts = append(parts, conv(sp.first).String())
			} else {
				parts = append(parts, conv(sp.first).String()+"-"+conv(sp.last).String())
			}
		}
	}
	render(s.v4, toAddr4)
	render(s.v6, toAddr6)
	return strings.Join(parts, " ")
}

func mustParse(t *testing.T, tokens []Token, opts Options) *Set {
	t.Helper()
	s, err := Parse(context.Background(), tokens, opts)
	if err != nil {
		t.Fatalf("Parse(%v): %v", tokens, err)
	}
	return s
}

func args(values ...string) []Token { return ArgTokens(values) }
