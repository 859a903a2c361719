package target

import (
	"slices"
	"testing"
)

func portRange(lo, hi int) []uint16 {
	var out []uint16
	for p := lo; p <= hi; p++ {
		out = append(out, uint16(p))
	}
	return out
}

func TestParsePorts(t *testing.T) {
	both := []string{"tcp", "udp"}
	tcp := []string{"tcp"}
	tests := []struct {
		spec     string
		protos   []string
		tcp, udp []uint16
	}{
		{"22,80,443", tcp, []uint16{22, 80, 443}, nil},
		{"443,22,80,22", tcp, []uint16{22, 80, 443}, nil},
		{"1-1024", tcp, portRange(1, 1024), nil},
		{"-", tcp, portRange(1, 65535), nil},
		{"-1024", tcp, portRange(1, 1024), nil},
		{"60000-", tcp, portRange(60000, 65535), nil},
		{"65535", tcp, []uint16{65535}, nil},
		{"1-3,2-5,10", tcp, []uint16{1, 2, 3, 4, 5, 10}, nil},
		{"22,53", both, []uint16{22, 53}, []uint16{22, 53}},
		{"T:22,80,U:53,161", both, []uint16{22, 80}, []uint16{53, 161}},
		{"U:53,T:22", both, []uint16{22}, []uint16{53}},
		{"443,T:22,U:53", both, []uint16{22, 443}, []uint16{53, 443}},
		{"t:22,u:53", both, []uint16{22}, []uint16{53}},
		{"T:22", both, []uint16{22}, []uint16{}},
		{"U:-", []string{"udp"}, nil, portRange(1, 65535)},
		{"080", tcp, []uint16{80}, nil},
	}
	for _, tt := range tests {
		got, err := ParsePorts(tt.spec, tt.protos)
		if err != nil {
			t.Errorf("ParsePorts(%q, %q): %v", tt.spec, tt.protos, err)
			continue
		}
		if !slices.Equal(got.TCP, tt.tcp) || !slices.Equal(got.UDP, tt.udp) {
			t.Errorf("ParsePorts(%q, %q) = %v / %v, want %v / %v", tt.spec, tt.protos, short(got.TCP), short(got.UDP), short(tt.tcp), short(tt.udp))
		}
		if (got.TCP == nil) != (tt.tcp == nil) || (got.UDP == nil) != (tt.udp == nil) {
			t.Errorf("ParsePorts(%q, %q): nil-ness of lists differs", tt.spec, tt.protos)
		}
	}
}

// short abbreviates long port lists in failure messages.
func short(p []uint16) any {
	if len(p) > 10 {
		return []any{p[0], "...", p[len(p)-1], len(p)}
	}
	return p
}

func TestParsePortsErrors(t *testing.T) {
	tcp := []string{"tcp"}
	tests := []struct {
		spec   string
		protos []string
		want   string
	}{
		{"70000", tcp, `port spec "70000": port out of range 1-65535`},
		{"22,70000", tcp, `port spec "70000": port out of range 1-65535`},
		{"0", tcp, `port spec "0": port out of range 1-65535`},
		{"0-100", tcp, `port spec "0-100": port out of range 1-65535`},
		{"99999999999999999999", tcp, `port spec "99999999999999999999": port out of range 1-65535`},
		{"100-1", tcp, `port spec "100-1": range 100-1 is reversed`},
		{"22,,80", tcp, `port spec "22,,80": empty item`},
		{"22,", tcp, `port spec "22,": empty item`},
		{",22", tcp, `port spec ",22": empty item`},
		{"T:", tcp, `port spec "T:": empty item`},
		{"", tcp, `port spec is empty`},
		{"22, 80", tcp, `port spec "22, 80": contains whitespace`},
		{"http", tcp, `port spec "http": "http" is not a port number (service names are not supported)`},
		{"1-2-3", tcp, `port spec "1-2-3": "2-3" is not a port number (service names are not supported)`},
		{"+22", tcp, `port spec "+22": "+22" is not a port number (service names are not supported)`},
		{"U:53", tcp, `port spec "U:53": UDP ports given but UDP is not being scanned (enable it with -sU)`},
		{"T:22", []string{"udp"}, `port spec "T:22": TCP ports given but TCP is not being scanned (enable it with -sT or -sS)`},
		{"S:22", tcp, `port spec "S:22": SCTP and IP-protocol scans are not supported`},
		{"X:22", tcp, `port spec "X:22": unknown protocol prefix "X:" (want T: or U:)`},
		{"22", nil, `port spec "22": no protocol to scan`},
		{"22", []string{"sctp"}, `port spec "22": unknown protocol "sctp" (want tcp or udp)`},
	}
	for _, tt := range tests {
		_, err := ParsePorts(tt.spec, tt.protos)
		if err == nil || err.Error() != tt.want {
			t.Errorf("ParsePorts(%q, %q) error = %v, want %q", tt.spec, tt.protos, err, tt.want)
		}
	}
}
