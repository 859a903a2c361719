package nmapprobe

import (
	"strings"
	"testing"
)

func loadTest(t testing.TB) *Set {
	t.Helper()
	s, err := Load("testdata/probes.txt")
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestParse(t *testing.T) {
	s := loadTest(t)
	if len(s.Probes) != 5 || len(s.Warnings) != 0 || s.Intensity != DefaultIntensity {
		t.Fatalf("%d probes, warnings %v, intensity %d", len(s.Probes), s.Warnings, s.Intensity)
	}
	if !s.exclude.has(9) || !s.exclude.has(19) || s.exclude.has(10) {
		t.Errorf("exclude %v", s.exclude)
	}
	null, hello, echo := s.Probes[0], s.Probes[1], s.Probes[3]
	if s.null != null || null.TotalWait.Milliseconds() != 600 || null.TCPWrapped.Milliseconds() != 500 || len(null.Matches) != 4 {
		t.Errorf("NULL probe %+v", null)
	}
	if hello.Name != "Hello" || string(hello.Payload) != "HELLO\r\n" || hello.Rarity != 3 ||
		!hello.Ports.has(80) || !hello.Ports.has(7000) || hello.Ports.has(7443) || !hello.SSLPorts.has(7443) {
		t.Errorf("Hello probe %+v", hello)
	}
	if len(echo.fallbacks) != 1 || echo.fallbacks[0] != hello {
		t.Errorf("Echoish fallbacks %v", echo.fallbacks)
	}
	if !s.Probes[0].Matches[3].Soft || s.Probes[0].Matches[0].Line != 9 {
		t.Errorf("match lines %+v", s.Probes[0].Matches)
	}
}

func TestParseErrors(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"match x m|a|\n", "t.txt:1: match before the first Probe"},
		{"Probe TCP NULL q||\nfrobnicate 3\n", `t.txt:2: unknown directive "frobnicate"`},
		{"Probe SCTP X q||\n", `t.txt:1: Probe: protocol "SCTP" is neither TCP nor UDP`},
		{"Probe TCP X q|abc\n", "t.txt:1: Probe: unterminated payload"},
		{"Probe TCP X q|\\xZZ|\n", `t.txt:1: Probe: bad \x escape`},
		{"Probe TCP X q||\n# c\n\nmatch svc m|abc\n", "t.txt:4: match: unterminated pattern"},
		{"Probe TCP X q||\nmatch svc m|abc|q\n", `t.txt:2: match: unknown pattern flag 'q'`},
		{"Probe TCP X q||\nmatch svc m|abc| z/x/\n", "t.txt:2: version info: unknown field"},
		{"Probe TCP X q||\nmatch svc m|abc| p/x\n", "t.txt:2: version info: unterminated p field"},
		{"Probe TCP X q||\nrarity 12\n", "t.txt:2: rarity: want 1-9"},
		{"Probe TCP X q||\nports 80,70000\n", `t.txt:2: ports: bad port "70000"`},
		{"Probe TCP X q||\nports 90-80\n", "t.txt:2: ports: port range \"90-80\" is reversed"},
		{"Probe TCP X q||\ntotalwaitms soon\n", "t.txt:2: totalwaitms: bad milliseconds"},
		{"Exclude Q:80\n", "t.txt:1: unknown protocol prefix 'Q' in Exclude"},
		{"Exclude T:x\n", `t.txt:1: bad Exclude: bad port "x"`},
		{"Probe TCP X q||\nfallback Nope\n", `t.txt:2: fallback: no probe named "Nope"`},
	} {
		_, err := Parse(strings.NewReader(c.in), "t.txt")
		if err == nil || !strings.HasPrefix(err.Error(), c.want) {
			t.Errorf("%q: got %v, want %s", c.in, err, c.want)
		}
	}
}

func TestParseSkipsUncompilablePattern(t *testing.T) {
	s, err := Parse(strings.NewReader("Probe TCP NULL q||\nmatch a m|(unclosed|\nmatch b m|ok|\n"), "t.txt")
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Warnings) != 1 || !strings.HasPrefix(s.Warnings[0], "t.txt:2: a pattern skipped") || len(s.Probes[0].Matches) != 1 {
		t.Errorf("warnings %v, matches %d", s.Warnings, len(s.Probes[0].Matches))
	}
}

