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

	"github.com/portwatch/portwatch/internal/fingerprint"
	"github.com/portwatch/portwatch/internal/scan"
)

// changedSample is sampleResult an hour later: 80/tcp closed, 22/tcp
// identified, 8443/tcp opened, 198.18.0.12 up, 2001:2::5 gone and
// 2001:2::6 new.
func changedSample() *scan.Result {
	b := sampleResult()
	b.Started = b.Started.Add(time.Hour)
	h := &b.Hosts[0]
	h.Ports[1].State, h.Ports[1].Reason = scan.Closed, scan.ReasonConnRefused
	h.Ports[2].Service = &fingerprint.Service{Name: "ssh", Product: "OpenSSH", Version: "9.2p1", Extra: "Debian 2+deb12u10"}
	h.Ports = append(h.Ports, scan.PortResult{Addr: h.Address, Protocol: scan.TCP, Port: 8443, State: scan.Open, Reason: scan.ReasonSynAck})
	h.OtherStates[scan.Closed] -= 2
	b.Hosts[1].Status, b.Hosts[1].Reason = scan.HostUp, scan.ReasonSynAck
	b.Hosts[1].OtherStates = map[scan.PortState]int{scan.Closed: 3}
	b.Hosts[2].Address = netip.MustParseAddr("2001:2::6")
	b.Hosts[2].Ports = []scan.PortResult{{Addr: b.Hosts[2].Address, Protocol: scan.TCP, Port: 22, State: scan.Open, Reason: scan.ReasonSynAck}}
	return b
}

func diffText(t *testing.T, d DiffResult) string {
	t.Helper()
	var buf bytes.Buffer
	if err := WriteDiffText(&buf, d); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

func TestDiffSameIsSilent(t *testing.T) {
	for name, res := range map[string]*scan.Result{"sample": sampleResult(), "wildcard": wildcardResult(), "empty": {}, "hostile": hostileResult()} {
		d := Diff(res, res)
		if !d.Same || len(d.HostsChanged)+len(d.HostsAdded)+len(d.HostsRemoved) != 0 {
			t.Errorf("%s: identical scans differ: %+v", name, d)
		}
		if out := diffText(t, d); out != "" {
			t.Errorf("%s: output for identical scans:\n%s", name, out)
		}
	}
}

func TestDiffText(t *testing.T) {
	d := Diff(sampleResult(), changedSample())
	d.A.Source, d.B.Source = "a.json", "b.xml"
	want := `-a.json: portwatch 0.1.0 scan initiated 2025-03-01T12:00:00Z as: portwatch scan -p- --label 'lab run' 198.18.0.11-12 2001:2::5 bad.example
+b.xml: portwatch 0.1.0 scan initiated 2025-03-01T13:00:00Z as: portwatch scan -p- --label 'lab run' 198.18.0.11-12 2001:2::5 bad.example

 alias.example, host.example (198.18.0.11):
 PORT     STATE  SERVICE VERSION
-22/tcp   open
+22/tcp   open   ssh     OpenSSH 9.2p1 (Debian 2+deb12u10)
-80/tcp   open
+80/tcp   closed
-8443/tcp closed
+8443/tcp open

 198.18.0.12:
-Host is down.
+Host is up.

-2001:2::5:
-Host is up.
-Not shown: 65536 closed ports

+2001:2::6:
+Host is up.
+Not shown: 65536 closed ports
+PORT   STATE SERVICE VERSION
+22/tcp open
`
	assertText(t, diffText(t, d), want)
}

func TestDiffStructure(t *testing.T) {
	d := Diff(sampleResult(), changedSample())
	if d.Same || len(d.HostsAdded) != 1 || len(d.HostsRemoved) != 1 || len(d.HostsChanged) != 2 {
		t.Fatalf("added %d removed %d changed %d", len(d.HostsAdded), len(d.HostsRemoved), len(d.HostsChanged))
	}
	h := d.HostsChanged[0]
	if len(h.Ports) != 3 || h.StatusFrom != "" {
		t.Fatalf("host 198.18.0.11: %+v", h)
	}
	// 8443 was among A's omitted closed ports: its A state is implied.
	if p := h.Ports[2]; p.Port != 8443 || p.From == nil || p.From.State != scan.Closed || p.To.State != scan.Open {
		t.Errorf("8443: %+v from %+v to %+v", p, p.From, p.To)
	}
	if s := d.HostsChanged[1]; s.StatusFrom != scan.HostDown || s.StatusTo != scan.HostUp || len(s.Ports) != 0 {
		t.Errorf("198.18.0.12: %+v", s)
	}
	if r := d.HostsRemoved[0]; r.StatusFrom != scan.HostUp || r.StatusTo != "" || r.NotShown[scan.Closed] != 65536 {
		t.Errorf("removed: %+v", r)
	}
	if a := d.HostsAdded[0]; len(a.Ports) != 1 || a.Ports[0].From != nil || a.Ports[0].To.State != scan.Open {
		t.Errorf("added: %+v", a)
	}

	var buf bytes.Buffer
	if err := WriteDiffJSON(&buf, d); err != nil {
		t.Fatal(err)
	}
	var back DiffResult
	if err := json.Unmarshal(buf.Bytes(), &back); err != nil {
		t.Fatalf("diff JSON does not read back: %v\n%s", err, buf.String())
	}
	for _, key := range []string{`"hosts_added"`, `"hosts_removed"`, `"hosts_changed"`, `"status_from": "down"`, `"from": null`, `"same": false`} {
		if !strings.Contains(buf.String(), key) {
			t.Errorf("diff JSON lacks %s:\n%s", key, buf.String())
		}
	}
}

func TestDiffEmptyJSONHasLists(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteDiffJSON(&buf, Diff(&scan.Result{}, &scan.Result{})); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), `"hosts_added": []`) || strings.Contains(buf.String(), "null") {
		t.Errorf("empty diff JSON:\n%s", buf.String())
	}
}

