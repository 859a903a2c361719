package target

import (
	"context"
	"errors"
	"testing"
)

func TestParseSyntax(t *testing.T) {
	tests := []struct {
		in   []string
		want string
	}{
		{[]string{"198.18.0.11"}, "198.18.0.11"},
		{[]string{"2001:2::11"}, "2001:2::11"},
		{[]string{"[2001:2::11]"}, "2001:2::11"},
		{[]string{"[198.18.0.11]"}, "198.18.0.11"},
		{[]string{"198.18.0.0/24"}, "198.18.0.0-198.18.0.255"},
		{[]string{"198.18.0.5/24"}, "198.18.0.0-198.18.0.255"},
		{[]string{"198.18.0.5/32"}, "198.18.0.5"},
		{[]string{"198.18.0.5/31"}, "198.18.0.4-198.18.0.5"},
		{[]string{"2001:2::/120"}, "2001:2::-2001:2::ff"},
		{[]string{"2001:2::77/120"}, "2001:2::-2001:2::ff"},
		{[]string{"[2001:2::]/126"}, "2001:2::-2001:2::3"},
		{[]string{"198.18.0.11-14"}, "198.18.0.11-198.18.0.14"},
		{[]string{"198.18.0.11-198.18.1.5"}, "198.18.0.11-198.18.1.5"},
		{[]string{"2001:2::11-2001:2::14"}, "2001:2::11-2001:2::14"},
		{[]string{"[2001:2::11]-[2001:2::14]"}, "2001:2::11-2001:2::14"},
		{[]string{"198.18.0-1.1-5"}, "198.18.0.1-198.18.0.5 198.18.1.1-198.18.1.5"},
		{[]string{"198.18.0.1,3,5-6"}, "198.18.0.1 198.18.0.3 198.18.0.5-198.18.0.6"},
		{[]string{"198.18.3-4,7.1"}, "198.18.3.1 198.18.4.1 198.18.7.1"},
		{[]string{"198.18.0.*"}, "198.18.0.0-198.18.0.255"},
		{[]string{"198.18.0-1.*"}, "198.18.0.0-198.18.1.255"},
		{[]string{"198.18.*.*"}, "198.18.0.0-198.18.255.255"},
		{[]string{"198.18.0.250-"}, "198.18.0.250-198.18.0.255"},
		{[]string{"198.18.0.-3"}, "198.18.0.0-198.18.0.3"},
		{[]string{"198.18.0.1-3,2-5"}, "198.18.0.1-198.18.0.5"},
		// Duplicates and overlaps merge; adjacent ranges join.
		{[]string{"198.18.0.11", "198.18.0.11", "198.18.0.10-12"}, "198.18.0.10-198.18.0.12"},
		{[]string{"198.18.0.0/25", "198.18.0.128/25"}, "198.18.0.0-198.18.0.255"},
		{[]string{"198.18.0.20,198.18.0.10"}, "198.18.0.10 198.18.0.20"},
		// IPv4-mapped IPv6 is unmapped, also inside ranges and blocks.
		{[]string{"::ffff:198.18.0.11"}, "198.18.0.11"},
		{[]string{"::ffff:198.18.0.0/120"}, "198.18.0.0-198.18.0.255"},
		{[]string{"::fffe:ffff:ffff-::ffff:0:1"}, "0.0.0.0-0.0.0.1 ::fffe:ffff:ffff"},
		// Order: IPv4 ascending, then IPv6 ascending.
		{[]string{"2001:2::1", "198.18.0.2", "2001:2::0", "198.18.0.1"}, "198.18.0.1-198.18.0.2 2001:2::-2001:2::1"},
		// Edges of the address spaces.
		{[]string{"255.255.255.254-255.255.255.255", "0.0.0.0"}, "0.0.0.0 255.255.255.254-255.255.255.255"},
		{[]string{"ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe-ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"},
			"ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe-ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"},
	}
	for _, tt := range tests {
		s := mustParse(t, args(tt.in...), Options{})
		if got := spansOf(s); got != tt.want {
			t.Errorf("%q: got %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		tok  Token
		want string
	}{
		{Token{"198.18.0.300", "hosts.txt:3"}, `target "198.18.0.300" (hosts.txt:3): octet 300 out of range`},
		{Token{"198.18.0.300", ""}, `target "198.18.0.300": octet 300 out of range`},
		{Token{"198.18.0.1000", ""}, `target "198.18.0.1000": octet 1000 out of range`},
		{Token{"198.18.0.01", ""}, `target "198.18.0.01": octet "01" has a leading zero (ambiguous: octal or decimal?)`},
		{Token{"198.18.0", ""}, `target "198.18.0": IPv4 address "198.18.0" needs 4 octets`},
		{Token{"198.18..1", ""}, `target "198.18..1": empty octet`},
		{Token{"1234", ""}, `target "1234": IPv4 address "1234" needs 4 octets`},
		{Token{"198.18.0.14-11", ""}, `target "198.18.0.14-11": octet range 14-11 is reversed`},
		{Token{"198.18.1.0-198.18.0.255", ""}, `target "198.18.1.0-198.18.0.255": range 198.18.1.0-198.18.0.255 is reversed`},
		{Token{"2001:2::14-2001:2::11", ""}, `target "2001:2::14-2001:2::11": range 2001:2::14-2001:2::11 is reversed`},
		{Token{"198.18.0.0/33", ""}, `target "198.18.0.0/33": prefix length 33 out of range 0-32`},
		{Token{"198.18.0.0/", ""}, `target "198.18.0.0/": missing prefix length after '/'`},
		{Token{"198.18.0.0/08", ""}, `target "198.18.0.0/08": bad prefix length "08"`},
		{Token{"198.18.0-1.0/24", ""}, `target "198.18.0-1.0/24": bad octet "0-1"`},
		{Token{"2001:2::/129", ""}, `target "2001:2::/129": prefix length 129 out of range 0-128`},
		{Token{"fe80::1%eth0", ""}, `target "fe80::1%eth0": IPv6 zones are not supported`},
		{Token{"[fe80::1%eth0]", ""}, `target "[fe80::1%eth0]": IPv6 zones are not supported`},
		{Token{"2001:2::11-198.18.0.1", ""}, `target "2001:2::11-198.18.0.1": range mixes IPv4 and IPv6`},
		{Token{"2001:2::11-14", ""}, `target "2001:2::11-14": an IPv6 range needs a full end address, like 2001:2::11-2001:2::14`},
		{Token{"2001:2::11-2001:2::1g", ""}, `target "2001:2::11-2001:2::1g": bad IP address "2001:2::1g"`},
		{Token{"2001:2::zz", ""}, `target "2001:2::zz": bad IP address "2001:2::zz"`},
		{Token{"[2001:2::11", ""}, `target "[2001:2::11": unbalanced brackets in "[2001:2::11"`},
		{Token{"bad_host!", "list:1"}, `target "bad_host!" (list:1): not an IP address, range, CIDR or hostname (character '!')`},
		{Token{"-web.lab", ""}, `target "-web.lab": not an IP address, range, CIDR or hostname (hostname label starts or ends with '-')`},
		{Token{"a..b", ""}, `target "a..b": not an IP address, range, CIDR or hostname (bad hostname label)`},
		{Token{"1-255.1-255.1-255.1", ""}, `target "1-255.1-255.1-255.1": octet pattern expands to more than 262144 separate ranges; use CIDR blocks or full-address ranges`},
		{Token{"web.lab/33x", ""}, `target "web.lab/33x": bad prefix length "33x"`},
		{Token{"web.lab/40", ""}, `target "web.lab/40": prefix length 40 too long for IPv4 address 198.18.0.11`},
	}
	ctx := context.Background()
	for _, tt := range tests {
		_, err := Parse(ctx, []Token{tt.tok}, Options{Resolver: labResolver()})
		if err == nil || err.Error() != tt.want {
			t.Errorf("%q: got error %v, want %q", tt.tok.Value, err, tt.want)
		}
	}
}

func TestParseExcludeErrorNamesExclude(t *testing.T) {
	_, err := Parse(context.Background(), args("198.18.0.0/24"), Options{
		Excludes: []Token{{"198.18.0.256", "skip.txt:2"}},
	})
	want := `exclude "198.18.0.256" (skip.txt:2): octet 256 out of range`
	if err == nil || err.Error() != want {
		t.Fatalf("got %v, want %q", err, want)
	}
}

func TestParseNoTokens(t *testing.T) {
	_, err := Parse(context.Background(), nil, Options{})
	if !errors.Is(err, ErrNoTargets) {
		t.Fatalf("got %v, want ErrNoTargets", err)
	}
}
