package lab_test

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/portwatch/portwatch/test/lab"
)

const sampleTruth = `{"prefix":"pw","dir":"/tmp/pw-lab","scanner_netns":"pw-scan",
"scanner_ipv4":"198.18.0.2","scanner_ipv6":"2001:2::2","hosts":[
{"name":"h2","netns":"pw-h2","ipv4":"198.18.0.12","ipv6":"2001:2::12",
 "default_tcp":"filtered","default_tcp_reason":"no-response","ping":false,
 "tcp":{"8443":{"state":"open","reason":"syn-ack","service":"https","tls":true,"rule":"accept"},
        "22":{"state":"open","reason":"syn-ack","service":"ssh","rule":"accept"}}}],
"unassigned":["198.18.0.50"],"unassigned_ipv6":["2001:2::50"]}`

func writeTruth(t *testing.T, body string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "truth.json")
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestLoadTruth(t *testing.T) {
	tr, err := lab.LoadTruth(writeTruth(t, sampleTruth))
	if err != nil {
		t.Fatal(err)
	}
	h, ok := tr.Host("h2")
	if !ok {
		t.Fatal("host h2 missing")
	}
	if _, ok := tr.Host("h9"); ok {
		t.Error("found a host h9 that does not exist")
	}
	for port, want := range map[int]string{22: "open", 8443: "open", 80: "filtered", 1: "filtered"} {
		if got := h.ExpectedTCP(port); got != want {
			t.Errorf("ExpectedTCP(%d) = %q, want %q", port, got, want)
		}
	}
	if p := h.ExpectedTCPPort(8443); !p.TLS || p.Service != "https" || p.Rule != "accept" {
		t.Errorf("ExpectedTCPPort(8443) = %+v", p)
	}
	if p := h.ExpectedTCPPort(80); p.Reason != "no-response" {
		t.Errorf("ExpectedTCPPort(80).Reason = %q, want no-response", p.Reason)
	}
	if got := h.TCPPorts(); !reflect.DeepEqual(got, []int{22, 8443}) {
		t.Errorf("TCPPorts() = %v", got)
	}
}

const sampleTruthUDP = `{"prefix":"pw","dir":"/tmp/pw-lab","scanner_netns":"pw-scan",
"scanner_ipv4":"198.18.0.2","scanner_ipv6":"2001:2::2","hosts":[
{"name":"h1","netns":"pw-h1","ipv4":"198.18.0.11","ipv6":"2001:2::11",
 "default_tcp":"closed","ping":true,"tcp":{},
 "default_udp":"closed","default_udp_reason":"icmp-port-unreachable","udp":{},"icmp_ratelimited":false},
{"name":"h5","netns":"pw-h5","ipv4":"198.18.0.15","ipv6":"2001:2::15","fqdn":"h5.portwatch.lab",
 "default_tcp":"closed","ping":true,"tcp":{},
 "default_udp":"closed","default_udp_reason":"icmp-port-unreachable","icmp_ratelimited":true,
 "icmp_ratelimit":{"ipv4_ms":1000,"ipv4_mask":6168,"ipv6_ms":100,"ipv6_mask":"0-1,3-127","msgs_per_sec":1000,"msgs_burst":50},
 "udp":{"53":{"state":"open","reason":"udp-response","service":"domain","product":"dnsmasq","version":"2.90",
              "installed_version":"2.90","details":{"zone":"portwatch.lab"}},
        "500":{"state":"filtered","reason":"no-response","rule":"drop"},
        "123":{"state":"open","reason":"udp-response","service":"ntp","product":"chrony","installed_version":"4.3"}}},
{"name":"h2","netns":"pw-h2","ipv4":"198.18.0.12","ipv6":"2001:2::12",
 "default_tcp":"filtered","ping":false,"tcp":{},"default_udp":"filtered","default_udp_reason":"no-response"}],
"subnets":[{"name":"sparse","cidr":"198.18.1.0/24","ipv6_cidr":"2001:2:0:1::/64",
 "scanner_ipv4":"198.18.1.2","scanner_ipv6":"2001:2:0:1::2",
 "live":["198.18.1.1","198.18.1.254"],"live_ipv6":["2001:2:0:1::1","2001:2:0:1::254"],"empty":251,
 "hosts":[{"name":"s1","netns":"pw-s1","ipv4":"198.18.1.1","ipv6":"2001:2:0:1::1","default_tcp":"closed","ping":true,
           "tcp":{"22":{"state":"open","service":"ssh"}}},
          {"name":"s2","netns":"pw-s2","ipv4":"198.18.1.254","ipv6":"2001:2:0:1::254","default_tcp":"closed","ping":true,"tcp":{}}]}]}`

