package syslog

import (
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/portwatch/portwatch/internal/alert/notify"
)

// sdID is the SD-ID of portwatch's structured data element (the
// private enterprise number is the one RFC 5612 reserves for
// documentation, as the brief for this format chose).
const sdID = "portwatch@32473"

// appName is the APP-NAME field.
const appName = "portwatch"

// bom starts a UTF-8 MSG (RFC 5424 section 6.4).
const bom = "\uFEFF"

// severityCode maps a notification severity to a syslog severity:
// critical→crit(2), major→err(3), warning→warning(4), info→info(6);
// anything else is notice(5).
func severityCode(s notify.Severity) int {
	switch s {
	case notify.SeverityCritical:
		return 2
	case notify.SeverityMajor:
		return 3
	case notify.SeverityWarning:
		return 4
	case notify.SeverityInfo:
		return 6
	}
	return 5
}

// header renders "<PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID " for m.
func header(s *settings, m notify.Message) string {
	ts := m.Time
	if ts.IsZero() {
		ts = time.Now()
	}
	var b strings.Builder
	b.WriteString("<")
	b.WriteString(strconv.Itoa(s.facility*8 + severityCode(m.Severity)))
	b.WriteString(">1 ")
	// TIME-SECFRAC allows at most six digits.
	b.WriteString(ts.UTC().Format("2006-01-02T15:04:05.000000Z07:00"))
	b.WriteString(" ")
	b.WriteString(field(s.Hostname, 255))
	b.WriteString(" " + appName + " - ")
	b.WriteString(field(string(m.Event), 32))
	b.WriteString(" ")
	return b.String()
}

// structuredData renders portwatch's SD-ELEMENT: the notification ID,
// incident key, severity, one endpoint parameter per distinct endpoint
// (RFC 5424 allows a parameter to repeat) and the route. Without
// endpoints it is the short form used when a datagram must shrink.
func structuredData(m notify.Message, endpoints bool) string {
	var b strings.Builder
	b.WriteString("[" + sdID)
	param(&b, "id", m.ID)
	param(&b, "incident", m.IncidentKey)
	param(&b, "severity", string(m.Severity))
	if endpoints {
		seen := map[string]bool{}
		for _, it := range m.Items {
			if it.Endpoint != "" && !seen[it.Endpoint] {
				seen[it.Endpoint] = true
				param(&b, "endpoint", it.Endpoint)
			}
		}
	}
	param(&b, "route", m.Route)
	b.WriteString("]")
	return b.String()
}

// param writes ` name="value"` with '"', '\' and ']' escaped; empty
// values are left out.
func param(b *strings.Builder, name, value string) {
	if value == "" {
		return
	}
	b.WriteString(" " + name + `="`)
	for _, r := range strings.ToValidUTF8(value, "\uFFFD") {
		switch r {
		case '"', '\\', ']':
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	b.WriteString(`"`)
}

// rfc5424Msg is the MSG of the rfc5424 format: the BOM and the title on
// one line.
func rfc5424Msg(m notify.Message) string {
	return bom + oneLine(m.Title)
}

// field renders a header field: printable US-ASCII without spaces, at
// most max bytes, "-" when empty.
func field(s string, max int) string {
	var b strings.Builder
	for i := 0; i < len(s) && b.Len() < max; i++ {
		if c := s[i]; c > ' ' && c < 0x7f {
			b.WriteByte(c)
		}
	}
	if b.Len() == 0 {
		return "-"
	}
	return b.String()
}

// oneLine makes s valid UTF-8 with control characters as spaces.
func oneLine(s string) string {
	return strings.Map(func(r rune) rune {
		if r < ' ' || r == 0x7f {
			return ' '
		}
		return r
	}, strings.ToValidUTF8(s, "\uFFFD"))
}

// truncate cuts s to at most n bytes on a rune boundary (s is valid
// UTF-8).
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	s = s[:n]
	i := len(s) - 1
	for i > 0 && !utf8.RuneStart(s[i]) {
		i--
	}
	if i >= 0 && !utf8.ValidString(s[i:]) {
		s = s[:i]
	}
	return s
}
