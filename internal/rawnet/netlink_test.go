//go:build linux

package rawnet

import (
	"encoding/binary"
	"encoding/hex"
	"errors"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The testdata/*.hex files are kernel answers captured from the lab's
// scanner namespace (198.18.0.2/24 and 2001:2::2/64 on eth0, no default
// route; a route via 198.18.0.11 and 2001:2::11 added for the gateway
// cases) and, for the blackhole, from a namespace with
// `blackhole 198.18.0.0/15`.
func readCapture(t *testing.T, name string) ([]byte, uint32) {
	t.Helper()
	h, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	b, err := hex.DecodeString(strings.TrimSpace(string(h)))
	if err != nil {
		t.Fatal(err)
	}
	return b, binary.NativeEndian.Uint32(b[8:12])
}

func TestParseRouteReplies(t *testing.T) {
	for _, tc := range []struct {
		file, dst, src, gw string
		typ                RouteType
		oif                int
		onLink             bool
	}{
		{"route4-onlink.hex", "198.18.0.11", "198.18.0.2", "", RouteUnicast, 2, true},
		{"route6-onlink.hex", "2001:2::11", "2001:2::2", "", RouteUnicast, 2, true},
		{"route4-local.hex", "198.18.0.2", "198.18.0.2", "", RouteLocal, 1, false},
		{"route4-broadcast.hex", "198.18.0.255", "198.18.0.2", "", RouteBroadcast, 2, false},
		{"route4-gateway.hex", "198.18.5.7", "198.18.0.2", "198.18.0.11", RouteUnicast, 2, false},
		{"route6-gateway.hex", "2001:2:0:5::7", "2001:2::2", "2001:2::11", RouteUnicast, 2, false},
	} {
		b, seq := readCapture(t, tc.file)
		dst := netip.MustParseAddr(tc.dst)
		r, err := parseRouteReply(b, seq, dst)
		if err != nil {
			t.Fatalf("%s: %v", tc.file, err)
		}
		if r.Dst != dst || r.Src.String() != tc.src || r.Type != tc.typ || r.Link.Index != tc.oif || r.OnLink() != tc.onLink {
			t.Errorf("%s: %+v", tc.file, r)
		}
		if gw := r.Gateway; (tc.gw == "") != !gw.IsValid() || (gw.IsValid() && gw.String() != tc.gw) {
			t.Errorf("%s: gateway %v, want %q", tc.file, gw, tc.gw)
		}
		if _, err := parseRouteReply(b, seq+1, dst); err == nil {
			t.Errorf("%s: answer to another request accepted", tc.file)
		}
	}
	for file, want := range map[string]error{
		"route4-nonet.hex":     ErrNetUnreachable,
		"route4-blackhole.hex": ErrNetUnreachable,
	} {
		b, seq := readCapture(t, file)
		if _, err := parseRouteReply(b, seq, netip.MustParseAddr("198.18.99.1")); !errors.Is(err, want) {
			t.Errorf("%s: %v, want %v", file, err, want)
		}
	}
}

func TestParseLinkReply(t *testing.T) {
	b, seq := readCapture(t, "link-eth0.hex")
	l, err := parseLinkReply(b, seq)
	if err != nil {
		t.Fatal(err)
	}
	if l.Index != 2 || l.Name != "eth0" || l.MTU != 1500 || l.HardwareAddr.String() != "1a:a0:ab:3e:3c:04" || !l.Resolves() {
		t.Fatalf("%+v", l)
	}
}

func TestRouteRequestLayout(t *testing.T) {
	b := routeRequest(7, netip.MustParseAddr("2001:2::11"))
	msgs, err := parseNetlink(b)
	if err != nil || len(msgs) != 1 || msgs[0].seq != 7 {
		t.Fatalf("%v %+v", err, msgs)
	}
	attrs, err := parseAttrs(msgs[0].data[rtmsgLen:])
	if err != nil {
		t.Fatal(err)
	}
	if a, _ := netip.AddrFromSlice(attrs[1]); a.String() != "2001:2::11" || msgs[0].data[1] != 128 {
		t.Fatalf("request %x", b)
	}
}

func TestParseNetlinkRejectsBadLengths(t *testing.T) {
	for _, b := range [][]byte{
		{200, 0, 0, 0, 24, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0},
		{8, 0, 0, 0, 24, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0},
	} {
		if _, err := parseNetlink(b); err == nil {
			t.Errorf("%x accepted", b)
		}
	}
	if _, err := parseAttrs([]byte{2, 0, 1, 0}); err == nil {
		t.Error("attribute shorter than its header accepted")
	}
}
