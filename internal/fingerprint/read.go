package fingerprint

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"unicode/utf8"
)

// MaxRead caps what is read from a service in one go: a peer that streams
// forever cannot grow memory.
const MaxRead = 64 << 10

// MaxBanner caps the escaped banner kept in a Service.
const MaxBanner = 512

// ReadSome reads what the peer sends until it pauses (the connection's
// deadline expires), it closes, or max bytes arrived. A deadline after some
// data is not an error.
func ReadSome(r io.Reader, max int) ([]byte, error) {
	if max <= 0 || max > MaxRead {
		max = MaxRead
	}
	buf := make([]byte, 0, min(max, 4096))
	tmp := make([]byte, 4096)
	for len(buf) < max {
		n, err := r.Read(tmp[:min(len(tmp), max-len(buf))])
		buf = append(buf, tmp[:n]...)
		if err != nil {
			if len(buf) > 0 && (errors.Is(err, io.EOF) || errors.Is(err, os.ErrDeadlineExceeded)) {
				return buf, nil
			}
			return buf, err
		}
	}
	return buf, nil
}

// ReadUntil reads until the data ends with one of the terminators (e.g.
// "\r\n"), the peer closes, or max bytes arrived (an error).
func ReadUntil(r io.Reader, max int, terminators ...string) ([]byte, error) {
	if max <= 0 || max > MaxRead {
		max = MaxRead
	}
	buf := make([]byte, 0, 512)
	tmp := make([]byte, 1024)
	for {
		for _, t := range terminators {
			if bytes.HasSuffix(buf, []byte(t)) {
				return buf, nil
			}
		}
		if len(buf) >= max {
			return buf, fmt.Errorf("no terminator within %d bytes", max)
		}
		n, err := r.Read(tmp[:min(len(tmp), max-len(buf))])
		buf = append(buf, tmp[:n]...)
		if err != nil {
			for _, t := range terminators {
				if bytes.Contains(buf, []byte(t)) {
					return buf, nil
				}
			}
			return buf, err
		}
	}
}

// EscapeBanner renders raw bytes printable: printable ASCII as is, \r \n
// \t escaped, anything else as \xNN; cut to MaxBanner characters.
func EscapeBanner(b []byte) string {
	var s strings.Builder
	for _, c := range b {
		if s.Len() >= MaxBanner {
			s.WriteString("...")
			break
		}
		switch {
		case c == '\r':
			s.WriteString(`\r`)
		case c == '\n':
			s.WriteString(`\n`)
		case c == '\t':
			s.WriteString(`\t`)
		case c == '\\':
			s.WriteString(`\\`)
		case c >= 0x20 && c < 0x7f:
			s.WriteByte(c)
		default:
			fmt.Fprintf(&s, `\x%02x`, c)
		}
	}
	return s.String()
}

// Printable reports whether b is mostly text, as a banner from a
// line-based protocol would be.
func Printable(b []byte) bool {
	if len(b) == 0 || !utf8.Valid(b) {
		return false
	}
	bad := 0
	for _, c := range b {
		if (c < 0x20 && c != '\r' && c != '\n' && c != '\t') || c == 0x7f {
			bad++
		}
	}
	return bad*20 < len(b)
}
