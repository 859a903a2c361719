package dbproto

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"net"
	"time"

	"github.com/portwatch/portwatch/internal/fingerprint"
)

// bindContext makes ctx's deadline and cancellation reach the connection,
// so that every read and write of a probe is bounded even if the engine
// set a longer deadline. The returned release must be called when the
// probe is done.
func bindContext(ctx context.Context, c net.Conn) (release func(), err error) {
	if err := ctx.Err(); err != nil {
		return func() {}, err
	}
	if d, ok := ctx.Deadline(); ok {
		if err := c.SetDeadline(d); err != nil {
			return func() {}, fmt.Errorf("set deadline: %w", err)
		}
	}
	// A deadline in the past wakes any blocked read or write at once; if
	// it cannot be set the connection is already unusable, and the probe's
	// own I/O reports that.
	stop := context.AfterFunc(ctx, func() { _ = c.SetDeadline(time.Unix(1, 0)) })
	return func() { stop() }, nil
}

// openExchange readies a client-first probe: the peer must not have spoken
// first, ctx bounds every read and write, and request (unless nil) is
// written. release is never nil and must be called, also after an error.
func openExchange(ctx context.Context, proto string, s *fingerprint.Session, request []byte) (release func(), err error) {
	if err := clientFirst(proto, s); err != nil {
		return func() {}, err
	}
	release, err = bindContext(ctx, s.Conn)
	if err != nil || request == nil {
		return release, err
	}
	return release, send(proto, s.Conn, request)
}

// noMatch wraps fingerprint.ErrNoMatch with the protocol and the reason.
func noMatch(proto, format string, args ...any) error {
	return fmt.Errorf("%s: %w: %s", proto, fingerprint.ErrNoMatch, fmt.Sprintf(format, args...))
}

// noAnswer turns a failed or empty read into ErrNoMatch: a peer that stays
// silent, closes or resets after our request does not speak the protocol.
// The cause stays in the chain for callers that log it.
func noAnswer(proto string, err error) error {
	if err == nil {
		err = io.ErrUnexpectedEOF
	}
	return fmt.Errorf("%s: %w: no answer: %w", proto, fingerprint.ErrNoMatch, err)
}

// clientFirst rejects a peer that sent a banner: the protocols that wait for
// the client never do, and the banner would also be the first thing read
// after our request.
func clientFirst(proto string, s *fingerprint.Session) error {
	if len(s.Banner) > 0 {
		return noMatch(proto, "server spoke first")
	}
	return nil
}

// send writes a request in full.
func send(proto string, c net.Conn, b []byte) error {
	if _, err := c.Write(b); err != nil {
		return fmt.Errorf("%s: write request: %w", proto, err)
	}
	return nil
}

// readFull reads exactly n bytes (what arrived, with the error, if fewer
// did), refusing sizes above fingerprint.MaxRead
// so that a length field from the peer cannot make us allocate much.
func readFull(r io.Reader, n int) ([]byte, error) {
	if n < 0 || n > fingerprint.MaxRead {
		return nil, fmt.Errorf("length %d out of range", n)
	}
	b := make([]byte, n)
	got, err := io.ReadFull(r, b)
	return b[:got], err
}

// randomID returns n random bytes in hex, for client identifiers that must
// not collide with a real client's.
func randomID(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (Go 1.24+)
	return hex.EncodeToString(b)
}

// leadingVersion returns the version number s starts with: a digit, then
// digits, letters and . + ~ _ - (e.g. "1.6.18", "9.2p1"); "" if s does not
// start with a digit.
func leadingVersion(s string) string {
	if s == "" || s[0] < '0' || s[0] > '9' {
		return ""
	}
	end := len(s)
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '.' || c == '+' || c == '~' || c == '_' || c == '-') {
			end = i
			break
		}
	}
	return s[:end]
}
