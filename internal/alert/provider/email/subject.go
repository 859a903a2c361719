package email

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// encodeSubject returns the Subject field's value ready for header():
// plain printable ASCII as is (folded at spaces), anything else as RFC
// 2047 Q encoded-words, each short enough that no line passes 76
// characters even after "Subject: ".
func encodeSubject(s string) string {
	if isPlainASCII(s) {
		return s
	}
	const prefix, suffix = "=?UTF-8?q?", "?="
	budget := 76 - len("Subject: ") - len(prefix) - len(suffix)
	var words []string
	var cur strings.Builder
	for _, r := range s {
		enc := qRune(r)
		if cur.Len()+len(enc) > budget {
			words = append(words, prefix+cur.String()+suffix)
			cur.Reset()
		}
		cur.WriteString(enc)
	}
	words = append(words, prefix+cur.String()+suffix)
	return strings.Join(words, " ")
}

// qRune encodes one rune for a Q encoded-word in unstructured text.
func qRune(r rune) string {
	switch {
	case r == ' ':
		return "_"
	case r < utf8.RuneSelf && r > ' ' && r < 0x7f && r != '=' && r != '?' && r != '_':
		return string(r)
	}
	var b strings.Builder
	buf := make([]byte, utf8.UTFMax)
	for _, c := range buf[:utf8.EncodeRune(buf, r)] {
		fmt.Fprintf(&b, "=%02X", c)
	}
	return b.String()
}

// isPlainASCII reports whether s can go into a header unencoded.
func isPlainASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < ' ' || s[i] >= 0x7f {
			return false
		}
	}
	return !strings.Contains(s, "=?")
}
