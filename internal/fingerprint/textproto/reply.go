package textproto

import (
	"bytes"
	"strings"

	"github.com/portwatch/portwatch/internal/fingerprint"
)

// lineDone reports whether buf holds at least one whole line.
func lineDone(buf []byte) bool { return bytes.IndexByte(buf, '\n') >= 0 }

// codeReplyDone reports whether buf holds a whole FTP/SMTP reply: lines
// "NNN-text" continued until a line "NNN text" with the first line's code
// (RFC 959 section 4.2, RFC 5321 section 4.2.1). Text that does not start
// with a code is complete at its first line, so that a foreign protocol is
// rejected quickly.
func codeReplyDone(buf []byte) bool {
	if !lineDone(buf) {
		return false
	}
	if len(buf) < 4 || !isCode(buf[:3]) {
		return true
	}
	code := string(buf[:3])
	for _, line := range splitLines(buf, false) {
		if line == code || strings.HasPrefix(line, code+" ") {
			return true
		}
	}
	return false
}

// codeReply parses an FTP/SMTP reply into its code and the text of its
// lines; ok is false when it does not start with a three-digit code.
func codeReply(buf []byte) (code string, text []string, ok bool) {
	lines := splitLines(buf, true)
	if len(lines) == 0 || len(lines[0]) < 3 || !isCode([]byte(lines[0][:3])) {
		return "", nil, false
	}
	code = lines[0][:3]
	for _, l := range lines {
		if len(l) >= 4 && l[:3] == code && (l[3] == '-' || l[3] == ' ') {
			l = l[4:]
		} else if l == code {
			l = ""
		}
		text = append(text, l)
	}
	return code, text, true
}

// isCode reports whether b is a three-digit reply code 1xx-5xx.
func isCode(b []byte) bool {
	return len(b) == 3 && b[0] >= '1' && b[0] <= '5' && isDigit(b[1]) && isDigit(b[2])
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// splitLines splits on "\n", dropping "\r"; a trailing partial line is
// kept only when partial is true.
func splitLines(buf []byte, partial bool) []string {
	s := string(buf)
	var out []string
	for s != "" {
		i := strings.IndexByte(s, '\n')
		if i < 0 {
			if partial {
				out = append(out, strings.TrimRight(s, "\r"))
			}
			break
		}
		out = append(out, strings.TrimRight(s[:i], "\r"))
		s = s[i+1:]
	}
	return out
}

// firstLine returns the first line of buf without its terminator.
func firstLine(buf []byte) string {
	if i := bytes.IndexByte(buf, '\n'); i >= 0 {
		buf = buf[:i]
	}
	return strings.TrimRight(string(buf), "\r")
}

// product fills in what was recognised about the software and sets the
// confidence that follows from it: certain when the server named its
// product, likely when only the protocol answered. vendor and cpeProduct
// are the NVD names; an empty vendor means no CPE.
func product(svc *fingerprint.Service, name, version, vendor, cpeProduct string) {
	svc.Product = name
	svc.Version = version
	svc.CPE = nil
	if vendor != "" {
		svc.CPE = []string{fingerprint.CPE("a", vendor, cpeProduct, version)}
	}
	svc.Confidence = fingerprint.ConfidenceCertain
}

// versionPrefix returns the leading version-looking part of s
// ("4.96 Mon, 20 Nov" gives "4.96", "1.3.8b" stays whole): a digit first,
// then digits, letters and dots.
func versionPrefix(s string) string {
	if s == "" || !isDigit(s[0]) {
		return ""
	}
	i := 0
	for i < len(s) {
		c := s[i]
		if isDigit(c) || c == '.' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') {
			i++
			continue
		}
		break
	}
	return strings.TrimRight(s[:i], ".")
}

// wordAfter returns the text following the first occurrence of key in s
// up to the next space, e.g. wordAfter("Exim 4.96 Mon", "Exim ") is "4.96".
func wordAfter(s, key string) (string, bool) {
	i := strings.Index(s, key)
	if i < 0 {
		return "", false
	}
	rest := s[i+len(key):]
	if j := strings.IndexAny(rest, " \t\r\n;,()[]"); j >= 0 {
		rest = rest[:j]
	}
	return rest, true
}

// overTLS gives a service found inside implicit TLS its TLS name (imaps,
// pop3s, smtps, ftps, ldaps) and the handshake facts.
func overTLS(svc fingerprint.Service, s *fingerprint.Session, tlsName string) fingerprint.Service {
	if s.TLS != nil {
		svc.Name = tlsName
		svc.TLS = s.TLS
	}
	return svc
}
