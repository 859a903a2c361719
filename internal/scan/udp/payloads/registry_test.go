package payloads

import (
	"bytes"
	"math/rand/v2"
	"net/netip"
	"strconv"
	"testing"
)

func testRequest(dst string, seed byte) Request {
	return Request{Dst: netip.MustParseAddrPort(dst), Rand: rand.NewChaCha8([32]byte{seed})}
}

func TestDefaultRegistry(t *testing.T) {
	reg := Default()
	seen := map[string]bool{}
	for _, p := range All() {
		if seen[p.Name] {
			t.Errorf("payload name %q used twice", p.Name)
		}
		seen[p.Name] = true
		if p.Spec == "" {
			t.Errorf("payload %s names no specification", p.Name)
		}
		for _, port := range p.Ports {
			for _, dst := range []string{"198.18.0.11", "[2001:2::11]"} {
				a := p.Build(testRequest(dst+":"+itoa(port), 1))
				b := p.Build(testRequest(dst+":"+itoa(port), 1))
				if len(a) == 0 || len(a) > 1400 {
					t.Errorf("%s to %s:%d: %d bytes, want 1..1400", p.Name, dst, port, len(a))
				}
				if !bytes.Equal(a, b) {
					t.Errorf("%s: the same random source built different datagrams", p.Name)
				}
			}
			if !reg.Specific(port) {
				t.Errorf("port %d of %s has no payloads in the registry", port, p.Name)
			}
		}
	}
	if got := reg.For(53); len(got) != 2 || got[0].Name != "dns-version-bind" {
		t.Errorf("For(53) = %d payloads starting %q, want dns-version-bind first of 2", len(got), got[0].Name)
	}
	if got := reg.For(9); len(got) != 2 || got[0].Name != "generic-empty" || len(got[0].Build(testRequest("127.0.0.1:9", 1))) != 0 {
		t.Errorf("For(9) = %v, want the generic payloads, an empty datagram first", got)
	}
	if reg.Specific(9) {
		t.Error("port 9 has no payload of its own")
	}
}

// TestBuildRandomised: every payload that carries an identifier gets a
// fresh one per probe, so answers cannot be replayed or confused.
func TestBuildRandomised(t *testing.T) {
	constant := map[string]bool{"ssdp-msearch": true}
	for _, p := range All() {
		dst := "198.18.0.11:" + itoa(p.Ports[0])
		if a, b := p.Build(testRequest(dst, 1)), p.Build(testRequest(dst, 2)); bytes.Equal(a, b) != constant[p.Name] {
			t.Errorf("%s: datagrams from different sources equal: %v, want %v", p.Name, bytes.Equal(a, b), constant[p.Name])
		}
	}
}

// TestOwnRequestIsNoAnswer: a datagram echoed back must not pass for the
// service's answer (IKEv1 requests and answers share one layout and are
// the exception).
func TestOwnRequestIsNoAnswer(t *testing.T) {
	for _, p := range All() {
		if p.Name == "ikev1-main-mode" {
			continue
		}
		req := p.Build(testRequest("198.18.0.11:"+itoa(p.Ports[0]), 1))
		if svc, ok := p.Identify(req); ok {
			t.Errorf("%s: its own request identified as %+v", p.Name, svc)
		}
	}
}

func TestRegistryErrors(t *testing.T) {
	p := DNS()[0]
	if _, err := NewRegistry([]Payload{p, p}); err == nil {
		t.Error("duplicate names accepted")
	}
	p.Identify = nil
	if _, err := NewRegistry([]Payload{p}); err == nil {
		t.Error("payload without Identify accepted")
	}
}

func TestProductVersion(t *testing.T) {
	for _, c := range []struct{ in, product, version string }{
		{"dnsmasq-2.90", "dnsmasq", "2.90"},
		{"unbound 1.17.1", "unbound", "1.17.1"},
		{"PowerDNS Recursor 4.8.4 (built Jan  1 2023)", "PowerDNS Recursor", "4.8.4"},
		{"MiniUPnPd/2.3.3", "MiniUPnPd", "2.3.3"},
		{"kamailio (5.6.3 (x86_64/linux))", "kamailio", "5.6.3"},
		{"Asterisk PBX 20.5.0", "Asterisk PBX", "20.5.0"},
		{"FPBX-16.0.33(18.13.0)", "FPBX", "16.0.33"},
		{"Coturn-4.6.1 'Gorst'", "Coturn", "4.6.1"},
		{"ntpd 4.2.8p15 1.3728-o", "ntpd", "4.2.8p15"},
		{"Knot DNS v3.2.6", "Knot DNS", "3.2.6"},
		{"no version here", "", ""},
		{"2.90", "", ""},
		{"build 7", "", ""},
	} {
		p, v := productVersion(c.in)
		if p != c.product || v != c.version {
			t.Errorf("productVersion(%q) = %q, %q; want %q, %q", c.in, p, v, c.product, c.version)
		}
	}
}

func itoa(p uint16) string { return strconv.Itoa(int(p)) }
