package cli

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/portwatch/portwatch/internal/report"
	"github.com/portwatch/portwatch/internal/scan"
)

// writeScan writes res in format ("json", "jsonl" or "xml") to a file
// named name in dir; the extension is the caller's choice, since diff
// reads the format from the content.
func writeScan(t *testing.T, dir, name, format string, res *scan.Result) string {
	t.Helper()
	var buf bytes.Buffer
	if err := report.Write(&buf, res, report.Options{Format: format}); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestDiffFiles(t *testing.T) {
	dir := t.TempDir()
	beforeJSON := writeScan(t, dir, "before.json", "json", scanBefore())
	afterJSON := writeScan(t, dir, "after.json", "json", scanAfter())
	beforeXML := writeScan(t, dir, "before.xml", "xml", scanBefore())
	afterXML := writeScan(t, dir, "after.data", "xml", scanAfter())
	beforeJSONL := writeScan(t, dir, "before.xml.txt", "jsonl", scanBefore())
	for _, c := range []struct {
		name string
		a, b string
		code int
	}{
		{"two JSON files", beforeJSON, afterJSON, 1},
		{"two XML files", beforeXML, afterXML, 1},
		{"JSON vs XML", beforeJSON, afterXML, 1},
		{"same scan, JSON vs XML", beforeJSON, beforeXML, 0},
		{"same scan, XML vs JSONL", beforeXML, beforeJSONL, 0},
		{"same file", afterJSON, afterJSON, 0},
	} {
		out, stderr, code := run(t, "diff", c.a, c.b)
		if code != c.code || stderr != "" {
			t.Errorf("%s: exit %d (want %d), stderr %q", c.name, code, c.code, stderr)
		}
		if c.code == 0 {
			if out != "" {
				t.Errorf("%s: output for same scans:\n%s", c.name, out)
			}
			continue
		}
		for _, want := range []string{"-" + c.a + ": portwatch 0.1.0 scan initiated 2025-03-01T12:00:00Z as: portwatch scan -p 1-1000 198.18.0.11",
			"+" + c.b + ": portwatch 0.1.0 scan initiated 2025-03-02T12:00:00Z", "\n 198.18.0.11:\n",
			"-22/tcp   open   ssh     OpenSSH 9.2p1\n+22/tcp   open   ssh     OpenSSH 9.6p1\n",
			"-80/tcp   open\n+80/tcp   closed\n", "-5432/tcp closed\n+5432/tcp open\n"} {
			if !strings.Contains(out, want) {
				t.Errorf("%s: output lacks %q:\n%s", c.name, want, out)
			}
		}
	}
}

func TestDiffJSONOutput(t *testing.T) {
	dir := t.TempDir()
	a := writeScan(t, dir, "a", "json", scanBefore())
	b := writeScan(t, dir, "b", "xml", scanAfter())
	out, stderr, code := run(t, "diff", "-o", "json", a, b)
	if code != 1 || stderr != "" {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	d := decodeJSON[report.DiffResult](t, out)
	if d.Same || d.A.Source != a || d.B.Source != b || len(d.HostsChanged) != 1 || len(d.HostsAdded)+len(d.HostsRemoved) != 0 {
		t.Fatalf("diff JSON: %+v", d)
	}
	ports := d.HostsChanged[0].Ports
	if len(ports) != 3 || ports[1].Port != 80 || ports[1].From.State != scan.Open || ports[1].To.State != scan.Closed {
		t.Errorf("port changes: %+v", ports)
	}
	out, _, code = run(t, "diff", "-o", "json", a, a)
	if code != 0 || !decodeJSON[report.DiffResult](t, out).Same {
		t.Errorf("same: exit %d\n%s", code, out)
	}
}

func TestDiffStoredScans(t *testing.T) {
	ts := newTestStore(t)
	idA, idB := strconv.FormatInt(ts.scans[0], 10), strconv.FormatInt(ts.scans[1], 10)
	out, stderr, code := run(t, "diff", "--db", ts.path, idA, idB)
	if code != 1 || stderr != "" {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	for _, want := range []string{"-scan " + idA + " (job lan): portwatch 0.1.0", "+scan " + idB + " (job lan)", "+5432/tcp open"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	// A stored scan against the same scan from a file.
	file := writeScan(t, t.TempDir(), "after.xml", "xml", scanAfter())
	out, stderr, code = run(t, "diff", "--db", ts.path, idB, file)
	if code != 0 || out != "" || stderr != "" {
		t.Errorf("stored vs file of the same scan: exit %d, output %q, stderr %q", code, out, stderr)
	}
	_, stderr, code = run(t, "diff", "--db", ts.path, idA, "999")
	if code != ExitUsage || !strings.Contains(stderr, "no stored scan with id 999") {
		t.Errorf("unknown id: exit %d, stderr %q", code, stderr)
	}
}

func TestDiffErrors(t *testing.T) {
	dir := t.TempDir()
	good := writeScan(t, dir, "good.json", "json", scanBefore())
	garbage := filepath.Join(dir, "garbage.txt")
	if err := os.WriteFile(garbage, []byte("not a scan\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	brokenXML := filepath.Join(dir, "broken.xml")
	if err := os.WriteFile(brokenXML, []byte("<nmaprun><host>"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		args []string
		msg  string
	}{
		{[]string{good, filepath.Join(dir, "missing.json")}, "missing.json"},
		{[]string{filepath.Join(dir, "missing.xml"), good}, "missing.xml"},
		{[]string{good, garbage}, "neither"},
		{[]string{good, brokenXML}, "broken.xml"},
		{[]string{good, dir}, "is a directory"},
		{[]string{good}, "accepts 2 arg(s)"},
		{[]string{good, good, good}, "accepts 2 arg(s)"},
		{[]string{"-o", "yaml", good, good}, "yaml"},
	} {
		out, stderr, code := run(t, append([]string{"diff"}, c.args...)...)
		if code != ExitUsage || !strings.Contains(stderr, c.msg) || out != "" {
			t.Errorf("%v: exit %d, stdout %q, stderr %q (want %q)", c.args, code, out, stderr, c.msg)
		}
	}
}
