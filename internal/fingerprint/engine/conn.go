package engine

import (
	"context"
	"errors"
	"net"
	"os"
	"sync"
	"time"

	"github.com/portwatch/portwatch/internal/fingerprint"
)

// maxConnRead caps what one probe connection may read in total: a peer
// that streams forever, read by a fingerprinter that keeps reading, ends
// at EOF here instead of growing memory.
const maxConnRead = 4 * fingerprint.MaxRead

// errReadLimit is returned once a connection's read allowance is spent.
var errReadLimit = errors.New("read limit reached")

// boundedConn is the connection a fingerprinter (or the banner wait) sees.
// Every Read and Write is bounded by the context's deadline and by any
// earlier deadline the user sets (never a later one). With idle > 0, once
// the peer sent something since the last Write, a pause of idle ends a
// Read: the banner wait uses this to stop when the greeting is complete.
// Probe connections have idle 0, since fingerprinters frame their own
// reads and a server may legitimately pause mid-greeting (Postfix's
// postscreen does). Reads are capped at MaxRead each and maxConnRead in
// total. Cancelling the context unblocks any Read or Write in progress.
type boundedConn struct {
	net.Conn
	deadline time.Time // from the probe's context
	idle     time.Duration
	stop     func() bool

	mu        sync.Mutex
	cancelled bool
	userRead  time.Time
	userWrite time.Time
	sawData   bool
	left      int
}

// bound wraps c for one probe under ctx.
func bound(ctx context.Context, c net.Conn, idle time.Duration) *boundedConn {
	b := &boundedConn{Conn: c, idle: idle, left: maxConnRead}
	b.deadline, _ = ctx.Deadline()
	_ = c.SetDeadline(b.deadline)
	b.stop = context.AfterFunc(ctx, func() {
		b.mu.Lock()
		defer b.mu.Unlock()
		b.cancelled = true
		_ = c.SetDeadline(time.Unix(1, 0))
	})
	return b
}

// Read implements net.Conn.
func (b *boundedConn) Read(p []byte) (int, error) {
	b.mu.Lock()
	if b.cancelled {
		b.mu.Unlock()
		return 0, os.ErrDeadlineExceeded
	}
	if b.left <= 0 {
		b.mu.Unlock()
		return 0, errReadLimit
	}
	p = p[:min(len(p), b.left, fingerprint.MaxRead)]
	d := earliest(b.deadline, b.userRead)
	if b.sawData && b.idle > 0 {
		d = earliest(d, time.Now().Add(b.idle))
	}
	err := b.Conn.SetReadDeadline(d)
	b.mu.Unlock()
	if err != nil {
		return 0, err
	}
	n, err := b.Conn.Read(p)
	b.mu.Lock()
	b.left -= n
	if n > 0 {
		b.sawData = true
	}
	b.mu.Unlock()
	return n, err
}

// Write implements net.Conn.
func (b *boundedConn) Write(p []byte) (int, error) {
	b.mu.Lock()
	if b.cancelled {
		b.mu.Unlock()
		return 0, os.ErrDeadlineExceeded
	}
	b.sawData = false // a new request: wait for its answer in full
	err := b.Conn.SetWriteDeadline(earliest(b.deadline, b.userWrite))
	b.mu.Unlock()
	if err != nil {
		return 0, err
	}
	return b.Conn.Write(p)
}

// SetDeadline implements net.Conn; it can shorten the probe's deadline,
// never extend it.
func (b *boundedConn) SetDeadline(t time.Time) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.userRead, b.userWrite = t, t
	return nil
}

// SetReadDeadline implements net.Conn like SetDeadline.
func (b *boundedConn) SetReadDeadline(t time.Time) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.userRead = t
	return nil
}

// SetWriteDeadline implements net.Conn like SetDeadline.
func (b *boundedConn) SetWriteDeadline(t time.Time) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.userWrite = t
	return nil
}

// Close implements net.Conn.
func (b *boundedConn) Close() error {
	b.stop()
	return b.Conn.Close()
}

// earliest returns the earlier of two deadlines; zero means none.
func earliest(a, b time.Time) time.Time {
	switch {
	case a.IsZero():
		return b
	case b.IsZero():
		return a
	case b.Before(a):
		return b
	}
	return a
}

var _ net.Conn = (*boundedConn)(nil)
