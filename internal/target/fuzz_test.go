package target

import (
	"context"
	"net/netip"
	"slices"
	"strings"
	"testing"
	"unicode"
)

func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"198.18.0.11", "198.18.0.0/24", "198.18.0.5/24", "198.18.0.11-14", "198.18.0.11-198.18.1.5",
		"198.18.0-1.1-5", "198.18.0.1,3,5-9", "198.18.*.1", "198.18.0.-", "2001:2::11", "[2001:2::11]",
		"2001:2::/120", "2001:2::11-2001:2::20", "::ffff:198.18.0.0/120", "web.lab", "dual.lab/126",
		"198.18.0.300", "fe80::1%eth0", "a..b", "0.0.0.0/0", "::/0", "1-2.3-4.5-6.7-8",
	} {
		f.Add(s, "")
		f.Add(s, "198.18.0.0/28")
	}
	f.Add("198.18.0.0/24", "web.lab,198.18.0.128/25")
	f.Fuzz(func(t *testing.T, target, exclude string) {
		tokens := []Token{{Value: target, Source: "fuzz:1"}}
		s, err := Parse(context.Background(), tokens, Options{
			Resolver: labResolver(), AllowLarge: true, Excludes: ArgTokens([]string{exclude}),
		})
		if err != nil {
			if !strings.HasPrefix(err.Error(), "target ") && !strings.HasPrefix(err.Error(), "exclude ") &&
				!strings.HasPrefix(err.Error(), "no targets") && !strings.HasPrefix(err.Error(), "too many") {
				t.Fatalf("error does not say what failed: %v", err)
			}
			return
		}
		checkSetInvariants(t, s)
	})
}

// checkSetInvariants samples a set: At is ascending within each family,
// IPv4 before IPv6, every sampled address is contained, never mapped, and
// the gaps between sampled neighbours of different spans are not.
func checkSetInvariants(t *testing.T, s *Set) {
	t.Helper()
	n := s.Len()
	if n == 0 {
		t.Fatal("empty set without error")
	}
	var idx []uint64
	for i := uint64(0); i < min(n, 64); i++ {
		idx = append(idx, i, n-1-i)
	}
	step := max(n/64, 1)
	for i := uint64(0); i < n && len(idx) < 300; i += step {
		idx = append(idx, i)
	}
	slices.Sort(idx)
	idx = slices.Compact(idx)
	var prev netip.Addr
	for k, i := range idx {
		a := s.At(i)
		if !s.Contains(a) || a.Is4In6() || a.Zone() != "" {
			t.Fatalf("At(%d) = %s: not contained or not canonical", i, a)
		}
		if k > 0 {
			if prev.Is4() == a.Is4() && !prev.Less(a) || prev.Is6() && a.Is4() {
				t.Fatalf("At(%d) = %s does not follow %s", i, a, prev)
			}
			if idx[k-1] == i-1 && prev.Is4() == a.Is4() && prev.Next() != a {
				// A gap between consecutive indexes must lie outside the set.
				if gap := prev.Next(); s.Contains(gap) {
					t.Fatalf("%s is in the set but skipped between At(%d) and At(%d)", gap, i-1, i)
				}
			}
		}
		prev = a
	}
	if len(s.v4)+len(s.v6) > 0 {
		for _, sp := range s.v4 {
			if sp.first.hi != 0 || sp.last.lo > 0xffffffff {
				t.Fatalf("IPv4 span out of range: %v", sp)
			}
		}
	}
}

func FuzzArgTokens(f *testing.F) {
	for _, s := range []string{"a,b", "198.18.0.1,3,5", "198.18.3-5,7.1", " x\ty ", ",,", "198.18.0.1,198.18.0.2"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, arg string) {
		for _, tok := range ArgTokens([]string{arg}) {
			if tok.Value == "" || strings.ContainsFunc(tok.Value, unicode.IsSpace) {
				t.Fatalf("bad token %q from %q", tok.Value, arg)
			}
			if strings.Contains(tok.Value, ",") && !onlyBytes(tok.Value, "0123456789.,*-") {
				t.Fatalf("comma kept in non-IPv4 token %q", tok.Value)
			}
		}
	})
}

func FuzzReadList(f *testing.F) {
	f.Add("# c\n198.18.0.1 web.lab # x\n\n2001:2::1,198.18.0.2\n")
	f.Fuzz(func(t *testing.T, text string) {
		toks, err := ReadListFrom(context.Background(), strings.NewReader(text), "f")
		if err != nil {
			return
		}
		for _, tok := range toks {
			if tok.Value == "" || strings.ContainsAny(tok.Value, "#") || strings.ContainsFunc(tok.Value, unicode.IsSpace) ||
				!strings.HasPrefix(tok.Source, "f:") {
				t.Fatalf("bad token %+v", tok)
			}
		}
	})
}

func FuzzParsePorts(f *testing.F) {
	for _, s := range []string{"22,80,443", "1-1024", "-", "T:22,80,U:53,161", "-1024", "60000-", "70000", "0", "22,,80", "U:53", "t:1-,u:-9"} {
		f.Add(s, true)
		f.Add(s, false)
	}
	f.Fuzz(func(t *testing.T, spec string, udp bool) {
		protos := []string{"tcp"}
		if udp {
			protos = append(protos, "udp")
		}
		p, err := ParsePorts(spec, protos)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "port spec") {
				t.Fatalf("error does not name the spec: %v", err)
			}
			return
		}
		for _, list := range [][]uint16{p.TCP, p.UDP} {
			for i, port := range list {
				if port == 0 || i > 0 && list[i-1] >= port {
					t.Fatalf("ports not sorted, unique and non-zero: %v", list)
				}
			}
		}
		if !udp && p.UDP != nil {
			t.Fatal("UDP ports without UDP scanning")
		}
		if len(p.TCP)+len(p.UDP) == 0 {
			t.Fatal("accepted spec with no ports at all")
		}
	})
}

func FuzzPermutation(f *testing.F) {
	for _, n := range []uint16{0, 1, 2, 3, 17, 255, 256, 257, 4095} {
		f.Add(n, uint64(n)*7)
	}
	f.Fuzz(func(t *testing.T, n uint16, seed uint64) {
		checkBijection(t, uint64(n%8192), seed)
	})
}

func FuzzRangeAlgebra(f *testing.F) {
	f.Add([]byte{1, 5, 3, 9, 200, 250}, []byte{4, 4, 0, 255})
	f.Fuzz(func(t *testing.T, a, b []byte) {
		toSpans := func(data []byte) []span {
			var out []span
			for i := 0; i+1 < len(data) && len(out) < 32; i += 2 {
				lo, hi := uint64(min(data[i], data[i+1])), uint64(max(data[i], data[i+1]))
				out = append(out, span{u128{0, lo}, u128{0, hi}})
			}
			return out
		}
		sa, sb := normalize(toSpans(a)), normalize(toSpans(b))
		var ma, mb, diff bitmapModel
		ma.add(toSpans(a))
		mb.add(toSpans(b))
		ma.equal(t, sa)
		for v := range diff {
			diff[v] = ma[v] && !mb[v]
		}
		diff.equal(t, subtract(sa, sb))
	})
}
