package textproto

import (
	"bytes"
	"strings"
)

// headerDone reports whether buf holds a status line and headers up to
// the empty line (RTSP and SIP share HTTP's message syntax), or a first
// line that does not start with prefix, so that a foreign peer is
// rejected at once.
func headerDone(prefix string) func([]byte) bool {
	return func(buf []byte) bool {
		if len(buf) >= len(prefix) && !bytes.HasPrefix(buf, []byte(prefix)) {
			return true
		}
		return bytes.Contains(buf, []byte("\r\n\r\n")) || bytes.Contains(buf, []byte("\n\n"))
	}
}

// parseHeaders splits a response into its status line and headers, keyed
// by lower-case name (the first value wins).
func parseHeaders(buf []byte) (status string, headers map[string]string) {
	lines := splitLines(buf, true)
	headers = map[string]string{}
	if len(lines) == 0 {
		return "", headers
	}
	for _, l := range lines[1:] {
		if l == "" {
			break
		}
		k, v, ok := strings.Cut(l, ":")
		if !ok {
			continue
		}
		k = strings.ToLower(strings.TrimSpace(k))
		if _, seen := headers[k]; !seen {
			headers[k] = strings.TrimSpace(v)
		}
	}
	return lines[0], headers
}

// serverProduct splits a Server or User-Agent value into product and
// version: "GStreamer/1.22.0" or "Wowza Streaming Engine 4.8.26+4 build".
func serverProduct(h string) (name, version string) {
	if name, rest, ok := strings.Cut(h, "/"); ok && !strings.Contains(name, " ") {
		return name, versionPrefix(strings.TrimPrefix(rest, "v"))
	}
	words := strings.Fields(h)
	for i, w := range words {
		if i == 0 {
			continue
		}
		v := strings.TrimPrefix(w, "v")
		if versionPrefix(v) != "" {
			return strings.Join(words[:i], " "), versionPrefix(v)
		}
	}
	return h, ""
}
