package syslog

import (
	"fmt"

	"github.com/portwatch/portwatch/internal/alert/notify"
)

// MaxUDPSize is the largest datagram sent: RFC 5426 says every receiver
// should take 2048 bytes, and larger datagrams risk IP fragmentation.
const MaxUDPSize = 2048

// minMsg is how much MSG a datagram keeps before the endpoint list in
// the structured data is given up for it.
const minMsg = 256

// line renders m as one RFC 5424 syslog message, the MSG in the
// configured format. With max > 0 (UDP) the message is cut to max bytes:
// first the MSG is truncated (on a rune boundary, never inside an
// escape), and when even that leaves less than minMsg, the endpoint
// parameters are dropped from the structured data.
func line(s *settings, m notify.Message, max int) (string, error) {
	head := header(s, m)
	sd := structuredData(m, true)
	var msg string
	cut := truncate
	if s.Format == FormatCEF {
		msg, cut = cefMsg(s, m), cefTruncate
	} else {
		msg = rfc5424Msg(m)
	}
	whole := head + sd
	if msg != "" {
		whole += " " + msg
	}
	if max <= 0 || len(whole) <= max {
		return whole, nil
	}
	if max-len(head)-len(sd)-1 < minMsg {
		sd = structuredData(m, false)
	}
	room := max - len(head) - len(sd) - 1
	if room < 0 {
		return "", notify.Permanent(fmt.Errorf("syslog: header and structured data are %d bytes, over the %d-byte datagram", len(head)+len(sd), max))
	}
	if room == 0 {
		return head + sd, nil
	}
	return head + sd + " " + cut(msg, room), nil
}

// frame prefixes a message with its length (RFC 6587 octet counting).
func frame(msg string) []byte {
	return fmt.Appendf(nil, "%d %s", len(msg), msg)
}