func TestTruthUDP(t *testing.T) {
	tr, err := lab.LoadTruth(writeTruth(t, sampleTruthUDP))
	if err != nil {
		t.Fatal(err)
	}
	h5, _ := tr.Host("h5")
	if got := h5.UDPPorts(); !reflect.DeepEqual(got, []int{53, 123, 500}) {
		t.Errorf("UDPPorts() = %v", got)
	}
	if p := h5.ExpectedUDPPort(53); p.Product != "dnsmasq" || p.Version != "2.90" || p.Details["zone"] != "portwatch.lab" {
		t.Errorf("ExpectedUDPPort(53) = %+v", p)
	}
	if p := h5.ExpectedUDPPort(161); p.State != lab.StateClosed || p.Reason != "icmp-port-unreachable" {
		t.Errorf("ExpectedUDPPort(161) = %+v, want the default", p)
	}
	if p := h5.ExpectedUDPPort(123); p.Version != "" || p.InstalledVersion != "4.3" {
		t.Errorf("ExpectedUDPPort(123) = %+v: chrony's version is not on the wire", p)
	}
	if !h5.ICMPRateLimited || h5.ICMPRateLimit == nil || h5.ICMPRateLimit.IPv4Ms != 1000 || h5.ICMPRateLimit.IPv6Mask != "0-1,3-127" {
		t.Errorf("h5 ICMP rate limit: %v %+v", h5.ICMPRateLimited, h5.ICMPRateLimit)
	}
	h1, _ := tr.Host("h1")
	h2, _ := tr.Host("h2")
	for _, c := range []struct {
		h    lab.Host
		port int
		got  string
		ok   bool
	}{
		{h5, 53, "open", true},
		{h5, 53, "open|filtered", true}, // no payload for the service
		{h5, 53, "closed", false},
		{h5, 500, "open|filtered", true},
		{h5, 500, "filtered", true},
		{h5, 500, "open", false},
		{h5, 161, "closed", true},
		{h5, 161, "open|filtered", true}, // rate-limited ICMP
		{h5, 161, "open", false},
		{h5, 161, "filtered", false},
		{h1, 161, "closed", true},
		{h1, 161, "open|filtered", false}, // no rate limit: the ICMP error always comes
		{h2, 161, "open|filtered", true},
		{h2, 161, "filtered", true},
		{h2, 161, "closed", false},
	} {
		if got := c.h.UDPStateConsistent(c.port, c.got); got != c.ok {
			t.Errorf("%s.UDPStateConsistent(%d, %q) = %v, want %v", c.h.Name, c.port, c.got, got, c.ok)
		}
	}
}

func TestTruthSubnets(t *testing.T) {
	tr, err := lab.LoadTruth(writeTruth(t, sampleTruthUDP))
	if err != nil {
		t.Fatal(err)
	}
	if len(tr.Hosts) != 3 || len(tr.AllHosts()) != 5 {
		t.Errorf("%d hosts, %d in all", len(tr.Hosts), len(tr.AllHosts()))
	}
	s1, ok := tr.Host("s1")
	if !ok || s1.ExpectedTCP(22) != lab.StateOpen || s1.ExpectedTCP(23) != lab.StateClosed {
		t.Errorf("Host(s1) = %+v, %v", s1, ok)
	}
	s, ok := tr.Subnet("sparse")
	if !ok {
		t.Fatal("no subnet sparse")
	}
	if _, ok := tr.Subnet("dense"); ok {
		t.Error("found a subnet that does not exist")
	}
	empty, err := s.EmptyIPv4()
	if err != nil {
		t.Fatal(err)
	}
	if len(empty) != s.Empty || empty[0] != "198.18.1.3" || empty[len(empty)-1] != "198.18.1.253" {
		t.Errorf("EmptyIPv4: %d addresses %v ... %v, truth says %d", len(empty), empty[0], empty[len(empty)-1], s.Empty)
	}
	for _, a := range empty {
		if a == s.ScannerIPv4 || a == s.Live[0] || a == "198.18.1.0" || a == "198.18.1.255" {
			t.Errorf("EmptyIPv4 lists %s", a)
		}
	}
}

func TestLoadTruthRejectsBadFiles(t *testing.T) {
	for name, body := range map[string]string{
		"not json":  `{`,
		"no hosts":  `{"scanner_netns":"pw-scan","scanner_ipv4":"198.18.0.2","hosts":[]}`,
		"bad state": `{"scanner_netns":"s","scanner_ipv4":"x","hosts":[{"name":"h","netns":"n","ipv4":"x","default_tcp":"closed","tcp":{"1":{"state":"up"}}}]}`,
		"bad port":  `{"scanner_netns":"s","scanner_ipv4":"x","hosts":[{"name":"h","netns":"n","ipv4":"x","default_tcp":"closed","tcp":{"0":{"state":"open"}}}]}`,
		"no netns":  `{"scanner_netns":"s","scanner_ipv4":"x","hosts":[{"name":"h","ipv4":"x","default_tcp":"closed"}]}`,
		"bad udp state": `{"scanner_netns":"s","scanner_ipv4":"x","hosts":[{"name":"h","netns":"n","ipv4":"x","default_tcp":"closed",` +
			`"udp":{"53":{"state":"open|filtered"}}}]}`,
		"bad default_udp": `{"scanner_netns":"s","scanner_ipv4":"x","hosts":[{"name":"h","netns":"n","ipv4":"x","default_tcp":"closed",` +
			`"default_udp":"open"}]}`,
		"bad subnet host": `{"scanner_netns":"s","scanner_ipv4":"x","hosts":[{"name":"h","netns":"n","ipv4":"x","default_tcp":"closed"}],` +
			`"subnets":[{"name":"s","cidr":"198.18.1.0/24","live":["198.18.1.1"],"hosts":[{"name":"s1","ipv4":"198.18.1.1"}]}]}`,
		"bad subnet cidr": `{"scanner_netns":"s","scanner_ipv4":"x","hosts":[{"name":"h","netns":"n","ipv4":"x","default_tcp":"closed"}],` +
			`"subnets":[{"name":"s","cidr":"2001:2::/64","live":[],"hosts":[]}]}`,
	} {
		if _, err := lab.LoadTruth(writeTruth(t, body)); err == nil {
			t.Errorf("%s: LoadTruth accepted it", name)
		}
	}
	if _, err := lab.LoadTruth(filepath.Join(t.TempDir(), "missing.json")); err == nil {
		t.Error("LoadTruth accepted a missing file")
	}
}
