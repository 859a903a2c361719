package rawnet

import (
	"testing"

	"golang.org/x/net/bpf"
)

func TestFilter(t *testing.T) {
	probe4 := mustProbe(t, us4, them4, 8081, 1)
	probe6 := mustProbe(t, us6, them6, 8081, 1)
	ping4, _ := BuildEcho(us4, them4, 1, 1)
	arpReq, _ := BuildARPRequest(theirMAC, us4, them4)
	ns, _, _ := BuildNeighborSolicitation(theirMAC, us6, them6)
	frag := tcpReply(t, them4, us4, 22, 0, 0, true, false)
	frag = append([]byte(nil), frag...)
	frag[7] = 1 // fragment offset 8: a later fragment

	packets := map[string][]byte{
		"syn-ack v4":          tcpReply(t, them4, us4, 22, 0, 0, true, false),
		"rst v6":              tcpReply(t, them6, us6, 22, 0, 0, false, true),
		"icmp unreachable v4": icmpError(t, router4, 3, 3, probe4),
		"icmp time exceeded":  icmpError(t, router4, 11, 0, probe4),
		"icmpv6 unreachable":  icmpError(t, them6, 1, 4, probe6),
		"echo reply v4":       echoReply(t, them4, us4, 1, 1),
		"echo reply v6":       echoReply(t, them6, us6, 1, 1),
		"arp reply":           arpReply(t),
		"neighbor advert":     neighborAdvert(t),
		"our probe":           probe4,
		"our ping":            ping4,
		"our arp request":     arpReq,
		"our solicitation":    ns,
		"later fragment":      frag,
		"garbage":             {0x12, 0x34},
	}
	// A reply to another program's port must not pass.
	other4, _ := BuildTCP(TCPProbe{Src: them4, Dst: us4, SrcPort: 22, DstPort: testPort + 1, Flags: FlagSYN | FlagACK})
	other6, _ := BuildTCP(TCPProbe{Src: them6, Dst: us6, SrcPort: 22, DstPort: testPort + 1, Flags: FlagRST})
	packets["other port v4"], packets["other port v6"] = other4, other6

	for _, tc := range []struct {
		name string
		spec FilterSpec
		pass []string
	}{
		{"syn scan", FilterSpec{TCPPort: testPort, ICMPErrors: true},
			[]string{"syn-ack v4", "rst v6", "icmp unreachable v4", "icmp time exceeded", "icmpv6 unreachable"}},
		{"discovery", FilterSpec{TCPPort: testPort, ICMPErrors: true, Echo: true, ARP: true, Neighbor: true},
			[]string{"syn-ack v4", "rst v6", "icmp unreachable v4", "icmp time exceeded", "icmpv6 unreachable",
				"echo reply v4", "echo reply v6", "arp reply", "neighbor advert"}},
		{"arp only", FilterSpec{ARP: true}, []string{"arp reply"}},
	} {
		prog, err := tc.spec.Assemble()
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		ins := make([]bpf.Instruction, len(prog))
		for i, r := range prog {
			ins[i] = r.Disassemble()
		}
		vm, err := bpf.NewVM(ins)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		want := map[string]bool{}
		for _, p := range tc.pass {
			want[p] = true
		}
		for name, pkt := range packets {
			n, err := vm.Run(pkt)
			if err != nil {
				t.Fatalf("%s/%s: %v", tc.name, name, err)
			}
			if got := n > 0; got != want[name] {
				t.Errorf("%s: %s passes = %v, want %v", tc.name, name, got, want[name])
			}
			if n > 0 && n != FilterSnapLen && n != len(pkt) {
				t.Errorf("%s: %s: snap %d", tc.name, name, n)
			}
		}
	}
}
