//go:build linux

package scan

import (
	"encoding/binary"
	"net/netip"
	"testing"

	"golang.org/x/sys/unix"
)

func ndmsg(state uint16, addr netip.Addr) []byte {
	b := make([]byte, 12)
	binary.NativeEndian.PutUint16(b[8:10], state)
	a := addr.AsSlice()
	attr := make([]byte, 4+len(a))
	binary.NativeEndian.PutUint16(attr[0:2], uint16(len(attr)))
	binary.NativeEndian.PutUint16(attr[2:4], unix.NDA_DST)
	copy(attr[4:], a)
	// an unrelated attribute first, padded, to exercise alignment
	other := []byte{6, 0, 2, 0, 0xaa, 0xbb, 0, 0}
	return append(append(b, other...), attr...)
}

func TestParseNeighbour(t *testing.T) {
	for _, c := range []struct {
		addr  string
		state uint16
		want  neighbourState
	}{
		{"198.18.0.11", unix.NUD_REACHABLE, neighPresent},
		{"198.18.0.50", unix.NUD_FAILED, neighAbsent},
		{"2001:2::50", unix.NUD_INCOMPLETE, neighPending},
		{"2001:2::11", unix.NUD_STALE, neighPresent},
	} {
		a, nud, ok := parseNeighbour(ndmsg(c.state, netip.MustParseAddr(c.addr)))
		if !ok || a.String() != c.addr || neighbourStateOf(nud) != c.want {
			t.Errorf("%s: got %s %d %v", c.addr, a, neighbourStateOf(nud), ok)
		}
	}
	if _, _, ok := parseNeighbour([]byte{1, 2, 3}); ok {
		t.Error("short message parsed")
	}
	bad := ndmsg(unix.NUD_REACHABLE, netip.MustParseAddr("198.18.0.1"))
	binary.NativeEndian.PutUint16(bad[12:14], 200) // attribute longer than the message
	if _, _, ok := parseNeighbour(bad); ok {
		t.Error("malformed attribute parsed")
	}
}

func TestReadNeighboursRuns(t *testing.T) {
	// The table's content depends on the machine; reading it must work.
	if _, err := readNeighbours(); err != nil {
		t.Fatal(err)
	}
}
