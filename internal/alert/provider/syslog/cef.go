package syslog

import (
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/portwatch/portwatch/internal/alert/notify"
)

// cefSeverity maps a notification severity onto CEF's 0-10 scale
// (0-3 low, 4-6 medium, 7-8 high, 9-10 very high).
func cefSeverity(s notify.Severity) int {
	switch s {
	case notify.SeverityCritical:
		return 10
	case notify.SeverityMajor:
		return 8
	case notify.SeverityWarning:
		return 5
	case notify.SeverityInfo:
		return 2
	}
	return 5
}

// cefMsg renders m as an ArcSight CEF record:
//
//	CEF:0|portwatch|portwatch|<version>|<kind>|<title>|<severity>|<extension>
//
// The signature ID (<kind>) is the first item's kind, else the event.
// The extension carries the receipt time (rt, epoch milliseconds), the
// notification ID (externalId), the event (cat), the incident key,
// route, dashboard URL and runbook (cs1-cs4 with labels), the first
// item's destination (dst or dhost, dpt, proto) and the text (msg).
func cefMsg(s *settings, m notify.Message) string {
	sig := string(m.Event)
	if len(m.Items) > 0 && m.Items[0].Kind != "" {
		sig = m.Items[0].Kind
	}
	var b strings.Builder
	b.WriteString("CEF:0|portwatch|portwatch|")
	b.WriteString(cefHeader(s.ProductVersion) + "|")
	b.WriteString(cefHeader(sig) + "|")
	b.WriteString(cefHeader(m.Title) + "|")
	b.WriteString(strconv.Itoa(cefSeverity(m.Severity)) + "|")
	ts := m.Time
	if ts.IsZero() {
		ts = time.Now()
	}
	ext := []string{"rt", strconv.FormatInt(ts.UnixMilli(), 10), "externalId", m.ID, "cat", string(m.Event)}
	ext = append(ext, "cs1Label", "incident", "cs1", m.IncidentKey)
	if m.Route != "" {
		ext = append(ext, "cs2Label", "route", "cs2", m.Route)
	}
	if m.URL != "" {
		ext = append(ext, "cs3Label", "url", "cs3", m.URL)
	}
	if m.Runbook != "" {
		ext = append(ext, "cs4Label", "runbook", "cs4", m.Runbook)
	}
	if len(m.Items) > 0 {
		it := m.Items[0]
		if it.Host != "" {
			if isIP(it.Host) {
				ext = append(ext, "dst", it.Host)
			} else {
				ext = append(ext, "dhost", it.Host)
			}
		}
		if it.Port != 0 {
			ext = append(ext, "dpt", strconv.Itoa(int(it.Port)))
		}
		if it.Protocol != "" {
			ext = append(ext, "proto", strings.ToUpper(it.Protocol))
		}
	}
	if m.Text != "" {
		ext = append(ext, "msg", strings.TrimRight(m.Text, "\r\n"))
	}
	for i := 0; i < len(ext); i += 2 {
		if ext[i+1] == "" {
			continue
		}
		if i > 0 {
			b.WriteString(" ")
		}
		b.WriteString(ext[i] + "=" + cefExt(ext[i+1]))
	}
	return b.String()
}

// cefHeader escapes a header field: '\' and '|' with a backslash, line
// breaks as spaces.
func cefHeader(s string) string {
	var b strings.Builder
	for _, r := range strings.ToValidUTF8(s, "\uFFFD") {
		switch r {
		case '\\', '|':
			b.WriteByte('\\')
			b.WriteRune(r)
		case '\r', '\n':
			b.WriteByte(' ')
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// cefExt escapes an extension value: '\' and '=' with a backslash, line
// breaks as \n and \r.
func cefExt(s string) string {
	var b strings.Builder
	s = strings.ReplaceAll(strings.ToValidUTF8(s, "\uFFFD"), "\r\n", "\n")
	for _, r := range s {
		switch r {
		case '\\', '=':
			b.WriteByte('\\')
			b.WriteRune(r)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// cefTruncate cuts a CEF record to n bytes without splitting a rune or
// leaving half an escape sequence.
func cefTruncate(s string, n int) string {
	s = truncate(s, n)
	if t := len(s) - len(strings.TrimRight(s, `\`)); t%2 == 1 {
		s = s[:len(s)-1]
	}
	return s
}

// isIP reports whether s is an IP address (CEF dst) rather than a name.
func isIP(s string) bool { return net.ParseIP(s) != nil }
