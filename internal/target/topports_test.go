package target

import (
	"slices"
	"testing"
)

func TestTopPortLists(t *testing.T) {
	for proto, min := range map[string]int{"tcp": 1000, "udp": 200} {
		all, err := TopPorts(proto, 1<<30)
		if err != nil {
			t.Fatal(err)
		}
		if len(all) < min {
			t.Errorf("%s list has %d ports, want at least %d", proto, len(all), min)
		}
		seen := make(map[uint16]int)
		for i, p := range all {
			if p == 0 {
				t.Errorf("%s rank %d is port 0", proto, i+1)
			}
			if j, dup := seen[p]; dup {
				t.Errorf("%s port %d appears at ranks %d and %d", proto, p, j+1, i+1)
			}
			seen[p] = i
		}
	}
}

func TestTopPorts(t *testing.T) {
	tcp, err := TopPorts("tcp", 3)
	if err != nil || !slices.Equal(tcp, []uint16{80, 443, 22}) {
		t.Errorf("top 3 tcp = %v, %v", tcp, err)
	}
	udp, err := TopPorts("udp", 2)
	if err != nil || !slices.Equal(udp, []uint16{53, 123}) {
		t.Errorf("top 2 udp = %v, %v", udp, err)
	}
	// Callers may change what they get without changing the ranking.
	tcp[0] = 1
	if again, _ := TopPorts("tcp", 1); again[0] != 80 {
		t.Error("TopPorts returned shared memory")
	}
	// The top 100 TCP ports include the services everyone expects.
	top100, _ := TopPorts("tcp", 100)
	for _, p := range []uint16{21, 22, 23, 25, 53, 80, 110, 135, 139, 143, 443, 445, 993, 995, 1433, 3306, 3389, 5432, 5900, 6379, 8080, 8443, 27017} {
		if !slices.Contains(top100, p) {
			t.Errorf("port %d is not in the top 100", p)
		}
	}
	for _, bad := range []struct {
		proto string
		n     int
		want  string
	}{
		{"tcp", 0, "top ports: count 0 must be at least 1"},
		{"udp", -5, "top ports: count -5 must be at least 1"},
		{"sctp", 10, `top ports: unknown protocol "sctp" (want tcp or udp)`},
	} {
		if _, err := TopPorts(bad.proto, bad.n); err == nil || err.Error() != bad.want {
			t.Errorf("TopPorts(%q, %d) error = %v, want %q", bad.proto, bad.n, err, bad.want)
		}
	}
}
