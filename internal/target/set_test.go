package target

import (
	"context"
	"errors"
	"net/netip"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestSetAtAndContains(t *testing.T) {
	s := mustParse(t, args("2001:2::fe-2001:2::101", "198.18.0.254-198.18.1.1", "198.18.5.5"), Options{})
	want := []string{
		"198.18.0.254", "198.18.0.255", "198.18.1.0", "198.18.1.1", "198.18.5.5",
		"2001:2::fe", "2001:2::ff", "2001:2::100", "2001:2::101",
	}
	if s.Len() != uint64(len(want)) {
		t.Fatalf("Len = %d, want %d", s.Len(), len(want))
	}
	for i, w := range want {
		if got := s.At(uint64(i)).String(); got != w {
			t.Errorf("At(%d) = %s, want %s", i, got, w)
		}
		if !s.Contains(netip.MustParseAddr(w)) {
			t.Errorf("Contains(%s) = false", w)
		}
	}
	for _, no := range []string{"198.18.0.253", "198.18.1.2", "198.18.5.4", "198.18.5.6", "2001:2::fd", "2001:2::102", "::"} {
		if s.Contains(netip.MustParseAddr(no)) {
			t.Errorf("Contains(%s) = true", no)
		}
	}
	if !s.Contains(netip.MustParseAddr("::ffff:198.18.5.5")) {
		t.Error("Contains does not unmap IPv4-mapped addresses")
	}
	if s.Contains(netip.Addr{}) {
		t.Error("Contains(zero Addr) = true")
	}
	defer func() {
		if recover() == nil {
			t.Error("At(Len()) did not panic")
		}
	}()
	s.At(s.Len())
}

func TestSetExclusions(t *testing.T) {
	tests := []struct {
		targets, excludes []string
		want              string
	}{
		{[]string{"198.18.0.0/24"}, []string{"198.18.0.0/25"}, "198.18.0.128-198.18.0.255"},
		{[]string{"198.18.0.0/24"}, []string{"198.18.0.10-20", "198.18.0.15-30", "198.18.0.255"}, "198.18.0.0-198.18.0.9 198.18.0.31-198.18.0.254"},
		{[]string{"198.18.0.1-5"}, []string{"198.18.0.3"}, "198.18.0.1-198.18.0.2 198.18.0.4-198.18.0.5"},
		{[]string{"198.18.0.1-5", "2001:2::/126"}, []string{"2001:2::1", "198.18.1.0/24"}, "198.18.0.1-198.18.0.5 2001:2:: 2001:2::2-2001:2::3"},
		{[]string{"::ffff:198.18.0.0/120"}, []string{"198.18.0.0/25"}, "198.18.0.128-198.18.0.255"},
		{[]string{"198.18.0.0/30"}, []string{"::ffff:198.18.0.1"}, "198.18.0.0 198.18.0.2-198.18.0.3"},
		{[]string{"dual.lab"}, []string{"198.18.0.12"}, "198.18.0.13 2001:2::11"},
		{[]string{"198.18.0.0/24"}, []string{"web.lab"}, "198.18.0.0-198.18.0.10 198.18.0.12-198.18.0.255"},
	}
	for _, tt := range tests {
		s := mustParse(t, args(tt.targets...), Options{Excludes: args(tt.excludes...), Resolver: labResolver()})
		if got := spansOf(s); got != tt.want {
			t.Errorf("%q minus %q: got %q, want %q", tt.targets, tt.excludes, got, tt.want)
		}
	}
}

func TestSetEmptyAfterExclusion(t *testing.T) {
	_, err := Parse(context.Background(), args("198.18.0.5"), Options{Excludes: args("198.18.0.0/24")})
	if !errors.Is(err, ErrNoTargets) || err.Error() != "no targets: every address is excluded" {
		t.Fatalf("got %v", err)
	}
}

func TestSetHostnames(t *testing.T) {
	r := labResolver()
	s := mustParse(t, args("web.lab", "alias.lab", "WEB.lab.", "dual.lab", "198.18.0.99", "mapped.lab"), Options{Resolver: r})
	if got, want := spansOf(s), "198.18.0.11-198.18.0.13 198.18.0.30 198.18.0.99 2001:2::11"; got != want {
		t.Errorf("set = %q, want %q", got, want)
	}
	checks := map[string][]string{
		"198.18.0.11": {"web.lab", "alias.lab"},
		"198.18.0.12": {"dual.lab"},
		"2001:2::11":  {"dual.lab"},
		"198.18.0.30": {"mapped.lab"},
		"198.18.0.99": nil,
	}
	for a, want := range checks {
		if got := s.Hostnames(netip.MustParseAddr(a)); !slices.Equal(got, want) {
			t.Errorf("Hostnames(%s) = %q, want %q", a, got, want)
		}
	}
	if got := s.Hostnames(netip.MustParseAddr("::ffff:198.18.0.11")); len(got) != 2 {
		t.Errorf("Hostnames of mapped form = %q", got)
	}
	// "web.lab" and "WEB.lab." are one name: one lookup.
	if n := r.lookups["web.lab"] + r.lookups["web.lab."]; n != 1 {
		t.Errorf("web.lab looked up %d times, want 1", n)
	}
	// Changing the returned slice does not change the set.
	s.Hostnames(netip.MustParseAddr("198.18.0.11"))[0] = "x"
	if s.Hostnames(netip.MustParseAddr("198.18.0.11"))[0] != "web.lab" {
		t.Error("Hostnames returned the set's own slice")
	}
}

func TestSetHostnamesDroppedWhenExcluded(t *testing.T) {
	s := mustParse(t, args("dual.lab"), Options{Resolver: labResolver(), Excludes: args("198.18.0.12")})
	if got := s.Hostnames(netip.MustParseAddr("198.18.0.12")); got != nil {
		t.Errorf("excluded address keeps names %q", got)
	}
}

func TestSetFirstAddressOnly(t *testing.T) {
	tests := map[string]string{
		"dual.lab":   "198.18.0.12", // IPv4 preferred although IPv6 came first
		"v6only.lab": "2001:2::20",
		"web.lab":    "198.18.0.11",
	}
	for name, want := range tests {
		s := mustParse(t, args(name), Options{Resolver: labResolver(), FirstAddressOnly: true})
		if got := spansOf(s); got != want {
			t.Errorf("%s: got %q, want %q", name, got, want)
		}
	}
	// Exclusions always use every address.
	s := mustParse(t, args("198.18.0.10-14", "2001:2::11"), Options{Resolver: labResolver(), FirstAddressOnly: true, Excludes: args("dual.lab")})
	if got, want := spansOf(s), "198.18.0.10-198.18.0.11 198.18.0.14"; got != want {
		t.Errorf("exclude dual.lab: got %q, want %q", got, want)
	}
}

func TestSetHostPrefix(t *testing.T) {
	s := mustParse(t, args("web.lab/30", "v6only.lab/127"), Options{Resolver: labResolver()})
	if got, want := spansOf(s), "198.18.0.8-198.18.0.11 2001:2::20-2001:2::21"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if got := s.Hostnames(netip.MustParseAddr("198.18.0.11")); !slices.Equal(got, []string{"web.lab"}) {
		t.Errorf("Hostnames = %q", got)
	}
}

func TestSetFailures(t *testing.T) {
	toks := []Token{{"web.lab", ""}, {"nosuch.lab", "hosts.txt:2"}, {"empty.lab", "hosts.txt:3"}, {"NOSUCH.lab", "hosts.txt:4"}}
	s := mustParse(t, toks, Options{Resolver: labResolver()})
	if got := spansOf(s); got != "198.18.0.11" {
		t.Errorf("set = %q", got)
	}
	f := s.Failures()
	if len(f) != 2 {
		t.Fatalf("Failures = %v, want 2 (one per distinct name)", f)
	}
	if f[0].Target != "nosuch.lab" || f[0].Err.Error() != `target "nosuch.lab" (hosts.txt:2): resolve: lookup nosuch.lab: no such host` {
		t.Errorf("failure 0 = %q: %v", f[0].Target, f[0].Err)
	}
	if !errors.Is(f[0].Err, errNoSuchHost) {
		t.Error("failure does not wrap the resolver error")
	}
	if f[1].Target != "empty.lab" || !strings.HasSuffix(f[1].Err.Error(), "resolve: no addresses") {
		t.Errorf("failure 1 = %q: %v", f[1].Target, f[1].Err)
	}
}

func TestSetAllFailed(t *testing.T) {
	_, err := Parse(context.Background(), args("nosuch.lab", "gone.lab"), Options{Resolver: labResolver()})
	if !errors.Is(err, ErrNoTargets) || !errors.Is(err, errNoSuchHost) {
		t.Fatalf("got %v", err)
	}
	if !strings.Contains(err.Error(), `target "gone.lab": resolve:`) {
		t.Errorf("error does not name every failure: %v", err)
	}
}

func TestSetExcludeUnresolvable(t *testing.T) {
	_, err := Parse(context.Background(), args("198.18.0.0/24"), Options{Resolver: labResolver(), Excludes: []Token{{"nosuch.lab", "skip:1"}}})
	want := `exclude "nosuch.lab" (skip:1): resolve: lookup nosuch.lab: no such host`
	if err == nil || err.Error() != want {
		t.Fatalf("got %v, want %q", err, want)
	}
}

func TestSetCancelledResolution(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := Parse(ctx, args("web.lab"), Options{Resolver: labResolver()})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v, want context.Canceled", err)
	}
	// No hostname: no I/O, so a cancelled context does not matter.
	if _, err := Parse(ctx, args("198.18.0.1"), Options{}); err != nil {
		t.Fatalf("literal address with cancelled context: %v", err)
	}
}

