package payloads

import "strings"

// maxField bounds a string taken from an answer into a Service field.
const maxField = 200

// clean makes text from the network fit for a Service field: printable
// ASCII, single spaces, at most maxField bytes.
func clean(s string) string {
	var b strings.Builder
	space := false
	for i := 0; i < len(s) && b.Len() < maxField; i++ {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\r' || c == '\n':
			space = b.Len() > 0
			continue
		case c < 0x20 || c >= 0x7f:
			c = '?'
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		b.WriteByte(c)
	}
	return b.String()
}

// productVersion splits self-descriptions such as "dnsmasq-2.90",
// "unbound 1.17.1", "MiniUPnPd/2.3.3" or "kamailio (5.6.3 (x86_64/linux))"
// at the first dotted version number that starts a word. Both are empty
// when there is no product name followed by a version.
func productVersion(s string) (product, version string) {
	s = clean(s)
	for i := 1; i < len(s); i++ {
		if !isVersionSep(s[i-1]) {
			continue
		}
		j := i
		if (s[j] == 'v' || s[j] == 'V') && j+1 < len(s) {
			j++
		}
		if !isDigit(s[j]) {
			continue
		}
		k := j
		for k < len(s) && isVersionChar(s[k]) {
			k++
		}
		v := strings.TrimRight(s[j:k], ".~+_")
		if !strings.Contains(v, ".") {
			continue
		}
		p := strings.TrimRight(s[:i], " /-_(")
		if p == "" {
			return "", ""
		}
		return p, v
	}
	return "", ""
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func isVersionSep(c byte) bool { return c == ' ' || c == '/' || c == '-' || c == '_' || c == '(' }

func isVersionChar(c byte) bool {
	return isDigit(c) || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '.' || c == '~' || c == '+' || c == '_'
}

// headerValue returns the value of the first header line named name
// (case-insensitive) in an HTTP-style message (SSDP, SIP).
func headerValue(msg, name string) string {
	for _, line := range strings.Split(msg, "\n") {
		k, v, ok := strings.Cut(line, ":")
		if ok && strings.EqualFold(strings.TrimSpace(k), name) {
			return clean(v)
		}
	}
	return ""
}
