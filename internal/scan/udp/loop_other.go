//go:build !linux

package udp

import (
	"errors"
	"time"

	"github.com/portwatch/portwatch/internal/scan"
)

// loop is the event loop; only Linux has one (it needs IP_RECVERR and epoll).
type loop struct{}

func newLoop(*run, int) (*loop, error) {
	return nil, errors.New("the UDP scanner needs Linux (epoll, IP_RECVERR)")
}

func (*loop) run(<-chan workItem) {}

func (*loop) close() {}

func defaultSocket(int, int, int) (int, error) {
	return -1, errors.New("the UDP scanner needs Linux")
}

// confirmer exists only on Linux.
type confirmer struct{}

func newConfirmer(*run, *hostState, time.Duration) *confirmer { return &confirmer{} }

func (*confirmer) port(uint16) (scan.PortResult, [][]byte, error) {
	return scan.PortResult{}, nil, errors.New("the UDP scanner needs Linux")
}

func (*confirmer) close() {}
