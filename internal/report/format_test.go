package report

import (
	"bytes"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/portwatch/portwatch/internal/scan"
)

func TestFormats(t *testing.T) {
	want := []string{"table", "json", "jsonl", "csv", "xml"}
	if got := Formats(); !slices.Equal(got, want) {
		t.Fatalf("Formats() = %v, want %v", got, want)
	}
	// Every advertised format must be accepted by Write.
	for _, f := range Formats() {
		if err := Write(&bytes.Buffer{}, sampleResult(), Options{Format: f}); err != nil {
			t.Errorf("Write(%q): %v", f, err)
		}
	}
}

func TestWriteUnknownFormat(t *testing.T) {
	err := Write(&bytes.Buffer{}, sampleResult(), Options{Format: "yaml"})
	if !errors.Is(err, ErrUnknownFormat) {
		t.Fatalf("err = %v, want ErrUnknownFormat", err)
	}
	if !strings.Contains(err.Error(), `"yaml"`) || !strings.Contains(err.Error(), "jsonl") {
		t.Errorf("error %q should name the bad format and the valid ones", err)
	}
	if err := Write(&bytes.Buffer{}, nil, Options{Format: "json"}); err == nil {
		t.Error("nil result: want error")
	}
}

func TestWriteDoesNotModifyResult(t *testing.T) {
	res := sampleResult()
	for _, f := range Formats() {
		render(t, res, Options{Format: f})
	}
	assertSameResult(t, res, sampleResult())
	if res.Hosts[0].Ports[0].Port != 53 {
		t.Error("Write sorted the caller's ports in place")
	}
}

// failWriter fails every write, as a closed pipe would.
type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, errors.New("broken pipe") }

func TestWriteReportsWriterErrors(t *testing.T) {
	for _, f := range Formats() {
		err := Write(failWriter{}, sampleResult(), Options{Format: f})
		if err == nil || !strings.Contains(err.Error(), "broken pipe") {
			t.Errorf("%s: err = %v, want the writer's error", f, err)
		}
	}
}

func TestTable(t *testing.T) {
	assertText(t, render(t, sampleResult(), Options{Format: "table"}), golden(t, "sample.table"))
}

func TestTableAllStates(t *testing.T) {
	assertText(t, render(t, sampleResult(), Options{Format: "table", AllStates: true}), golden(t, "sample-all-states.table"))
}

func TestTableWildcard(t *testing.T) {
	assertText(t, render(t, wildcardResult(), Options{Format: "table"}), golden(t, "wildcard.table"))
}

func TestTableColor(t *testing.T) {
	res := sampleResult()
	h := &res.Hosts[0]
	h.Ports = append(h.Ports, scan.PortResult{Protocol: scan.TCP, Port: 8080, State: scan.Closed, Reason: scan.ReasonConnRefused})
	plain := render(t, res, Options{Format: "table", AllStates: true})
	if strings.Contains(plain, "\x1b") {
		t.Errorf("table without Color contains escape codes:\n%s", plain)
	}
	got := render(t, res, Options{Format: "table", AllStates: true, Color: true})
	for _, want := range []string{"\x1b[32mopen\x1b[0m", "\x1b[31mclosed\x1b[0m", "\x1b[33mfiltered\x1b[0m", "\x1b[33mopen|filtered\x1b[0m"} {
		if !strings.Contains(got, want) {
			t.Errorf("coloured table lacks %q", want)
		}
	}
	// Colour codes must not shift the columns: stripping them gives the
	// plain table back.
	stripped := got
	for _, c := range []string{"\x1b[32m", "\x1b[31m", "\x1b[33m", "\x1b[0m"} {
		stripped = strings.ReplaceAll(stripped, c, "")
	}
	assertText(t, stripped, plain)
}

