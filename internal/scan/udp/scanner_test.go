package udp

import (
	"context"
	"net"
	"net/netip"
	"testing"
	"time"

	"github.com/portwatch/portwatch/internal/scan"
	"github.com/portwatch/portwatch/internal/scan/udp/internal/udptest"
	"github.com/portwatch/portwatch/internal/scan/udp/payloads"
)

var loopback = netip.MustParseAddr("127.0.0.1")

// fastTiming keeps loopback tests short; no assertion depends on it.
func fastTiming() scan.Timing {
	return scan.Timing{Initial: 200 * time.Millisecond, Min: 50 * time.Millisecond, Max: 300 * time.Millisecond, Retries: 1}
}

// udpServer answers every datagram with respond's reply (none when it
// returns nil) from a loopback socket; it returns the port.
func udpServer(t *testing.T, respond func(req []byte) []byte) uint16 {
	t.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pc.Close() })
	go udptest.Serve(pc, respond)
	return uint16(pc.LocalAddr().(*net.UDPAddr).Port)
}

// tftpServer runs udptest.ServeTFTP on loopback and returns its port.
func tftpServer(t *testing.T) uint16 {
	t.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pc.Close() })
	go udptest.ServeTFTP(t, pc, func() (net.PacketConn, error) { return net.ListenPacket("udp", "127.0.0.1:0") })
	return uint16(pc.LocalAddr().(*net.UDPAddr).Port)
}

// closedUDPPort returns a loopback UDP port that was just released.
func closedUDPPort(t *testing.T) uint16 {
	t.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := uint16(pc.LocalAddr().(*net.UDPAddr).Port)
	pc.Close()
	return p
}

// runScan scans and collects every event.
func runScan(t *testing.T, s *Scanner, job scan.Job) ([]scan.PortResult, map[netip.AddrPort]scan.PortResult) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	events, err := s.Scan(ctx, job)
	if err != nil {
		t.Fatal(err)
	}
	var ports []scan.PortResult
	services := map[netip.AddrPort]scan.PortResult{}
	for ev := range events {
		switch ev.Kind {
		case scan.PortEvent:
			ports = append(ports, ev.Port)
		case scan.ServiceEvent:
			services[netip.AddrPortFrom(ev.Port.Addr, ev.Port.Port)] = ev.Port
		}
	}
	return ports, services
}

func byPort(ports []scan.PortResult) map[uint16]scan.PortResult {
	m := map[uint16]scan.PortResult{}
	for _, p := range ports {
		m[p.Port] = p
	}
	return m
}

// remap returns a registry whose payloads for service name go to port.
func remap(t *testing.T, m map[string]uint16) *payloads.Registry {
	t.Helper()
	var all []payloads.Payload
	for _, p := range payloads.All() {
		if port, ok := m[p.Service]; ok {
			p.Ports = []uint16{port}
			all = append(all, p)
		}
	}
	reg, err := payloads.NewRegistry(all)
	if err != nil {
		t.Fatal(err)
	}
	return reg
}

func TestScanLoopbackStates(t *testing.T) {
	answering := udpServer(t, func(req []byte) []byte { return []byte("hello") })
	silent := udpServer(t, func([]byte) []byte { return nil })
	closed := closedUDPPort(t)
	prog := &scan.Progress{}
	s := &Scanner{Timing: fastTiming(), Progress: prog, ServiceDetection: true}
	ports, services := runScan(t, s, scan.Job{Targets: scan.AddrList{loopback}, Ports: []uint16{answering, silent, closed}, Seed: 1})
	got := byPort(ports)
	if len(ports) != 3 {
		t.Fatalf("got %d port results, want 3: %+v", len(ports), ports)
	}
	want := map[uint16][2]string{
		answering: {string(scan.Open), string(scan.ReasonUDPResponse)},
		silent:    {string(scan.OpenFiltered), string(scan.ReasonNoResponse)},
		closed:    {string(scan.Closed), string(scan.ReasonPortUnreachable)},
	}
	for port, w := range want {
		r := got[port]
		if string(r.State) != w[0] || string(r.Reason) != w[1] || r.Protocol != scan.UDP {
			t.Errorf("port %d: %s %s/%s, want %s/%s", port, r.Protocol, r.State, r.Reason, w[0], w[1])
		}
	}
	if svc := services[netip.AddrPortFrom(loopback, answering)].Service; svc == nil || svc.Banner != "hello" {
		t.Errorf("answering port service = %+v, want banner hello", svc)
	}
	if len(services) != 1 {
		t.Errorf("services for %d ports, want only the open one", len(services))
	}
	if prog.Done.Load() != 3 || prog.Open.Load() != 1 || prog.Total.Load() != 3 {
		t.Errorf("progress done %d open %d total %d, want 3 1 3", prog.Done.Load(), prog.Open.Load(), prog.Total.Load())
	}
	// The silent port was tried 1 + Retries times; the others once.
	if sent := prog.Sent.Load(); sent != 4 {
		t.Errorf("sent %d probes, want 4", sent)
	}
}

// TestLoopbackClosedNotRateLimited: Linux does not rate-limit ICMP errors
// on loopback, so every one of many closed ports must come back closed;
// were the answers rate-limited, most would be open|filtered.
func TestLoopbackClosedNotRateLimited(t *testing.T) {
	var ports []uint16
	for range 300 {
		ports = append(ports, closedUDPPort(t))
	}
	s := &Scanner{Timing: fastTiming(), Concurrency: 64}
	res, _ := runScan(t, s, scan.Job{Targets: scan.AddrList{loopback}, Ports: ports, Seed: 2})
	closed := 0
	for _, r := range res {
		if r.State == scan.Closed && r.Reason == scan.ReasonPortUnreachable {
			closed++
		}
	}
	// A released port may be taken again by another test meanwhile: allow
	// a handful.
	if len(res) != len(ports) || closed < len(ports)-5 {
		t.Errorf("%d of %d ports closed (%d results), want all", closed, len(ports), len(res))
	}
}
