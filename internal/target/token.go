package target

import (
	"fmt"
	"strings"
	"unicode"
)

// Token is one target or exclusion as the user wrote it, with where it came
// from: "" for command-line arguments, "hosts.txt:3" for a line of a list file.
type Token struct {
	Value  string
	Source string
}

// ArgTokens turns command-line arguments into tokens. Like nmap, an argument
// may hold several targets separated by commas ("a,b"), except that commas
// inside an IPv4 octet pattern stay there: "198.18.0.1,3,5" is one target
// (addresses .1, .3 and .5), while "198.18.0.1,198.18.0.9" is two. Empty
// pieces ("a,,b") are dropped. Whitespace also separates targets.
func ArgTokens(args []string) []Token {
	var out []Token
	for _, a := range args {
		for _, v := range splitTargets(a) {
			out = append(out, Token{Value: v})
		}
	}
	return out
}

// splitTargets splits s on whitespace and commas, then rejoins pieces that
// continue an IPv4 octet pattern (a piece of digits, '-' and '*' with fewer
// than three dots that follows an IPv4-looking piece).
func splitTargets(s string) []string {
	var out []string
	for field := range strings.FieldsFuncSeq(s, unicode.IsSpace) {
		var pieces []string
		for p := range strings.SplitSeq(field, ",") {
			if p == "" {
				continue
			}
			if n := len(pieces); n > 0 && continuesOctetPattern(pieces[n-1], p) {
				pieces[n-1] += "," + p
				continue
			}
			pieces = append(pieces, p)
		}
		out = append(out, pieces...)
	}
	return out
}

func continuesOctetPattern(prev, next string) bool {
	return onlyBytes(prev, "0123456789.,*-") && onlyBytes(next, "0123456789.*-") &&
		strings.Count(next, ".") < 3 && strings.Count(prev, ".") <= 3 &&
		strings.Count(prev, ".")+strings.Count(next, ".") <= 3
}

// describe names a token in error messages: `target "x" (hosts.txt:3)`.
func (t Token) describe(kind string) string {
	if t.Source == "" {
		return fmt.Sprintf("%s %q", kind, t.Value)
	}
	return fmt.Sprintf("%s %q (%s)", kind, t.Value, t.Source)
}
