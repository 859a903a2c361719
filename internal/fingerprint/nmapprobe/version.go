package nmapprobe

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/portwatch/portwatch/internal/fingerprint"
)

// versionField is one p/ v/ i/ h/ o/ d/ or cpe:/ template of a match line.
type versionField struct {
	kind string // "p", "v", "i", "h", "o", "d" or "cpe"
	tmpl string
}

// parseVersion parses the version info after a match's pattern, e.g.
// ` p/OpenSSH/ v/$1/ i/protocol $2/ cpe:/a:openbsd:openssh:$1/a`. Each
// field's delimiter is the character after its letter.
func parseVersion(b []byte) ([]versionField, error) {
	var fs []versionField
	for i := 0; i < len(b); {
		if b[i] == ' ' || b[i] == '\t' {
			i++
			continue
		}
		var kind string
		switch {
		case bytes.HasPrefix(b[i:], []byte("cpe:")):
			kind, i = "cpe", i+4
		case strings.IndexByte("pvihod", b[i]) >= 0:
			kind, i = string(b[i]), i+1
		default:
			return nil, fmt.Errorf("version info: unknown field at %q", clip(b[i:]))
		}
		if i >= len(b) {
			return nil, fmt.Errorf("version info: %s field has no delimiter", kind)
		}
		delim := b[i]
		end := bytes.IndexByte(b[i+1:], delim)
		if end < 0 {
			return nil, fmt.Errorf("version info: unterminated %s field", kind)
		}
		fs = append(fs, versionField{kind: kind, tmpl: string(b[i+1 : i+1+end])})
		i += end + 2
		for i < len(b) && b[i] != ' ' { // flags such as cpe's "a"
			i++
		}
	}
	return fs, nil
}

func clip(b []byte) string {
	if len(b) > 20 {
		b = b[:20]
	}
	return string(b)
}

// service builds the Service a hard match describes from the groups the
// pattern captured (groups[0] is the whole match).
func (m *Match) service(groups [][]byte) fingerprint.Service {
	svc := fingerprint.Service{Name: m.Service}
	for _, f := range m.version {
		v := expand(f.tmpl, groups)
		switch f.kind {
		case "p":
			svc.Product = v
		case "v":
			svc.Version = v
		case "i":
			svc.Extra = v
		case "h":
			svc.Hostname = v
		case "o":
			svc.OS = v
		case "cpe":
			if c := cpe23(v); c != "" {
				svc.CPE = append(svc.CPE, c)
			}
		}
	}
	return svc
}

// expand fills a template: $1-$9 are the captured groups, $P(n) group n's
// printable characters, $SUBST(n,"a","b") group n with a replaced by b,
// $I(n,">") group n read as an unsigned big-endian ("<": little-endian)
// integer. Anything malformed is copied as written. The result is text:
// non-printable bytes are dropped.
func expand(tmpl string, groups [][]byte) string {
	var out []byte
	for i := 0; i < len(tmpl); {
		if tmpl[i] != '$' || i+1 == len(tmpl) {
			out = append(out, tmpl[i])
			i++
			continue
		}
		if d := tmpl[i+1]; d >= '1' && d <= '9' {
			out = append(out, group(groups, int(d-'0'))...)
			i += 2
			continue
		}
		name, args, n := helperCall(tmpl[i+1:])
		if n == 0 {
			out = append(out, '$')
			i++
			continue
		}
		v, ok := helper(name, args, groups)
		if !ok {
			out = append(out, tmpl[i:i+1+n]...)
		} else {
			out = append(out, v...)
		}
		i += 1 + n
	}
	return text(out)
}

// helperCall splits `P(1)` or `SUBST(1,"_",".")` into name and arguments;
// n is the length consumed (0 if s does not start with a call).
func helperCall(s string) (name string, args []string, n int) {
	open := strings.IndexByte(s, '(')
	if open <= 0 || open > 5 {
		return "", nil, 0
	}
	name = s[:open]
	if name != "P" && name != "SUBST" && name != "I" {
		return "", nil, 0
	}
	// Arguments are a number and quoted strings; a quoted string may hold
	// commas and parentheses.
	var cur strings.Builder
	quoted := false
	for j := open + 1; j < len(s); j++ {
		c := s[j]
		switch {
		case c == '"':
			quoted = !quoted
		case c == ',' && !quoted:
			args = append(args, cur.String())
			cur.Reset()
		case c == ')' && !quoted:
			return name, append(args, cur.String()), j + 1
		default:
			cur.WriteByte(c)
		}
	}
	return "", nil, 0
}

// helper evaluates one template function.
func helper(name string, args []string, groups [][]byte) ([]byte, bool) {
	if len(args) == 0 {
		return nil, false
	}
	n, err := strconv.Atoi(strings.TrimSpace(args[0]))
	if err != nil || n < 1 || n > 9 {
		return nil, false
	}
	g := group(groups, n)
	switch {
	case name == "P" && len(args) == 1:
		var out []byte
		for _, c := range g {
			if c >= 0x20 && c < 0x7f {
				out = append(out, c)
			}
		}
		return out, true
	case name == "SUBST" && len(args) == 3 && args[1] != "":
		return bytes.ReplaceAll(g, []byte(args[1]), []byte(args[2])), true
	case name == "I" && len(args) == 2 && (args[1] == ">" || args[1] == "<"):
		if len(g) == 0 || len(g) > 8 {
			return nil, false
		}
		var buf [8]byte
		var v uint64
		if args[1] == ">" {
			copy(buf[8-len(g):], g)
			v = binary.BigEndian.Uint64(buf[:])
		} else {
			copy(buf[:], g)
			v = binary.LittleEndian.Uint64(buf[:])
		}
		return strconv.AppendUint(nil, v, 10), true
	}
	return nil, false
}

func group(groups [][]byte, n int) []byte {
	if n < len(groups) {
		return groups[n]
	}
	return nil
}

// text makes a field printable: valid UTF-8 is kept, other bytes are read
// as Latin-1, and control characters are dropped.
func text(b []byte) string {
	var s strings.Builder
	if utf8.Valid(b) {
		for _, r := range string(b) {
			if r >= 0x20 && r != 0x7f {
				s.WriteRune(r)
			}
		}
	} else {
		for _, c := range b {
			if c >= 0x20 && c != 0x7f {
				s.WriteRune(rune(c))
			}
		}
	}
	return strings.TrimSpace(s.String())
}

// cpe23 turns nmap's CPE 2.2 URI ("a:openbsd:openssh:9.2p1", without the
// leading "cpe:/") into a CPE 2.3 formatted string. Only part, vendor,
// product and version are carried over.
func cpe23(uri string) string {
	uri = strings.TrimPrefix(uri, "cpe:/")
	f := strings.Split(uri, ":")
	if len(f) < 2 || len(f[0]) != 1 || strings.IndexByte("aoh", f[0][0]) < 0 {
		return ""
	}
	for len(f) < 4 {
		f = append(f, "")
	}
	for i := range f {
		if u, err := url.PathUnescape(f[i]); err == nil {
			f[i] = u
		}
	}
	return fingerprint.CPE(f[0], f[1], f[2], f[3])
}