// A scan written as JSON and as XML and read back compares the same, and
// listing every port (--all-states) is no change either.
func TestDiffSameScanAcrossFormats(t *testing.T) {
	res := sampleResult()
	res.Hosts[0].Ports[2].Service = &fingerprint.Service{Name: "https", Product: "nginx", Version: "1.22.1", TLS: &fingerprint.TLSInfo{}}
	fromJSON, err := ReadJSON(strings.NewReader(render(t, res, Options{Format: "json"})))
	if err != nil {
		t.Fatal(err)
	}
	fromXML, err := ReadNmapXML(strings.NewReader(render(t, res, Options{Format: "xml"})))
	if err != nil {
		t.Fatal(err)
	}
	if d := Diff(fromJSON, fromXML); !d.Same {
		t.Errorf("JSON vs XML of one scan differ:\n%s", diffText(t, d))
	}
	all := sampleResult()
	all.Hosts[0].Ports = append(all.Hosts[0].Ports, scan.PortResult{Protocol: scan.TCP, Port: 25, State: scan.Closed, Reason: scan.ReasonConnRefused})
	all.Hosts[0].OtherStates[scan.Closed]--
	if d := Diff(sampleResult(), all); !d.Same {
		t.Errorf("a listed closed port vs an omitted one differ:\n%s", diffText(t, d))
	}
}

func TestDiffUnknownState(t *testing.T) {
	a := sampleResult()
	b := sampleResult()
	// B omits ports in two states, so a port A listed is unknown in B.
	b.Hosts[0].Ports = b.Hosts[0].Ports[:3]
	b.Hosts[0].OtherStates = map[scan.PortState]int{scan.Closed: 65532, scan.OpenFiltered: 1}
	d := Diff(a, b)
	if d.Same {
		t.Fatal("dropped port not seen")
	}
	p := d.HostsChanged[0].Ports[0]
	if p.Port != 443 || p.From.State != scan.Filtered || p.To != nil {
		t.Fatalf("%+v", p)
	}
	if out := diffText(t, d); !strings.Contains(out, "+443/tcp (not shown)") {
		t.Errorf("unknown side not shown:\n%s", out)
	}
}

func TestDiffEscapesHostileStrings(t *testing.T) {
	a := hostileResult()
	b := hostileResult()
	for i := range b.Hosts {
		b.Hosts[i].Status = scan.HostDown
	}
	b.Hosts[0].Hostnames = append(b.Hosts[0].Hostnames, "\x1b[31mred")
	out := diffText(t, Diff(a, b))
	if strings.Contains(out, "\x1b") || strings.Contains(out, "line\nbreak") {
		t.Errorf("control characters reached the output:\n%q", out)
	}
}

// A file from real nmap compares the same as itself written as our JSON
// and read back.
func TestDiffNmapSampleAgainstItsJSON(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("testdata", "nmap-sample.xml"))
	if err != nil {
		t.Fatal(err)
	}
	fromXML, err := ReadNmapXML(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	fromJSON, err := ReadJSON(strings.NewReader(render(t, fromXML, Options{Format: "json"})))
	if err != nil {
		t.Fatal(err)
	}
	if d := Diff(fromXML, fromJSON); !d.Same {
		t.Errorf("nmap sample differs from its JSON:\n%s", diffText(t, d))
	}
}
