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

func TestLoadTruthRejectsBadFiles(t *testing.T) {
	for name, body := range map[string]string{
		"not json":  `{`,
		"no hosts":  `{"scanner_netns":"pw-scan","scanner_ipv4":"198.18.0.2","hosts":[]}`,
		"bad state": `{"scanner_netns":"s","scanner_ipv4":"x","hosts":[{"name":"h","netns":"n","ipv4":"x","default_tcp":"closed","tcp":{"1":{"state":"up"}}}]}`,
		"bad port":  `{"scanner_netns":"s","scanner_ipv4":"x","hosts":[{"name":"h","netns":"n","ipv4":"x","default_tcp":"closed","tcp":{"0":{"state":"open"}}}]}`,
		"no netns":  `{"scanner_netns":"s","scanner_ipv4":"x","hosts":[{"name":"h","ipv4":"x","default_tcp":"closed"}]}`,
	} {
		if _, err := lab.LoadTruth(writeTruth(t, body)); err == nil {
			t.Errorf("%s: LoadTruth accepted it", name)
		}
	}
	if _, err := lab.LoadTruth(filepath.Join(t.TempDir(), "missing.json")); err == nil {
		t.Error("LoadTruth accepted a missing file")
	}
}
