package nmapprobe

import (
	"bytes"
	"os"
	"testing"
)

// FuzzParse feeds arbitrary probe files to the parser; whatever parses
// must also survive matching and template expansion. Run with
//
//	go test -fuzz FuzzParse -fuzztime 30s ./internal/fingerprint/nmapprobe/
func FuzzParse(f *testing.F) {
	if b, err := os.ReadFile("testdata/probes.txt"); err == nil {
		f.Add(b)
	}
	for _, seed := range []string{
		"Probe TCP NULL q||\nmatch a m|^(a++)(b*+)?| p/$1/ v/$SUBST(2,\"b\",\"c\")/ i/$I(1,\"<\")/ cpe:/a:x:$P(1)/a\n",
		"Exclude T:1-10,U:5\nProbe TCP X q|\\x00\\r\\n|\nports 1,2-3\nsslports 4\nrarity 5\nfallback X\n",
		"Probe TCP X q|a|\nmatch b m=[[:alpha:]]{1,3}+\\Qx.y\\E=si o/$9/ h|$P(1)|\n",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := Parse(bytes.NewReader(data), "fuzz")
		if err != nil {
			return
		}
		subject := []byte("aab\x00\xff SSH-2.0-x\r\nHTTP/1.0 200 OK\r\n")
		for _, p := range s.Probes {
			if res := s.match(p, subject); res.hard != nil {
				_ = s.result(res.hard, res.groups, subject, false)
			}
		}
	})
}

// FuzzConvertPCRE checks that no pattern makes the rewriting or the
// compiler panic.
func FuzzConvertPCRE(f *testing.F) {
	for _, seed := range []string{`a++`, `[]a]*+`, `(?P<x>\d{1,2}+)`, `\Qa\E?+`, `[[:digit:]\h]`, `\x{41}\x4\0`} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, p string) {
		if re, err := compilePCRE(p, true, true); err == nil {
			_, _ = re.MatchString("some subject \x00\xff")
		}
	})
}

// FuzzExpand checks template expansion on arbitrary templates.
func FuzzExpand(f *testing.F) {
	for _, seed := range []string{`$1`, `$SUBST(1,"a","b")`, `$I(2,">")`, `$P(3)`, `$`, `$SUBST(1,",`} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, tmpl string) {
		_ = expand(tmpl, [][]byte{[]byte("x"), []byte("1_2"), []byte("\x01\x02\x03\x04\x05\x06\x07\x08\x09")})
	})
}
