package nmapprobe

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/dlclark/regexp2"
)

// matchTimeout bounds one regular-expression match: a hostile response
// must not make a backtracking pattern run for long.
const matchTimeout = 250 * time.Millisecond

// compilePCRE compiles an nmap (PCRE) pattern with regexp2. The pattern
// is Latin-1: each rune stands for one byte, as the subject will.
func compilePCRE(pattern string, caseless, dotall bool) (*regexp2.Regexp, error) {
	conv, err := convertPCRE(pattern)
	if err != nil {
		return nil, err
	}
	opts := regexp2.None
	if caseless {
		opts |= regexp2.IgnoreCase
	}
	if dotall {
		opts |= regexp2.Singleline
	}
	re, err := regexp2.Compile(conv, opts)
	if err != nil {
		return nil, err
	}
	re.MatchTimeout = matchTimeout
	return re, nil
}

// convertPCRE rewrites the PCRE constructs regexp2 (.NET syntax) lacks or
// reads differently: possessive quantifiers (X++, X*+, X?+, X{n,m}+)
// become atomic groups, \Q...\E a quoted literal, \h a class, POSIX
// classes ([:alpha:]) their ranges, (?P<name>) a .NET named group, and
// \d \w \s their ASCII meaning (PCRE without UTF mode).
func convertPCRE(p string) (string, error) {
	rs := []rune(p)
	var out []rune
	var groups []int
	atom := -1 // where the last quantifiable atom starts in out
	for i := 0; i < len(rs); {
		switch c := rs[i]; c {
		case '\\':
			esc, n, err := escapeAt(rs, i, false)
			if err != nil {
				return "", err
			}
			atom = len(out)
			out = append(out, esc...)
			i += n
		case '[':
			cls, n, err := classAt(rs, i)
			if err != nil {
				return "", err
			}
			atom = len(out)
			out = append(out, cls...)
			i += n
		case '(':
			groups = append(groups, len(out))
			atom = -1
			switch {
			case hasPrefix(rs[i:], "(?P<"):
				out = append(out, []rune("(?<")...)
				i += 4
			case hasPrefix(rs[i:], "(?P="):
				end := indexRune(rs[i:], ')')
				if end < 0 {
					return "", errors.New("unterminated (?P= back reference")
				}
				groups = groups[:len(groups)-1]
				atom = len(out)
				out = append(out, []rune(`\k<`+string(rs[i+4:i+end])+`>`)...)
				i += end + 1
			default:
				out = append(out, '(')
				i++
			}
		case ')':
			if len(groups) == 0 {
				return "", errors.New("unmatched )")
			}
			atom = groups[len(groups)-1]
			groups = groups[:len(groups)-1]
			out = append(out, ')')
			i++
		case '*', '+', '?', '{':
			q := quantifierAt(rs, i)
			if q == 0 { // a literal {
				atom = len(out)
				out = append(out, c)
				i++
				continue
			}
			quant := rs[i : i+q]
			i += q
			switch {
			case i < len(rs) && rs[i] == '+' && atom >= 0:
				body := append([]rune("(?>"), out[atom:]...)
				body = append(body, quant...)
				out = append(out[:atom], append(body, ')')...)
				i++
			case i < len(rs) && rs[i] == '?':
				out = append(out, quant...)
				out = append(out, '?')
				i++
			default:
				out = append(out, quant...)
			}
			atom = -1
		default:
			if c == '|' || c == '^' || c == '$' {
				atom = -1
			} else {
				atom = len(out)
			}
			out = append(out, c)
			i++
		}
	}
	if len(groups) > 0 {
		return "", errors.New("missing )")
	}
	return string(out), nil
}

// quantifierAt returns the length of the quantifier at rs[i] (*, +, ?,
// {n}, {n,}, {n,m}), or 0 if a { there is a literal.
func quantifierAt(rs []rune, i int) int {
	if rs[i] != '{' {
		return 1
	}
	j, digits, comma := i+1, 0, false
	for ; j < len(rs); j++ {
		switch {
		case rs[j] >= '0' && rs[j] <= '9':
			if !comma {
				digits++
			}
		case rs[j] == ',' && !comma:
			comma = true
		case rs[j] == '}':
			if digits == 0 {
				return 0
			}
			return j - i + 1
		default:
			return 0
		}
	}
	return 0
}

