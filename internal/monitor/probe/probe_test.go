package probe

import (
	"context"
	"net"
	"net/netip"
	"testing"
	"time"

	"github.com/portwatch/portwatch/internal/model"
	"github.com/portwatch/portwatch/internal/scan"
)

func endpoint(t *testing.T, proto scan.Protocol, addr string) model.Endpoint {
	t.Helper()
	ap := netip.MustParseAddrPort(addr)
	return model.Endpoint{Addr: ap.Addr(), Protocol: proto, Port: ap.Port()}
}

// freePort returns a loopback TCP or UDP address nothing listens on.
func freePort(t *testing.T, network string) string {
	t.Helper()
	switch network {
	case "tcp":
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := l.Addr().String()
		l.Close()
		return addr
	default:
		c, err := net.ListenPacket("udp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := c.LocalAddr().String()
		c.Close()
		return addr
	}
}

func TestTCPOpenAndClosed(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			c.Close()
		}
	}()
	var p Prober
	ctx := context.Background()
	r := p.Check(ctx, endpoint(t, scan.TCP, l.Addr().String()), time.Second)
	if r.State != scan.Open || r.Reason != scan.ReasonSynAck || r.RTT <= 0 || r.Err != nil {
		t.Errorf("listening port: %+v", r)
	}
	r = p.Check(ctx, endpoint(t, scan.TCP, freePort(t, "tcp")), time.Second)
	if r.State != scan.Closed || r.Reason != scan.ReasonConnRefused || r.Err != nil {
		t.Errorf("free port: %+v", r)
	}
}

func TestCancelledCheckCarriesTheError(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var p Prober
	r := p.Check(ctx, endpoint(t, scan.TCP, freePort(t, "tcp")), time.Second)
	if r.Err == nil {
		t.Errorf("a check under a cancelled context must carry the error (the daemon drops it): %+v", r)
	}
}

func TestUDPStates(t *testing.T) {
	echo, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer echo.Close()
	go func() {
		buf := make([]byte, 2048)
		for {
			n, from, err := echo.ReadFrom(buf)
			if err != nil {
				return
			}
			echo.WriteTo(buf[:n], from)
		}
	}()
	silent, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer silent.Close()
	var p Prober
	ctx := context.Background()
	for _, c := range []struct {
		addr   string
		state  scan.PortState
		reason scan.Reason
	}{
		{echo.LocalAddr().String(), scan.Open, scan.ReasonUDPResponse},
		{freePort(t, "udp"), scan.Closed, scan.ReasonPortUnreachable},
		{silent.LocalAddr().String(), scan.OpenFiltered, scan.ReasonNoResponse},
	} {
		r := p.Check(ctx, endpoint(t, scan.UDP, c.addr), 300*time.Millisecond)
		if r.State != c.state || r.Reason != c.reason || r.Err != nil {
			t.Errorf("udp %s: %+v, want %s/%s", c.addr, r, c.state, c.reason)
		}
	}
}
