package engine

import (
	"errors"
	"io"
	"syscall"
	"time"
)

// maxBanner caps the passive read; real banners (SSH, SMTP, FTP, MySQL
// greetings) are far shorter, and an endless stream stops here.
const maxBanner = 16 << 10

// readBanner waits up to wait for the peer to speak first, then reads on
// until it pauses (the connection's idle rule), another wait passes, or
// maxBanner bytes arrived. closed reports that the peer ended the
// connection without sending anything.
func readBanner(c *boundedConn, wait time.Duration) (banner []byte, closed bool) {
	_ = c.SetReadDeadline(time.Now().Add(wait))
	buf := make([]byte, 0, 1024)
	tmp := make([]byte, 4096)
	for len(buf) < maxBanner {
		n, err := c.Read(tmp[:min(len(tmp), maxBanner-len(buf))])
		if n > 0 && len(buf) == 0 {
			_ = c.SetReadDeadline(time.Now().Add(wait))
		}
		buf = append(buf, tmp[:n]...)
		if err != nil {
			closed = len(buf) == 0 && peerClosed(err)
			break
		}
	}
	return buf, closed
}

// peerClosed tells an orderly or abortive close by the peer from a timeout.
func peerClosed(err error) bool {
	return errors.Is(err, io.EOF) || errors.Is(err, syscall.ECONNRESET)
}