// escapeAt translates the escape sequence at rs[i] (a backslash); inClass
// says whether it stands inside a character class. It returns the text
// to emit and how many runes were consumed.
func escapeAt(rs []rune, i int, inClass bool) ([]rune, int, error) {
	if i+1 >= len(rs) {
		return nil, 0, errors.New("trailing backslash")
	}
	c := rs[i+1]
	switch c {
	case 'Q':
		end := indexString(rs[i+2:], `\E`)
		lit := rs[i+2:]
		n := len(rs) - i
		if end >= 0 {
			lit = rs[i+2 : i+2+end]
			n = end + 4
		}
		return []rune(quoteLiteral(lit)), n, nil
	case 'E': // a stray \E ends nothing
		return nil, 2, nil
	case 'h':
		if inClass {
			return []rune(`\t `), 2, nil
		}
		return []rune(`[\t ]`), 2, nil
	case 'H':
		if inClass {
			return nil, 0, errors.New(`\H inside a class is not supported`)
		}
		return []rune(`[^\t ]`), 2, nil
	case 'd', 'w', 's':
		r := asciiClass(c)
		if inClass {
			return []rune(r), 2, nil
		}
		return []rune("[" + r + "]"), 2, nil
	case 'D', 'W', 'S':
		if inClass {
			return rs[i : i+2], 2, nil // regexp2's own reading; rare in nmap's patterns
		}
		return []rune("[^" + asciiClass(c+'a'-'A') + "]"), 2, nil
	case 'x':
		if i+2 < len(rs) && rs[i+2] == '{' {
			end := indexRune(rs[i+2:], '}')
			if end < 0 {
				return nil, 0, errors.New(`unterminated \x{`)
			}
			return rs[i : i+3+end], 3 + end, nil
		}
		n := 2
		for n < 4 && i+n < len(rs) && isHex(rs[i+n]) {
			n++
		}
		if n == 2 {
			return []rune(`\x00`), 2, nil // PCRE: \x with no digits is NUL
		}
		if n == 3 { // one hex digit: regexp2 wants two
			return []rune(`\x0` + string(rs[i+2])), 3, nil
		}
		return rs[i : i+n], n, nil
	case '0':
		n := 2
		for n < 4 && i+n < len(rs) && rs[i+n] >= '0' && rs[i+n] <= '7' {
			n++
		}
		return rs[i : i+n], n, nil
	}
	return rs[i : i+2], 2, nil
}

// asciiClass is the body of PCRE's \d, \w or \s outside UTF mode.
func asciiClass(c rune) string {
	switch c {
	case 'd':
		return `0-9`
	case 'w':
		return `a-zA-Z0-9_`
	}
	return `\t\n\x0b\f\r `
}

// classAt translates the character class starting at rs[i] ('[').
func classAt(rs []rune, i int) ([]rune, int, error) {
	out := []rune{'['}
	j := i + 1
	if j < len(rs) && rs[j] == '^' {
		out = append(out, '^')
		j++
	}
	if j < len(rs) && rs[j] == ']' { // a leading ] is literal in PCRE
		out = append(out, '\\', ']')
		j++
	}
	for j < len(rs) {
		switch {
		case rs[j] == ']':
			return append(out, ']'), j - i + 1, nil
		case rs[j] == '\\':
			esc, n, err := escapeAt(rs, j, true)
			if err != nil {
				return nil, 0, err
			}
			out = append(out, esc...)
			j += n
		case rs[j] == '[' && j+1 < len(rs) && rs[j+1] == ':':
			end := indexString(rs[j+2:], ":]")
			if end < 0 {
				return nil, 0, errors.New("unterminated POSIX class")
			}
			name := string(rs[j+2 : j+2+end])
			body, ok := posixClass(name)
			if !ok {
				return nil, 0, fmt.Errorf("unknown POSIX class [:%s:]", name)
			}
			out = append(out, []rune(body)...)
			j += end + 4
		case rs[j] == '[':
			out = append(out, '\\', '[')
			j++
		default:
			out = append(out, rs[j])
			j++
		}
	}
	return nil, 0, errors.New("missing ]")
}

// posixClass is the class body for a POSIX bracket name.
func posixClass(name string) (string, bool) {
	switch name {
	case "alpha":
		return `a-zA-Z`, true
	case "digit":
		return `0-9`, true
	case "alnum":
		return `a-zA-Z0-9`, true
	case "upper":
		return `A-Z`, true
	case "lower":
		return `a-z`, true
	case "space":
		return `\t\n\x0b\f\r `, true
	case "blank":
		return `\t `, true
	case "xdigit":
		return `0-9A-Fa-f`, true
	case "punct":
		return `!-/:-@\[-` + "`" + `{-~`, true
	case "print":
		return `\x20-\x7e`, true
	case "graph":
		return `\x21-\x7e`, true
	case "cntrl":
		return `\x00-\x1f\x7f`, true
	case "word":
		return `a-zA-Z0-9_`, true
	}
	return "", false
}

// quoteLiteral escapes literal runes (Latin-1) as \xNN where they could
// mean something, inside or outside a class.
func quoteLiteral(rs []rune) string {
	var b strings.Builder
	for _, r := range rs {
		if strings.ContainsRune(`\.+*?()|[]{}^$#-/ `, r) || r < 0x20 || r >= 0x7f {
			fmt.Fprintf(&b, `\x%02x`, r&0xff)
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

func isHex(r rune) bool {
	return r >= '0' && r <= '9' || r >= 'a' && r <= 'f' || r >= 'A' && r <= 'F'
}

func hasPrefix(rs []rune, s string) bool {
	return len(rs) >= len(s) && string(rs[:len(s)]) == s
}

func indexRune(rs []rune, r rune) int {
	for i, c := range rs {
		if c == r {
			return i
		}
	}
	return -1
}

// indexString finds s in rs and returns its rune offset, or -1.
func indexString(rs []rune, s string) int {
	sr := []rune(s)
	for i := 0; i+len(sr) <= len(rs); i++ {
		if string(rs[i:i+len(sr)]) == s {
			return i
		}
	}
	return -1
}