func TestTableEscapesControlCharacters(t *testing.T) {
	res := sampleResult()
	res.Hosts[0].Hostnames = []string{"evil\x1b[2J.example\n"}
	res.Errors[0].Error = "bad\rthing"
	got := render(t, res, Options{Format: "table"})
	if strings.ContainsAny(got, "\x1b\r") {
		t.Fatalf("control characters reached the terminal:\n%q", got)
	}
	for _, want := range []string{`portwatch scan report for evil\x1b[2J.example\x0a (198.18.0.11)`, `bad\x0dthing`} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %q:\n%s", want, got)
		}
	}
}

func TestTableEmpty(t *testing.T) {
	got := render(t, &scan.Result{}, Options{Format: "table"})
	assertText(t, got, "Scanned 0 hosts (0 up) and 0 endpoints in 0.00 s\n")
}

func TestTableInterruptedAndUnknownHost(t *testing.T) {
	res := &scan.Result{
		Hosts: []scan.HostResult{{
			Address:     sampleResult().Hosts[2].Address,
			Status:      scan.HostUnknown,
			Reason:      scan.ReasonNoResponse,
			OtherStates: map[scan.PortState]int{scan.Filtered: 1000},
		}},
		Stats: scan.Stats{Endpoints: 1000, DurationMS: 12345, Interrupted: true},
	}
	want := "portwatch scan report for 2001:2::5\n" +
		"Host status is unknown (no-response).\n" +
		"Not shown: 1000 filtered\n" +
		"\n" +
		"Warning: scan interrupted; results cover only what was measured.\n" +
		"Scanned 1 host (0 up) and 1000 endpoints in 12.35 s\n"
	assertText(t, render(t, res, Options{Format: "table"}), want)
}

func TestJSON(t *testing.T) {
	assertText(t, render(t, sampleResult(), Options{Format: "json"}), golden(t, "sample.json"))
}

func TestJSONNeverNull(t *testing.T) {
	res := &scan.Result{Hosts: []scan.HostResult{{Status: scan.HostDown}}}
	got := render(t, res, Options{Format: "json"})
	for _, key := range []string{`"hosts": [`, `"ports": []`, `"other_states": {}`, `"hostnames": []`, `"args": []`} {
		if !strings.Contains(got, key) {
			t.Errorf("json lacks %s:\n%s", key, got)
		}
	}
	if strings.Contains(got, "null") {
		t.Errorf("json contains null:\n%s", got)
	}
	empty := render(t, &scan.Result{}, Options{Format: "json"})
	if !strings.Contains(empty, `"hosts": []`) {
		t.Errorf("empty result: hosts not []:\n%s", empty)
	}
}

func TestJSONL(t *testing.T) {
	assertText(t, render(t, sampleResult(), Options{Format: "jsonl"}), golden(t, "sample.jsonl"))
	empty := render(t, &scan.Result{}, Options{Format: "jsonl"})
	want := `{"stats":{"endpoints":0,"open":0,"hosts_up":0,"hosts_down":0,"duration_ms":0},"started":"0001-01-01T00:00:00Z","finished":"0001-01-01T00:00:00Z","errors":[],"scanner":"","args":[]}` + "\n"
	assertText(t, empty, want)
}

func TestCSV(t *testing.T) {
	assertText(t, render(t, sampleResult(), Options{Format: "csv"}), golden(t, "sample.csv"))
}

func TestCSVQuoting(t *testing.T) {
	res := wildcardResult()
	res.Hosts[0].Hostnames = []string{`odd,"name"` + "\nline"}
	res.Hosts[0].Ports = res.Hosts[0].Ports[:1]
	want := "address,hostname,protocol,port,state,reason,rtt_ms,service,product,version,extra,cpe,confidence,method\r\n" +
		"198.18.0.20,\"odd,\"\"name\"\"\r\nline\",tcp,1001,open,syn-ack,1,,,,,,,\r\n" // encoding/csv writes CRLF inside quotes too
	assertText(t, render(t, res, Options{Format: "csv"}), want)
}

func TestXML(t *testing.T) {
	assertText(t, render(t, sampleResult(), Options{Format: "xml"}), golden(t, "sample.xml"))
}
