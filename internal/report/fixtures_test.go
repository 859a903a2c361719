package report

import (
	"bytes"
	"encoding/json"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/portwatch/portwatch/internal/scan"
)

// sampleResult is a small run over lab addresses: one up host with open,
// filtered and open|filtered ports and closed ones omitted, one down host,
// one up host whose every port was omitted, and one unresolvable target.
// Ports are deliberately out of order.
func sampleResult() *scan.Result {
	a1 := netip.MustParseAddr("198.18.0.11")
	start := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	return &scan.Result{
		Started:  start,
		Finished: start.Add(3210 * time.Millisecond),
		Args:     []string{"portwatch", "scan", "-p-", "--label", "lab run", "198.18.0.11-12", "2001:2::5", "bad.example"},
		Scanner:  "portwatch 0.1.0",
		Hosts: []scan.HostResult{
			{
				Address:   a1,
				Hostnames: []string{"host.example", "alias.example"},
				Status:    scan.HostUp,
				Reason:    scan.ReasonSynAck,
				Ports: []scan.PortResult{
					{Addr: a1, Protocol: scan.UDP, Port: 53, State: scan.OpenFiltered, Reason: scan.ReasonNoResponse},
					{Addr: a1, Protocol: scan.TCP, Port: 80, State: scan.Open, Reason: scan.ReasonSynAck, RTT: 300 * time.Microsecond},
					{Addr: a1, Protocol: scan.TCP, Port: 22, State: scan.Open, Reason: scan.ReasonSynAck, RTT: 210 * time.Microsecond},
					{Addr: a1, Protocol: scan.TCP, Port: 443, State: scan.Filtered, Reason: scan.ReasonNoResponse},
				},
				OtherStates: map[scan.PortState]int{scan.Closed: 65532},
			},
			{
				Address: netip.MustParseAddr("198.18.0.12"),
				Status:  scan.HostDown,
				Reason:  scan.ReasonHostUnreachable,
			},
			{
				Address:     netip.MustParseAddr("2001:2::5"),
				Hostnames:   []string{},
				Status:      scan.HostUp,
				Reason:      scan.ReasonConnRefused,
				Ports:       []scan.PortResult{},
				OtherStates: map[scan.PortState]int{scan.Closed: 65536},
			},
		},
		Errors: []scan.TargetError{{Target: "bad.example", Error: "lookup bad.example: no such host"}},
		Stats:  scan.Stats{Endpoints: 196608, Open: 2, HostsUp: 2, HostsDown: 1, DurationMS: 3210},
	}
}

// wildcardResult is one host that accepted every one of 25 ports.
func wildcardResult() *scan.Result {
	a := netip.MustParseAddr("198.18.0.20")
	h := scan.HostResult{
		Address:  a,
		Status:   scan.HostUp,
		Reason:   scan.ReasonSynAck,
		Wildcard: true,
		Note:     "accepted connections on 25 of 25 scanned ports",
	}
	for p := uint16(1001); p <= 1025; p++ {
		h.Ports = append(h.Ports, scan.PortResult{Addr: a, Protocol: scan.TCP, Port: p, State: scan.Open, Reason: scan.ReasonSynAck, RTT: time.Millisecond})
	}
	return &scan.Result{
		Started:  time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC),
		Finished: time.Date(2025, 3, 1, 12, 0, 1, 0, time.UTC),
		Scanner:  "portwatch 0.1.0",
		Hosts:    []scan.HostResult{h},
		Stats:    scan.Stats{Endpoints: 25, Open: 25, HostsUp: 1, DurationMS: 1000},
	}
}

// render runs Write and fails the test on error.
func render(t *testing.T, res *scan.Result, opts Options) string {
	t.Helper()
	var b bytes.Buffer
	if err := Write(&b, res, opts); err != nil {
		t.Fatalf("Write(%+v): %v", opts, err)
	}
	return b.String()
}

// golden reads a hand-written expectation from testdata.
func golden(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// assertText compares output line by line so a mismatch is easy to read.
func assertText(t *testing.T, got, want string) {
	t.Helper()
	if got == want {
		return
	}
	g, w := strings.Split(got, "\n"), strings.Split(want, "\n")
	for i := 0; i < max(len(g), len(w)); i++ {
		var gl, wl string
		if i < len(g) {
			gl = g[i]
		}
		if i < len(w) {
			wl = w[i]
		}
		if gl != wl {
			t.Errorf("line %d:\n got: %q\nwant: %q", i+1, gl, wl)
		}
	}
}

// assertSameResult compares two results, printing both as JSON on mismatch.
func assertSameResult(t *testing.T, got, want *scan.Result) {
	t.Helper()
	g, _ := json.MarshalIndent(got, "", " ")
	w, _ := json.MarshalIndent(want, "", " ")
	if !bytes.Equal(g, w) {
		assertText(t, string(g), string(w))
	}
	for i := range min(len(got.Hosts), len(want.Hosts)) {
		for j := range min(len(got.Hosts[i].Ports), len(want.Hosts[i].Ports)) {
			if ga, wa := got.Hosts[i].Ports[j].Addr, want.Hosts[i].Ports[j].Addr; ga != wa {
				t.Errorf("host %d port %d: Addr %v, want %v", i, j, ga, wa)
			}
		}
	}
	if !got.Started.Equal(want.Started) || !got.Finished.Equal(want.Finished) {
		t.Errorf("times %v..%v, want %v..%v", got.Started, got.Finished, want.Started, want.Finished)
	}
}

// hostileResult carries strings that break naive XML, JSON, CSV or terminal
// output: markup, quotes, control characters, invalid UTF-8.
func hostileResult() *scan.Result {
	res := sampleResult()
	res.Args = append(res.Args, `--x=<a href="&'">`, "tab\there", "it's", "")
	res.Hosts[0].Hostnames = []string{`<b>&amp;"quoted"</b>`, "line\nbreak", "bad\xffutf8"}
	res.Hosts[2].Wildcard = true
	res.Hosts[2].Note = "note with ]]> and <!-- -- --> and \x00 NUL"
	res.Errors = append(res.Errors, scan.TargetError{Target: `we"ird target`, Error: "skipped: \"odd\"\nmessage"})
	return res
}
