package report

import (
	"bytes"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/portwatch/portwatch/internal/fingerprint"
	"github.com/portwatch/portwatch/internal/scan"
)

// written renders res and reads it back with read.
func roundTrip(t *testing.T, res *scan.Result, format string, read func(*bytes.Reader) (*scan.Result, error)) *scan.Result {
	t.Helper()
	got, err := read(bytes.NewReader([]byte(render(t, res, Options{Format: format}))))
	if err != nil {
		t.Fatalf("read back %s: %v", format, err)
	}
	return got
}

func readJSONBytes(r *bytes.Reader) (*scan.Result, error) { return ReadJSON(r) }
func readXMLBytes(r *bytes.Reader) (*scan.Result, error)  { return ReadNmapXML(r) }

func TestReadJSONRoundTrip(t *testing.T) {
	for _, format := range []string{"json", "jsonl"} {
		t.Run(format, func(t *testing.T) {
			res := sampleResult()
			res.Hosts[0].Ports[1].RTT = 1001 * time.Microsecond // 1.001 is not exact in binary
			got := roundTrip(t, res, format, readJSONBytes)
			assertSameResult(t, got, normalize(res))
			for i, want := range []time.Duration{210 * time.Microsecond, 1001 * time.Microsecond, 0, 0} {
				if rtt := got.Hosts[0].Ports[i].RTT; rtt != want {
					t.Errorf("port %d: RTT read back as %v, want %v", got.Hosts[0].Ports[i].Port, rtt, want)
				}
			}
		})
	}
}

func TestReadJSONErrors(t *testing.T) {
	for name, in := range map[string]string{
		"empty":          "",
		"not an object":  "[1,2]",
		"null":           "null",
		"foreign object": `{"foo": 1}`,
		"trailing data":  `{"hosts": []} {"hosts": []}`,
		"bad address":    `{"hosts": [{"address": "not-an-ip"}]}`,
		"bad jsonl host": `{"address": "198.18.0.1", "ports": 3}`,
		"after trailer":  `{"stats": {}}` + "\n" + `{"address": "198.18.0.1"}`,
		"truncated":      `{"hosts": [`,
	} {
		t.Run(name, func(t *testing.T) {
			if res, err := ReadJSON(strings.NewReader(in)); err == nil {
				t.Fatalf("ReadJSON(%q) = %+v, want error", in, res)
			}
		})
	}
}

func TestReadJSONLWithoutTrailerIsInterrupted(t *testing.T) {
	full := render(t, sampleResult(), Options{Format: "jsonl"})
	lines := strings.SplitAfter(full, "\n")
	got, err := ReadJSON(strings.NewReader(lines[0] + lines[1]))
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Hosts) != 2 || !got.Stats.Interrupted {
		t.Fatalf("got %d hosts, interrupted=%v; want 2 hosts, interrupted", len(got.Hosts), got.Stats.Interrupted)
	}
}

func TestReadNmapXMLRoundTrip(t *testing.T) {
	for name, res := range map[string]*scan.Result{"sample": sampleResult(), "wildcard": wildcardResult()} {
		t.Run(name, func(t *testing.T) {
			got := roundTrip(t, res, "xml", readXMLBytes)
			assertSameResult(t, got, xmlView(res))
		})
	}
}

// xmlView is what survives a trip through XML: no per-port round trips,
// whole seconds, and counts derived from the hosts.
func xmlView(res *scan.Result) *scan.Result {
	want := normalize(res)
	want.Started = want.Started.Truncate(time.Second)
	want.Finished = want.Finished.Truncate(time.Second)
	want.Stats.Endpoints, want.Stats.Open = 0, 0
	for i := range want.Hosts {
		h := &want.Hosts[i]
		for j := range h.Ports {
			h.Ports[j].RTT = 0
			h.Ports[j].Addr = h.Address
			if h.Ports[j].State == scan.Open {
				want.Stats.Open++
			}
		}
		want.Stats.Endpoints += uint64(len(h.Ports))
		for _, n := range h.OtherStates {
			want.Stats.Endpoints += uint64(n)
		}
	}
	return want
}

func TestReadNmapXMLHostileStrings(t *testing.T) {
	res := hostileResult()
	got := roundTrip(t, res, "xml", readXMLBytes)
	want := xmlView(res)
	// XML cannot carry NUL or invalid UTF-8: the writer replaces them.
	want.Hosts[0].Hostnames[2] = "bad\uFFFDutf8"
	want.Hosts[2].Note = strings.ReplaceAll(want.Hosts[2].Note, "\x00", "\uFFFD")
	assertSameResult(t, got, want)

	jsonGot := roundTrip(t, res, "json", readJSONBytes)
	jsonWant := normalize(res)
	jsonWant.Hosts[0].Hostnames[2] = "bad\uFFFDutf8" // encoding/json does the same
	assertSameResult(t, jsonGot, jsonWant)
}

