package syn

import (
	"context"
	"math/rand/v2"
	"net"
	"net/netip"
	"sync"
	"testing"
	"time"

	"github.com/portwatch/portwatch/internal/rawnet"
	"github.com/portwatch/portwatch/internal/rawnet/netnstest"
	"github.com/portwatch/portwatch/internal/scan"
)

// TestLabAbsentHosts: with discovery, an address nobody answers ARP for is
// down and none of its ports is probed; with SkipDiscovery (-Pn) every
// port is probed and filtered.
func TestLabAbsentHosts(t *testing.T) {
	tr := needLab(t)
	if len(tr.Unassigned) == 0 {
		t.Skip("lab has no unassigned addresses")
	}
	a := netip.MustParseAddr(tr.Unassigned[0])
	ports := []uint16{22, 80, 443}
	out := labScan(t, tr, &Scanner{}, scan.Job{Targets: scan.AddrList{a}, Ports: ports})
	if v := out.verdicts[a]; v.Status != scan.HostDown || v.Reason != scan.ReasonNoResponse {
		t.Errorf("with discovery: verdict %+v", v)
	}
	if len(out.ports[a]) != 0 || out.prog.Sent.Load() != 0 || out.prog.Done.Load() != uint64(len(ports)) {
		t.Errorf("with discovery: ports %v, %d sent, %d done", out.ports[a], out.prog.Sent.Load(), out.prog.Done.Load())
	}
	t.Logf("absent host with discovery: %v", out.elapsed)

	out = labScan(t, tr, &Scanner{}, scan.Job{Targets: scan.AddrList{a}, Ports: ports, SkipDiscovery: true})
	for _, p := range ports {
		r := out.ports[a][p]
		if r.State != scan.Filtered || (r.Reason != scan.ReasonNoResponse && r.Reason != scan.ReasonHostUnreachable) {
			t.Errorf("-Pn port %d: %s/%s", p, r.State, r.Reason)
		}
	}
}

// TestLabNoRoute: the scanner namespace has no route outside the lab, so
// such an address is down (net-unreachable) and nothing is sent.
func TestLabNoRoute(t *testing.T) {
	tr := needLab(t)
	a := netip.MustParseAddr("198.18.99.1")
	for _, skip := range []bool{false, true} {
		out := labScan(t, tr, &Scanner{}, scan.Job{Targets: scan.AddrList{a}, Ports: []uint16{80}, SkipDiscovery: skip})
		if v := out.verdicts[a]; v.Status != scan.HostDown || v.Reason != scan.ReasonNetUnreachable || out.prog.Sent.Load() != 0 {
			t.Errorf("SkipDiscovery=%v: verdict %+v, %d sent", skip, v, out.prog.Sent.Load())
		}
	}
}

// TestLabLocal scans the scanner's own address, where the test listens on
// one port: replies come back over the loopback device.
func TestLabLocal(t *testing.T) {
	tr := needLab(t)
	self := netip.MustParseAddr(tr.ScannerIPv4)
	var ln net.Listener
	if err := netnstest.Do(tr.ScannerNetns, func() error {
		var err error
		ln, err = net.Listen("tcp", netip.AddrPortFrom(self, 0).String())
		return err
	}); err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	open := uint16(ln.Addr().(*net.TCPAddr).Port)
	closed := open + 1
	out := labScan(t, tr, &Scanner{}, scan.Job{Targets: scan.AddrList{self}, Ports: []uint16{open, closed}})
	if v := out.verdicts[self]; v.Status != scan.HostUp || v.Reason != "localhost-response" {
		t.Errorf("verdict %+v", v)
	}
	if r := out.ports[self][open]; r.State != scan.Open || r.Reason != scan.ReasonSynAck {
		t.Errorf("listening port: %+v", r)
	}
	if r := out.ports[self][closed]; r.State != scan.Closed || r.Reason != scan.ReasonRST {
		t.Errorf("closed port: %+v", r)
	}
}

// TestLabSynProxy: the wildcard host answers every SYN.
func TestLabSynProxy(t *testing.T) {
	tr := needLab(t)
	h, ok := tr.Host("h4")
	if !ok || !h.Wildcard {
		t.Skip("lab has no SYN-proxy host h4")
	}
	a := netip.MustParseAddr(h.IPv4)
	ports := portRange(1, 2000)
	out := labScan(t, tr, &Scanner{}, scan.Job{Targets: scan.AddrList{a}, Ports: ports})
	checkHost(t, out, h, a, ports)
}

// TestLabDecoys scans h2 (which drops almost everything, so its probes
// wait long for an answer) while h2's namespace floods the scanner's source
// port with forged SYN-ACKs and RSTs for the same ports, acknowledging
// random sequence numbers. None may be taken for an answer.
func TestLabDecoys(t *testing.T) {
	tr := needLab(t)
	h2, _ := tr.Host("h2")
	a, scanner := netip.MustParseAddr(h2.IPv4), netip.MustParseAddr(tr.ScannerIPv4)
	const sport = 47123
	ports := portRange(1, 3000)

	var forger *rawnet.Sender
	if err := netnstest.Do(h2.Netns, func() error {
		var err error
		forger, err = rawnet.OpenSender()
		return err
	}); err != nil {
		t.Fatal(err)
	}
	defer forger.Close()
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	forged := 0
	go func() {
		defer wg.Done()
		rng := rand.New(rand.NewPCG(7, 7))
		for {
			var batch []rawnet.Packet
			for range rawnet.MaxBatch {
				flags := rawnet.FlagSYN | rawnet.FlagACK
				if rng.IntN(2) == 0 {
					flags = rawnet.FlagRST | rawnet.FlagACK
				}
				pkt, err := rawnet.BuildTCP(rawnet.TCPProbe{Src: a, Dst: scanner, SrcPort: ports[rng.IntN(len(ports))],
					DstPort: sport, Seq: rng.Uint32(), Ack: rng.Uint32(), Flags: flags})
				if err != nil {
					t.Error(err)
					return
				}
				batch = append(batch, rawnet.Packet{Dst: scanner, Data: pkt})
			}
			n, _ := forger.Send(batch)
			time.Sleep(time.Millisecond) // leave the CPU to the scan
			forged += n
			select {
			case <-stop:
				return
			default:
			}
		}
	}()
	out := labScan(t, tr, &Scanner{SourcePort: sport}, scan.Job{Targets: scan.AddrList{a}, Ports: ports})
	close(stop)
	wg.Wait()
	checkHost(t, out, h2, a, ports)
	t.Logf("%d forged packets during the scan", forged)
	if forged == 0 {
		t.Error("no decoy was sent")
	}
}

// TestLabCancel: cancelling a scan stops it and closes the channel soon,
// without reporting the probes cut short.
func TestLabCancel(t *testing.T) {
	tr := needLab(t)
	h2, _ := tr.Host("h2")
	a := netip.MustParseAddr(h2.IPv4)
	ctx, cancel := context.WithCancel(context.Background())
	var events <-chan scan.Event
	if err := netnstest.Do(tr.ScannerNetns, func() error {
		var err error
		events, err = (&Scanner{Logger: testLogger(t)}).Scan(ctx, scan.Job{Targets: scan.AddrList{a}, Ports: portRange(1, 65535)})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	time.AfterFunc(300*time.Millisecond, cancel)
	n := 0
	closed := make(chan struct{})
	go func() {
		for range events {
			n++
		}
		close(closed)
	}()
	select {
	case <-closed:
	case <-time.After(30 * time.Second):
		t.Fatal("events channel not closed after cancel")
	}
	if n >= 65535 {
		t.Errorf("%d events: the scan was not cut short", n)
	}
}