func TestLoadMissing(t *testing.T) {
	if _, err := Load("testdata/no-such-file"); err == nil || !strings.Contains(err.Error(), "open nmap probes") {
		t.Errorf("got %v", err)
	}
}

func TestConvertPCRE(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{`a++b`, `(?>a+)b`},
		{`(ab)*+c`, `(?>(ab)*)c`},
		{`[a-z]?+`, `(?>[a-z]?)`},
		{`\d{1,3}+x`, `(?>[0-9]{1,3})x`},
		{`x{2}+`, `(?>x{2})`},
		{`a+?b*?`, `a+?b*?`},
		{`a{,3}`, `a{,3}`},
		{`[]x]`, `[\]x]`},
		{`[^]x]`, `[^\]x]`},
		{`[[:alpha:][:digit:]_]`, `[a-zA-Z0-9_]`},
		{`\Qa.b\E+`, `a\x2eb+`},
		{`(?P<v>\w+)(?P=v)`, `(?<v>[a-zA-Z0-9_]+)\k<v>`},
		{`\h+\x0\x41\0\012`, `[\t ]+\x00\x41\0\012`},
		{`[\d\s]`, `[0-9\t\n\x0b\f\r ]`},
		{`\S\W\D`, `[^\t\n\x0b\f\r ][^a-zA-Z0-9_][^0-9]`},
	} {
		got, err := convertPCRE(c.in)
		if err != nil || got != c.want {
			t.Errorf("convertPCRE(%s) = %s, %v; want %s", c.in, got, err, c.want)
		}
		if _, err := compilePCRE(c.in, false, false); err != nil {
			t.Errorf("compile %s: %v", c.in, err)
		}
	}
	for _, bad := range []string{`(a`, `a)`, `[a`, `a\`, `[[:nope:]]`} {
		if _, err := convertPCRE(bad); err == nil {
			t.Errorf("convertPCRE(%s): no error", bad)
		}
	}
}

// TestPossessiveSemantics checks that the rewrite keeps PCRE's meaning: a
// possessive quantifier gives nothing back.
func TestPossessiveSemantics(t *testing.T) {
	for _, c := range []struct {
		re, subject string
		want        bool
	}{
		{`^a++a`, "aaa", false},
		{`^a+a`, "aaa", true},
		{`^\d{1,3}+3`, "123", false},
		{`^x*+y`, "xxy", true},
	} {
		re, err := compilePCRE(c.re, false, false)
		if err != nil {
			t.Fatal(err)
		}
		if got, _ := re.MatchString(c.subject); got != c.want {
			t.Errorf("%s on %q: %v", c.re, c.subject, got)
		}
	}
}

func TestExpand(t *testing.T) {
	groups := [][]byte{[]byte("all"), []byte("1_2_3"), []byte("\x01\x00"), []byte("a\x00b\r\n"), []byte("Ünï")}
	for _, c := range []struct{ tmpl, want string }{
		{"v$1", "v1_2_3"},
		{`$SUBST(1,"_",".")`, "1.2.3"},
		{`$I(2,">")`, "256"},
		{`$I(2,"<")`, "1"},
		{`$P(3)`, "ab"},
		{"$3", "ab"},
		{"$4", "Ünï"},
		{"$9 and $", "and $"},
		{`$SUBST(1,"_")`, `$SUBST(1,"_")`},
		{`$X(1)`, "$X(1)"},
		{`$P(1`, "$P(1"},
	} {
		if got := expand(c.tmpl, groups); got != c.want {
			t.Errorf("expand(%q) = %q, want %q", c.tmpl, got, c.want)
		}
	}
}

func TestCPE23(t *testing.T) {
	for in, want := range map[string]string{
		"a:openbsd:openssh:9.2p1":    "cpe:2.3:a:openbsd:openssh:9.2p1:*:*:*:*:*:*:*",
		"cpe:/a:igor_sysoev:nginx":   "cpe:2.3:a:igor_sysoev:nginx:*:*:*:*:*:*:*:*",
		"o:linux:linux_kernel":       "cpe:2.3:o:linux:linux_kernel:*:*:*:*:*:*:*:*",
		"a:vendor:prod%20uct:1.0:u1": "cpe:2.3:a:vendor:prod_uct:1.0:*:*:*:*:*:*:*",
		"x:bad":                      "",
		"a":                          "",
	} {
		if got := cpe23(in); got != want {
			t.Errorf("cpe23(%s) = %s, want %s", in, got, want)
		}
	}
}