func TestReadNmapXMLFromNmap(t *testing.T) {
	f, err := os.Open(filepath.Join("testdata", "nmap-sample.xml"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	got, err := ReadNmapXML(f)
	if err != nil {
		t.Fatal(err)
	}
	a30 := netip.MustParseAddr("198.18.0.30")
	start := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	want := &scan.Result{
		Started:  start,
		Finished: start.Add(5 * time.Second),
		Args:     []string{"nmap", "-v", "-sS", "-sU", "-p", "T:1-1000,U:53", "-oX", "out.xml", "198.18.0.30-31", "nosuch.invalid"},
		Scanner:  "nmap 7.93",
		Hosts: []scan.HostResult{
			{
				Address:   a30,
				Hostnames: []string{"db.lab.example"},
				Status:    scan.HostUp,
				Reason:    "echo-reply",
				Ports: []scan.PortResult{
					{Addr: a30, Protocol: scan.TCP, Port: 22, State: scan.Open, Reason: scan.ReasonSynAck,
						Service: &fingerprint.Service{Name: "ssh", Product: "OpenSSH", Version: "9.2p1 Debian 2+deb12u3", Extra: "protocol 2.0",
							OS: "Linux", CPE: []string{"cpe:/a:openbsd:openssh:9.2p1"}, Confidence: 10, Method: fingerprint.MethodProbe}},
					{Addr: a30, Protocol: scan.TCP, Port: 80, State: scan.Filtered, Reason: scan.ReasonAdminProhibited,
						Service: &fingerprint.Service{Name: "http", Confidence: 3, Method: fingerprint.MethodPortHint}},
					{Addr: a30, Protocol: scan.TCP, Port: 443, State: scan.Filtered, Reason: scan.ReasonNoResponse,
						Service: &fingerprint.Service{Name: "https", Confidence: 3, Method: fingerprint.MethodPortHint}},
					{Addr: a30, Protocol: scan.UDP, Port: 53, State: scan.Closed, Reason: scan.ReasonPortUnreachable,
						Service: &fingerprint.Service{Name: "domain", Confidence: 3, Method: fingerprint.MethodPortHint}},
				},
				OtherStates: map[scan.PortState]int{scan.Closed: 997},
			},
			{
				Address:     netip.MustParseAddr("198.18.0.31"),
				Hostnames:   []string{},
				Status:      scan.HostDown,
				Reason:      scan.ReasonNoResponse,
				Ports:       []scan.PortResult{},
				OtherStates: map[scan.PortState]int{},
			},
		},
		Errors: []scan.TargetError{{Target: "nosuch.invalid", Error: "skipped invalid"}},
		Stats:  scan.Stats{Endpoints: 1001, Open: 1, HostsUp: 1, HostsDown: 1, DurationMS: 5070},
	}
	assertSameResult(t, got, want)
}

func TestReadNmapXMLErrors(t *testing.T) {
	for name, in := range map[string]string{
		"empty":           "",
		"not nmap":        `<html></html>`,
		"truncated":       `<nmaprun scanner="nmap"><host>`,
		"bad start":       `<nmaprun start="yesterday"></nmaprun>`,
		"no address":      `<nmaprun><host><status state="up"/></host></nmaprun>`,
		"bad address":     `<nmaprun><host><address addr="999.1.1.1" addrtype="ipv4"/></host></nmaprun>`,
		"bad portid":      `<nmaprun><host><address addr="198.18.0.1"/><ports><port protocol="tcp" portid="70000"/></ports></host></nmaprun>`,
		"bad count":       `<nmaprun><host><address addr="198.18.0.1"/><ports><extraports state="closed" count="-1"/></ports></host></nmaprun>`,
		"bad elapsed":     `<nmaprun><runstats><finished time="1" elapsed="NaN"/></runstats></nmaprun>`,
		"bad hosts up":    `<nmaprun><runstats><hosts up="x"/></runstats></nmaprun>`,
		"entity bomb":     `<!DOCTYPE nmaprun [<!ENTITY a "aaaa">]><nmaprun args="&a;"></nmaprun>`,
		"external entity": `<!DOCTYPE nmaprun [<!ENTITY x SYSTEM "file:///etc/passwd">]><nmaprun args="&x;"></nmaprun>`,
	} {
		t.Run(name, func(t *testing.T) {
			if res, err := ReadNmapXML(strings.NewReader(in)); err == nil {
				t.Fatalf("ReadNmapXML(%q) = %+v, want error", in, res)
			}
		})
	}
}
