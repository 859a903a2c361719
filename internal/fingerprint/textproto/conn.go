package textproto

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"time"

	"github.com/portwatch/portwatch/internal/fingerprint"
)

// defaultTimeout bounds a probe whose context carries no deadline.
const defaultTimeout = 10 * time.Second

// greetingGrace is how long a probe waits for a greeting it may already
// have been handed in Session.Banner (see greeting). The engine dials a
// fresh connection for Probe, so the greeting normally does arrive; the
// wait is long enough for servers that greet late (ident lookups, DNS
// checks) and only lost when the banner was consumed on this connection.
const greetingGrace = 3 * time.Second

// maxLine caps one reply line or greeting of a line-based protocol.
const maxLine = 4096

// bind ties c to ctx: the context's deadline (or defaultTimeout) reaches
// the socket, and cancelling the context unblocks any pending read or
// write. The returned function releases the binding.
func bind(ctx context.Context, c net.Conn) (release func(), err error) {
	deadline, ok := ctx.Deadline()
	if !ok {
		deadline = time.Now().Add(defaultTimeout)
	}
	if err := c.SetDeadline(deadline); err != nil {
		return nil, fmt.Errorf("set deadline: %w", err)
	}
	stop := context.AfterFunc(ctx, func() {
		// A deadline in the past makes blocked calls return at once.
		_ = c.SetDeadline(time.Unix(1, 0))
	})
	return func() { stop() }, nil
}

// ctxErr prefers the context's error over the I/O error it caused.
func ctxErr(ctx context.Context, err error) error {
	if cerr := ctx.Err(); cerr != nil {
		return cerr
	}
	return err
}

// greeting returns the server's unprompted greeting on s.Conn, which ends
// with one of the terminators. When the session carries no banner it is
// read from the connection. When it does, the banner may come from an
// earlier connection (the greeting then still waits on this one) or from
// this one (nothing waits): a short read tells which, so the probe never
// mistakes the greeting for the answer to its own command and never talks
// before the greeting (servers such as Exim and postscreen punish that).
func greeting(ctx context.Context, s *fingerprint.Session, complete func([]byte) bool) ([]byte, error) {
	if len(s.Banner) == 0 {
		return readReply(ctx, s.Conn, complete)
	}
	deadline, ok := ctx.Deadline()
	if !ok {
		deadline = time.Now().Add(defaultTimeout)
	}
	grace := time.Now().Add(greetingGrace)
	if grace.After(deadline) {
		grace = deadline
	}
	if err := s.Conn.SetReadDeadline(grace); err != nil {
		return nil, fmt.Errorf("set read deadline: %w", err)
	}
	first := make([]byte, 1)
	n, err := s.Conn.Read(first)
	if rerr := s.Conn.SetReadDeadline(deadline); rerr != nil {
		return nil, fmt.Errorf("set read deadline: %w", rerr)
	}
	switch {
	case n == 1:
		return readReply(ctx, io.MultiReader(bytes.NewReader(first), s.Conn), complete)
	case errors.Is(err, os.ErrDeadlineExceeded) && ctx.Err() == nil:
		return s.Banner, nil // consumed before we were called
	default:
		return nil, fmt.Errorf("read greeting: %w", ctxErr(ctx, err))
	}
}

// readReply reads from r until complete says the data so far is a whole
// reply, the peer closes, or maxLine*4 bytes arrived.
func readReply(ctx context.Context, r io.Reader, complete func([]byte) bool) ([]byte, error) {
	const max = maxLine * 4
	buf := make([]byte, 0, 512)
	tmp := make([]byte, 1024)
	for !complete(buf) {
		if len(buf) >= max {
			return buf, fmt.Errorf("reply longer than %d bytes", max)
		}
		n, err := r.Read(tmp[:min(len(tmp), max-len(buf))])
		buf = append(buf, tmp[:n]...)
		if err != nil {
			if complete(buf) {
				break
			}
			return buf, fmt.Errorf("read reply: %w", ctxErr(ctx, err))
		}
	}
	return buf, nil
}

// send writes one command.
func send(ctx context.Context, c net.Conn, cmd string) error {
	if _, err := io.WriteString(c, cmd); err != nil {
		return fmt.Errorf("write: %w", ctxErr(ctx, err))
	}
	return nil
}

// detailWait bounds a step that only adds detail to a service already
// identified, so that a peer that stops answering does not hold the probe
// for its whole deadline.
const detailWait = 2 * time.Second

// limitRead shortens c's read deadline to detailWait from now (or the
// context's deadline, if sooner).
func limitRead(ctx context.Context, c net.Conn) error {
	wait := time.Now().Add(detailWait)
	if d, ok := ctx.Deadline(); ok && d.Before(wait) {
		wait = d
	}
	if err := c.SetReadDeadline(wait); err != nil {
		return fmt.Errorf("set read deadline: %w", err)
	}
	return nil
}
