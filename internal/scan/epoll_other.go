//go:build !linux

package scan

import "errors"

func hasEpollEngine() bool { return false }

func (r *run) runEpoll(<-chan workItem, int) error {
	return errors.New("the event-loop connect engine needs Linux")
}

// Bounds of the young-attempt age; used only by the Linux event loop.
const (
	minYoungAge = 0
	maxYoungAge = 0
)
