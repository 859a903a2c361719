package target

import (
	"errors"
	"fmt"
	"math/bits"
	"strconv"
	"strings"
	"unicode"
)

// Ports is a parsed port specification: sorted, unique port numbers per
// protocol. A protocol that is not being scanned has a nil list.
type Ports struct {
	TCP, UDP []uint16
}

// portBits is a set of ports 0-65535.
type portBits [65536 / 64]uint64

func (b *portBits) addRange(lo, hi int) {
	for p := lo; p <= hi; p++ {
		b[p/64] |= 1 << (p % 64)
	}
}

func (b *portBits) list() []uint16 {
	out := []uint16{} // not nil: the protocol is scanned, even with no ports
	for i, w := range b {
		for w != 0 {
			out = append(out, uint16(i*64+bits.TrailingZeros64(w)))
			w &= w - 1
		}
	}
	return out
}

// ParsePorts parses an nmap-style port specification: comma-separated
// items "22", "1-1024", "-1024" (1-1024), "60000-" (60000-65535) or "-"
// (1-65535). "T:" or "U:" before an item makes it and the items after it
// TCP or UDP ports, until the next prefix ("T:22,80,U:53,161"); items before
// any prefix apply to every protocol in protos ("tcp", "udp"). A scanned
// protocol may end up with no ports ("T:22" while scanning TCP and UDP).
func ParsePorts(spec string, protos []string) (Ports, error) {
	var tcp, udp *portBits
	for _, p := range protos {
		switch p {
		case "tcp":
			tcp = new(portBits)
		case "udp":
			udp = new(portBits)
		default:
			return Ports{}, fmt.Errorf("port spec %q: unknown protocol %q (want tcp or udp)", spec, p)
		}
	}
	switch {
	case tcp == nil && udp == nil:
		return Ports{}, fmt.Errorf("port spec %q: no protocol to scan", spec)
	case spec == "":
		return Ports{}, errors.New("port spec is empty")
	case strings.ContainsFunc(spec, unicode.IsSpace):
		return Ports{}, fmt.Errorf("port spec %q: contains whitespace", spec)
	}
	current := []*portBits{tcp, udp} // where unprefixed items go; nil entries are skipped
	for item := range strings.SplitSeq(spec, ",") {
		rest := item
		if len(item) >= 2 && item[1] == ':' {
			dst, err := prefixTarget(item[0], tcp, udp)
			if err != nil {
				return Ports{}, fmt.Errorf("port spec %q: %w", item, err)
			}
			current = []*portBits{dst}
			rest = item[2:]
		}
		if rest == "" {
			return Ports{}, fmt.Errorf("port spec %q: empty item", spec)
		}
		lo, hi, err := parsePortRange(rest)
		if err != nil {
			return Ports{}, fmt.Errorf("port spec %q: %w", item, err)
		}
		for _, b := range current {
			if b != nil {
				b.addRange(lo, hi)
			}
		}
	}
	var out Ports
	if tcp != nil {
		out.TCP = tcp.list()
	}
	if udp != nil {
		out.UDP = udp.list()
	}
	return out, nil
}

// prefixTarget returns the port set a "T:" or "U:" prefix selects.
func prefixTarget(c byte, tcp, udp *portBits) (*portBits, error) {
	switch c {
	case 'T', 't':
		if tcp == nil {
			return nil, errors.New("TCP ports given but TCP is not being scanned (enable it with -sT or -sS)")
		}
		return tcp, nil
	case 'U', 'u':
		if udp == nil {
			return nil, errors.New("UDP ports given but UDP is not being scanned (enable it with -sU)")
		}
		return udp, nil
	case 'S', 's', 'P', 'p':
		return nil, errors.New("SCTP and IP-protocol scans are not supported")
	}
	return nil, fmt.Errorf("unknown protocol prefix %q (want T: or U:)", string(c)+":")
}

// parsePortRange parses "n", "n-m", "-m", "n-" or "-".
func parsePortRange(s string) (int, int, error) {
	from, to, isRange := strings.Cut(s, "-")
	if !isRange {
		p, err := parsePort(s)
		return p, p, err
	}
	lo, hi := 1, 65535
	var err error
	if from != "" {
		if lo, err = parsePort(from); err != nil {
			return 0, 0, err
		}
	}
	if to != "" {
		if hi, err = parsePort(to); err != nil {
			return 0, 0, err
		}
	}
	if hi < lo {
		return 0, 0, fmt.Errorf("range %d-%d is reversed", lo, hi)
	}
	return lo, hi, nil
}

func parsePort(s string) (int, error) {
	if s == "" || !onlyBytes(s, "0123456789") {
		return 0, fmt.Errorf("%q is not a port number (service names are not supported)", s)
	}
	n, err := strconv.ParseUint(s, 10, 32)
	if err != nil || n < 1 || n > 65535 {
		return 0, errors.New("port out of range 1-65535")
	}
	return int(n), nil
}
