package email

import (
	"bytes"
	"fmt"
	"mime/quotedprintable"
	"net/mail"
	"strings"
	"time"

	"github.com/portwatch/portwatch/internal/alert/notify"
)

// maxLine is where header lines are folded (RFC 5322 recommends 78).
const maxLine = 78

// idDomain is the right-hand side of every Message-ID portwatch writes.
const idDomain = "portwatch"

// envelope is what the SMTP transaction needs besides the message.
type envelope struct {
	from string
	to   []string
}

// buildMessage renders m as an RFC 5322 message with CRLF line endings:
// a text/plain UTF-8 body in quoted-printable, Message-ID from m.ID and
// In-Reply-To/References from m.IncidentKey, so that every mail of one
// incident lands in one thread.
func buildMessage(s *settings, m notify.Message) []byte {
	var b bytes.Buffer
	date := m.Time
	if date.IsZero() {
		date = time.Now()
	}
	header(&b, "From", s.from.String())
	header(&b, "To", joinAddresses(s.to))
	header(&b, "Subject", encodeSubject(subject(s.SubjectPrefix, m.Title)))
	header(&b, "Date", date.Format(time.RFC1123Z))
	header(&b, "Message-ID", msgID(m.ID))
	if m.IncidentKey != "" {
		header(&b, "In-Reply-To", msgID(m.IncidentKey))
		header(&b, "References", msgID(m.IncidentKey))
	}
	header(&b, "MIME-Version", "1.0")
	header(&b, "Content-Type", "text/plain; charset=UTF-8")
	header(&b, "Content-Transfer-Encoding", "quoted-printable")
	header(&b, "Auto-Submitted", "auto-generated")
	header(&b, "X-Portwatch-Event", token(string(m.Event)))
	header(&b, "X-Portwatch-Severity", token(string(m.Severity)))
	b.WriteString("\r\n")
	qp := quotedprintable.NewWriter(&b)
	qp.Write([]byte(body(m))) // writes to a bytes.Buffer cannot fail
	qp.Close()
	if !bytes.HasSuffix(b.Bytes(), []byte("\r\n")) {
		b.WriteString("\r\n")
	}
	return b.Bytes()
}

// subject joins the prefix and the title on one line.
func subject(prefix, title string) string {
	title = oneLine(title)
	if prefix == "" {
		return title
	}
	return strings.TrimSpace(prefix) + " " + title
}

// body is the text followed by one paragraph per item, LF line endings
// (the quoted-printable writer turns them into CRLF).
func body(m notify.Message) string {
	var b strings.Builder
	text := strings.ReplaceAll(m.Text, "\r\n", "\n")
	text = strings.TrimRight(strings.ReplaceAll(text, "\r", "\n"), "\n")
	b.WriteString(text)
	if len(m.Items) > 0 {
		if text != "" {
			b.WriteString("\n\n")
		}
		for i, it := range m.Items {
			if i > 0 {
				b.WriteString("\n")
			}
			writeItem(&b, it)
		}
	}
	b.WriteString("\n")
	return strings.ToValidUTF8(b.String(), "\uFFFD")
}

// writeItem renders one item as a short paragraph.
func writeItem(b *strings.Builder, it notify.Item) {
	fmt.Fprintf(b, "* [%s] %s %s", it.Severity, it.Endpoint, it.Kind)
	if it.Message != "" {
		fmt.Fprintf(b, ": %s", oneLine(it.Message))
	}
	b.WriteString("\n")
	if it.State != "" {
		fmt.Fprintf(b, "  state: %s", it.State)
		if it.Reason != "" {
			fmt.Fprintf(b, " (%s)", it.Reason)
		}
		if !it.Since.IsZero() {
			fmt.Fprintf(b, " since %s", it.Since.UTC().Format(time.RFC3339))
		}
		b.WriteString("\n")
	}
	if it.From != "" || it.To != "" {
		fmt.Fprintf(b, "  change: %s -> %s\n", orDash(it.From), orDash(it.To))
	}
	line(b, "service", it.Service)
	line(b, "rule", it.Rule)
	line(b, "action", it.Action)
}

// line writes "  name: value" when value is set.
func line(b *strings.Builder, name, value string) {
	if value != "" {
		fmt.Fprintf(b, "  %s: %s\n", name, oneLine(value))
	}
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// header writes one header field, folded at spaces to stay near maxLine.
func header(b *bytes.Buffer, name, value string) {
	value = oneLine(value)
	n := len(name) + 2
	b.WriteString(name)
	b.WriteString(":")
	for i, word := range strings.Split(value, " ") {
		if i > 0 && n+1+len(word) > maxLine {
			b.WriteString("\r\n")
			n = 0
		}
		b.WriteString(" ")
		b.WriteString(word)
		n += 1 + len(word)
	}
	b.WriteString("\r\n")
}

// joinAddresses renders a header address list.
func joinAddresses(as []*mail.Address) string {
	s := make([]string, len(as))
	for i, a := range as {
		s[i] = a.String()
	}
	return strings.Join(s, ", ")
}

// msgID turns an ID into "<local@portwatch>", escaping what a msg-id
// local part (RFC 5322 dot-atom-text) cannot hold as =XX (and '=' itself,
// so that distinct IDs stay distinct).
func msgID(id string) string {
	var b strings.Builder
	b.WriteString("<")
	for i := 0; i < len(id); i++ {
		c := id[i]
		dot := c == '.' && i > 0 && i < len(id)-1 && id[i-1] != '.'
		if dot || isAtext(c) && c != '=' {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "=%02X", c)
		}
	}
	if id == "" {
		b.WriteString("none")
	}
	b.WriteString("@" + idDomain + ">")
	return b.String()
}

// isAtext reports whether c is an RFC 5322 atext character.
func isAtext(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	return strings.IndexByte("!#$%&'*+-/=?^_`{|}~", c) >= 0
}

// token keeps a header value to printable ASCII without spaces.
func token(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if c := s[i]; c > ' ' && c < 0x7f {
			b.WriteByte(c)
		}
	}
	if b.Len() == 0 {
		return "-"
	}
	return b.String()
}

// oneLine replaces line breaks and tabs by spaces.
func oneLine(s string) string {
	return strings.Map(func(r rune) rune {
		switch r {
		case '\r', '\n', '\t':
			return ' '
		}
		return r
	}, s)
}