// slowResolver blocks until the context ends.
type slowResolver struct{}

func (slowResolver) LookupNetIP(ctx context.Context, _, _ string) ([]netip.Addr, error) {
	<-ctx.Done()
	return nil, ctx.Err()
}

func TestSetResolutionDeadline(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	toks := make([]Token, 50)
	for i := range toks {
		toks[i] = Token{Value: "h" + strings.Repeat("x", i) + ".lab"}
	}
	start := time.Now()
	_, err := Parse(ctx, toks, Options{Resolver: slowResolver{}})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("got %v", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("Parse took %v after the deadline", d)
	}
}

func TestSetLimits(t *testing.T) {
	ctx := context.Background()
	_, err := Parse(ctx, args("198.18.0.0/15"), Options{})
	want := "too many target addresses: 131072 addresses exceed the limit of 65536; pass --allow-large to scan them anyway"
	if !errors.Is(err, ErrTooManyAddresses) || err.Error() != want {
		t.Errorf("got %v, want %q", err, want)
	}
	if _, err := Parse(ctx, args("198.18.0.0/16"), Options{}); err != nil {
		t.Errorf("exactly the limit: %v", err)
	}
	if _, err := Parse(ctx, args("198.18.0.0/24"), Options{MaxAddresses: 100}); !errors.Is(err, ErrTooManyAddresses) {
		t.Errorf("MaxAddresses 100: got %v", err)
	}
	// The limit applies after exclusions.
	if _, err := Parse(ctx, args("198.18.0.0/15"), Options{Excludes: args("198.19.0.0/16")}); err != nil {
		t.Errorf("after exclusion: %v", err)
	}
	s, err := Parse(ctx, args("198.18.0.0/15"), Options{AllowLarge: true})
	if err != nil || s.Len() != 131072 {
		t.Errorf("AllowLarge: %v, %v", s, err)
	}
	// An IPv6 /64 does not fit in a uint64 count, whatever the options.
	_, err = Parse(ctx, args("2001:2::/64"), Options{AllowLarge: true})
	if !errors.Is(err, ErrTooManyAddresses) || !strings.Contains(err.Error(), "more than 18446744073709551615") {
		t.Errorf("/64: got %v", err)
	}
	s, err = Parse(ctx, args("2001:2::/65", "198.18.0.1"), Options{AllowLarge: true})
	if err != nil || s.Len() != 1<<63+1 {
		t.Fatalf("/65: %v", err)
	}
	if got := s.At(s.Len() - 1).String(); got != "2001:2::7fff:ffff:ffff:ffff" {
		t.Errorf("last of /65 = %s", got)
	}
}

func TestSetLargeIsCompact(t *testing.T) {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	s := mustParse(t, args("0.0.0.0/0", "2001:2::/80"), Options{AllowLarge: true, Excludes: args("10.0.0.0/8", "198.18.0.0/15")})
	runtime.ReadMemStats(&after)
	if got := after.TotalAlloc - before.TotalAlloc; got > 64<<10 {
		t.Errorf("parsing /0 and a v6 /80 allocated %d bytes", got)
	}
	if want := uint64(1<<32 - 1<<24 - 1<<17 + 1<<48); s.Len() != want {
		t.Errorf("Len = %d, want %d", s.Len(), want)
	}
	if got := s.At(1 << 31).String(); got != "129.0.0.0" { // 10/8 excluded before it
		t.Errorf("At(2^31) = %s", got)
	}
	if got := s.At(10 << 24).String(); got != "11.0.0.0" {
		t.Errorf("At(10<<24) = %s (the 10/8 exclusion shifts the index)", got)
	}
}
