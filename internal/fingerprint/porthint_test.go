package fingerprint

import "testing"

func TestPortHint(t *testing.T) {
	for _, c := range []struct {
		proto string
		port  uint16
		want  string
	}{
		{"tcp", 22, "ssh"}, {"tcp", 80, "http"}, {"tcp", 8080, "http"}, {"tcp", 443, "https"},
		{"tcp", 993, "imaps"}, {"tcp", 5432, "postgresql"}, {"tcp", 6379, "redis"},
		{"tcp", 587, "smtp"}, {"tcp", 3306, "mysql"}, {"tcp", 11211, "memcached"},
		{"udp", 53, "domain"}, {"udp", 161, "snmp"}, {"udp", 22, ""},
		{"tcp", 0, ""}, {"tcp", 40000, ""}, {"sctp", 80, ""},
	} {
		if got := PortHint(c.proto, c.port); got != c.want {
			t.Errorf("PortHint(%s, %d) = %q, want %q", c.proto, c.port, got, c.want)
		}
	}
}

// TestPortHintTLSNames checks that every TLS-port hint maps back to a
// plaintext protocol, so the engine can look for that protocol inside TLS.
func TestPortHintTLSNames(t *testing.T) {
	for port := range 65536 {
		name := PortHint("tcp", uint16(port))
		if name == "" {
			continue
		}
		if plain, ok := PlainName(name); ok && TLSName(plain) != name {
			t.Errorf("port %d: %s does not round-trip through PlainName/TLSName", port, name)
		}
	}
}
