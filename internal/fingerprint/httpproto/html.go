package httpproto

import (
	"bytes"
	"html"
	"strings"
	"unicode"
	"unicode/utf8"
)

// maxTitle bounds an HTML title kept in Service.Extra, in runes.
const maxTitle = 80

// htmlScan bounds how far into a body HTML is searched for the title and
// meta tags: they belong in the head.
const htmlScan = 32 << 10

// htmlTitle returns the text of the first <title> element, unescaped,
// whitespace collapsed, control characters dropped, cut to maxTitle runes.
func htmlTitle(body []byte) string {
	body = body[:min(len(body), htmlScan)]
	start := indexFold(body, []byte("<title"))
	if start < 0 {
		return ""
	}
	gt := bytes.IndexByte(body[start:], '>')
	if gt < 0 {
		return ""
	}
	text := body[start+gt+1:]
	if end := indexFold(text, []byte("</title")); end >= 0 {
		text = text[:end]
	} else {
		text = text[:min(len(text), 4*maxTitle)]
	}
	return cleanText(html.UnescapeString(string(text)), maxTitle)
}

// metaGenerator returns the content of <meta name="generator" ...>, which
// CMSs such as WordPress fill with their name and version.
func metaGenerator(body []byte) string {
	body = body[:min(len(body), htmlScan)]
	for off := 0; ; {
		i := indexFold(body[off:], []byte("<meta"))
		if i < 0 {
			return ""
		}
		tag := body[off+i:]
		if end := bytes.IndexByte(tag, '>'); end >= 0 {
			tag = tag[:end]
		}
		off += i + 5
		if indexFold(tag, []byte(`name="generator"`)) < 0 {
			continue
		}
		c := indexFold(tag, []byte(`content="`))
		if c < 0 {
			return ""
		}
		v := tag[c+len(`content="`):]
		if q := bytes.IndexByte(v, '"'); q >= 0 {
			v = v[:q]
		}
		return cleanText(html.UnescapeString(string(v)), maxTitle)
	}
}

// cleanText collapses whitespace, drops control and format characters
// (no terminal escapes or bidi overrides reach a report) and invalid
// UTF-8, and cuts to max runes.
func cleanText(s string, max int) string {
	s = strings.ToValidUTF8(s, "")
	var b strings.Builder
	n, space := 0, false
	for _, r := range s {
		if unicode.IsSpace(r) {
			space = b.Len() > 0
			continue
		}
		if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) || r == utf8.RuneError {
			continue
		}
		if n >= max {
			b.WriteString("...")
			break
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		b.WriteRune(r)
		n++
	}
	return b.String()
}

// indexFold is bytes.Index ignoring ASCII case; sep must be lower case.
func indexFold(s, sep []byte) int {
	for i := 0; i+len(sep) <= len(s); i++ {
		j := 0
		for ; j < len(sep); j++ {
			c := s[i+j]
			if c >= 'A' && c <= 'Z' {
				c += 'a' - 'A'
			}
			if c != sep[j] {
				break
			}
		}
		if j == len(sep) {
			return i
		}
	}
	return -1
}
