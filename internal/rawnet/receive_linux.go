package rawnet

import (
	"errors"
	"os"
	"time"
)

// receivePoll is how often Receive looks at its stop channel while no
// packet arrives.
const receivePoll = 50 * time.Millisecond

// Receive reads the socket until stop is closed or the socket is closed,
// decodes every incoming packet that is a reply kind, and calls handle with
// each read's replies and the time they were read. Packets this machine
// sent are skipped. handle must not keep the slice.
func (c *PacketConn) Receive(stop <-chan struct{}, handle func(replies []Reply, at time.Time)) error {
	frames := make([]Frame, 64)
	for i := range frames {
		frames[i].Data = make([]byte, FilterSnapLen)
	}
	replies := make([]Reply, len(frames))
	var dec Decoder
	deadline := time.Time{}
	for {
		select {
		case <-stop:
			return nil
		default:
		}
		if now := time.Now(); deadline.Sub(now) < receivePoll/2 {
			deadline = now.Add(receivePoll)
			if err := c.SetReadDeadline(deadline); err != nil {
				return err
			}
		}
		n, err := c.ReadBatch(frames)
		switch {
		case errors.Is(err, os.ErrDeadlineExceeded):
			continue
		case errors.Is(err, os.ErrClosed):
			return nil
		case err != nil:
			return err
		}
		at := time.Now()
		k := 0
		for i := range n {
			f := &frames[i]
			if f.Outgoing || dec.Decode(f.EtherType, f.Data, &replies[k]) != nil {
				continue
			}
			k++
		}
		if k > 0 {
			handle(replies[:k], at)
		}
	}
}
