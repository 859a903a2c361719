package rawnet

import (
	"fmt"

	"golang.org/x/net/bpf"
)

// FilterSpec says which replies a receive socket lets through to user
// space. The filter runs in the kernel on every packet of every interface
// the socket hears, so only replies to this scan's probes are copied out.
// It sees packets from the network header on (SOCK_DGRAM packet sockets),
// tells IPv4 from IPv6 by the version nibble and ARP by its fixed header,
// and uses no BPF extensions, so golang.org/x/net/bpf's VM can test it.
type FilterSpec struct {
	// TCPPort passes TCP segments to this destination port (the probes'
	// source port); 0 passes none.
	TCPPort uint16
	// ICMPErrors passes ICMP destination-unreachable and time-exceeded
	// messages (the quoted probe is checked in user space).
	ICMPErrors bool
	// Echo passes ICMP echo replies.
	Echo bool
	// ARP passes ARP replies.
	ARP bool
	// Neighbor passes ICMPv6 neighbour advertisements.
	Neighbor bool
}

// FilterSnapLen is how many bytes of a passing packet are copied: more
// than any reply to a probe needs (an ICMPv6 error quoting a 64-byte probe
// is 112 bytes).
const FilterSnapLen = 512

// jump is a conditional jump to labels, resolved by assemble.
type jump struct {
	cond        bpf.JumpTest
	val         uint32
	true, false string
}

// label marks the position of the next instruction.
type label string

// goTo is an unconditional jump to a label.
type goTo string

// Assemble compiles the spec to a classic BPF program.
func (f FilterSpec) Assemble() ([]bpf.RawInstruction, error) {
	var p []any
	add := func(ins ...any) { p = append(p, ins...) }
	// The version nibble tells IPv4 from IPv6; anything else may be ARP.
	add(bpf.LoadAbsolute{Off: 0, Size: 1}, bpf.ALUOpConstant{Op: bpf.ALUOpAnd, Val: 0xf0},
		jump{bpf.JumpEqual, 0x40, "ip4", ""}, jump{bpf.JumpEqual, 0x60, "ip6", ""})
	if f.ARP {
		// htype 1 (Ethernet), ptype IPv4, operation 2 (reply).
		add(bpf.LoadAbsolute{Off: 0, Size: 4}, jump{bpf.JumpEqual, 0x00010800, "", "drop"},
			bpf.LoadAbsolute{Off: 6, Size: 2}, jump{bpf.JumpEqual, 2, "accept", "drop"})
	} else {
		add(goTo("drop"))
	}

	add(label("ip4"),
		bpf.LoadAbsolute{Off: 6, Size: 2}, jump{bpf.JumpBitsSet, 0x1fff, "drop", ""}, // later fragment
		bpf.LoadAbsolute{Off: 9, Size: 1})
	if f.TCPPort != 0 {
		add(jump{bpf.JumpEqual, uint32(ProtoTCP), "tcp4", ""})
	}
	add(jump{bpf.JumpEqual, uint32(ProtoICMP), "icmp4", "drop"})
	if f.TCPPort != 0 {
		add(label("tcp4"), bpf.LoadMemShift{Off: 0}, bpf.LoadIndirect{Off: 2, Size: 2},
			jump{bpf.JumpEqual, uint32(f.TCPPort), "accept", "drop"})
	}
	add(label("icmp4"), bpf.LoadMemShift{Off: 0}, bpf.LoadIndirect{Off: 0, Size: 1})
	if f.ICMPErrors {
		add(jump{bpf.JumpEqual, 3, "accept", ""}, jump{bpf.JumpEqual, 11, "accept", ""})
	}
	if f.Echo {
		add(jump{bpf.JumpEqual, 0, "accept", ""})
	}
	add(goTo("drop"))

	// IPv6: replies never carry extension headers in practice; packets
	// that do are dropped, which at worst reads as silence.
	add(label("ip6"), bpf.LoadAbsolute{Off: 6, Size: 1})
	if f.TCPPort != 0 {
		add(jump{bpf.JumpEqual, uint32(ProtoTCP), "tcp6", ""})
	}
	add(jump{bpf.JumpEqual, uint32(ProtoICMPv6), "icmp6", "drop"})
	if f.TCPPort != 0 {
		add(label("tcp6"), bpf.LoadAbsolute{Off: 42, Size: 2},
			jump{bpf.JumpEqual, uint32(f.TCPPort), "accept", "drop"})
	}
	add(label("icmp6"), bpf.LoadAbsolute{Off: 40, Size: 1})
	if f.ICMPErrors {
		add(jump{bpf.JumpEqual, 1, "accept", ""}, jump{bpf.JumpEqual, 3, "accept", ""})
	}
	if f.Echo {
		add(jump{bpf.JumpEqual, 129, "accept", ""})
	}
	if f.Neighbor {
		add(jump{bpf.JumpEqual, 136, "accept", ""})
	}
	add(label("drop"), bpf.RetConstant{Val: 0},
		label("accept"), bpf.RetConstant{Val: FilterSnapLen})
	prog, err := assemble(p)
	if err != nil {
		return nil, err
	}
	return bpf.Assemble(prog)
}

// assemble resolves labels: a jump target "" means the next instruction.
func assemble(p []any) ([]bpf.Instruction, error) {
	pos := map[string]int{}
	n := 0
	for _, x := range p {
		if l, ok := x.(label); ok {
			pos[string(l)] = n
			continue
		}
		n++
	}
	var out []bpf.Instruction
	skip := func(from int, to string) (uint8, error) {
		if to == "" {
			return 0, nil
		}
		t, ok := pos[to]
		if !ok || t <= from || t-from-1 > 255 {
			return 0, fmt.Errorf("bpf: bad jump from %d to %q", from, to)
		}
		return uint8(t - from - 1), nil
	}
	for _, x := range p {
		switch x := x.(type) {
		case label:
		case jump:
			t, err := skip(len(out), x.true)
			if err != nil {
				return nil, err
			}
			f, err := skip(len(out), x.false)
			if err != nil {
				return nil, err
			}
			out = append(out, bpf.JumpIf{Cond: x.cond, Val: x.val, SkipTrue: t, SkipFalse: f})
		case goTo:
			t, ok := pos[string(x)]
			if !ok || t <= len(out) {
				return nil, fmt.Errorf("bpf: bad jump from %d to %q", len(out), x)
			}
			out = append(out, bpf.Jump{Skip: uint32(t - len(out) - 1)})
		case bpf.Instruction:
			out = append(out, x)
		default:
			return nil, fmt.Errorf("bpf: unexpected %T", x)
		}
	}
	return out, nil
}
