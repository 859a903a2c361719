//go:build linux

package scan

import (
	"encoding/binary"
	"fmt"
	"net/netip"
	"syscall"

	"golang.org/x/sys/unix"
)

// neighbourState is what the kernel's ARP/ND table says about an address.
type neighbourState uint8

const (
	neighUnknown neighbourState = iota // no entry (e.g. off-link) or unusable
	neighPending                       // resolution under way
	neighPresent                       // the address answered ARP/ND
	neighAbsent                        // resolution failed: nobody owns it
)

// readNeighbours dumps the current network namespace's neighbour table
// (RTM_GETNEIGH over rtnetlink), keyed by address.
func readNeighbours() (map[netip.Addr]neighbourState, error) {
	raw, err := syscall.NetlinkRIB(unix.RTM_GETNEIGH, unix.AF_UNSPEC)
	if err != nil {
		return nil, fmt.Errorf("netlink neighbour dump: %w", err)
	}
	msgs, err := syscall.ParseNetlinkMessage(raw)
	if err != nil {
		return nil, fmt.Errorf("parse neighbour dump: %w", err)
	}
	out := map[netip.Addr]neighbourState{}
	for _, m := range msgs {
		if m.Header.Type != unix.RTM_NEWNEIGH {
			continue
		}
		addr, nud, ok := parseNeighbour(m.Data)
		if !ok {
			continue
		}
		st := neighbourStateOf(nud)
		// An address can appear once per interface; any sign of life wins.
		if st > out[addr] || out[addr] == neighAbsent && st == neighPresent {
			out[addr] = st
		}
	}
	return out, nil
}

func neighbourStateOf(nud uint16) neighbourState {
	switch {
	case nud&(unix.NUD_REACHABLE|unix.NUD_STALE|unix.NUD_DELAY|unix.NUD_PROBE|unix.NUD_PERMANENT) != 0:
		return neighPresent
	case nud&unix.NUD_FAILED != 0:
		return neighAbsent
	case nud&unix.NUD_INCOMPLETE != 0:
		return neighPending
	}
	return neighUnknown
}

// parseNeighbour reads struct ndmsg and its NDA_DST attribute.
func parseNeighbour(b []byte) (netip.Addr, uint16, bool) {
	const ndmsgLen = 12 // family, pad1, pad2(2), ifindex(4), state(2), flags, type
	if len(b) < ndmsgLen {
		return netip.Addr{}, 0, false
	}
	state := binary.NativeEndian.Uint16(b[8:10])
	attrs := b[ndmsgLen:]
	for len(attrs) >= 4 {
		l := int(binary.NativeEndian.Uint16(attrs[0:2]))
		typ := binary.NativeEndian.Uint16(attrs[2:4])
		if l < 4 || l > len(attrs) {
			break
		}
		if typ == unix.NDA_DST {
			if a, ok := netip.AddrFromSlice(attrs[4:l]); ok {
				return a.Unmap(), state, true
			}
		}
		attrs = attrs[(l+3)&^3:]
	}
	return netip.Addr{}, 0, false
}
