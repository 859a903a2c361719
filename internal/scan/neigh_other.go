//go:build !linux

package scan

import (
	"errors"
	"net/netip"
)

type neighbourState uint8

const (
	neighUnknown neighbourState = iota
	neighPending
	neighPresent
	neighAbsent
)

func readNeighbours() (map[netip.Addr]neighbourState, error) {
	return nil, errors.New("neighbour table not available on this system")
}
