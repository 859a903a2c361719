package cli

import (
	"context"
	"encoding/json"
	"errors"
	"io/fs"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/portwatch/portwatch/internal/fingerprint"
	"github.com/portwatch/portwatch/internal/model"
	"github.com/portwatch/portwatch/internal/scan"
	"github.com/portwatch/portwatch/internal/store"
	"github.com/portwatch/portwatch/internal/store/sqlite"
)

// Endpoints of the test store.
var (
	epSSH    = model.Endpoint{Addr: netip.MustParseAddr("127.0.0.1"), Protocol: scan.TCP, Port: 22}
	epHTTP   = model.Endpoint{Addr: netip.MustParseAddr("127.0.0.1"), Protocol: scan.TCP, Port: 80}
	epDNS    = model.Endpoint{Addr: netip.MustParseAddr("127.0.0.1"), Protocol: scan.UDP, Port: 53}
	epSSH6   = model.Endpoint{Addr: netip.MustParseAddr("::1"), Protocol: scan.TCP, Port: 22}
	epRemote = model.Endpoint{Addr: netip.MustParseAddr("198.18.0.11"), Protocol: scan.TCP, Port: 443}
)

// testStore is a SQLite file filled through the store's own API.
type testStore struct {
	path  string
	now   time.Time
	scans [2]int64 // ids of two stored scans that differ
}

// newTestStore writes six changes, three findings (one resolved) and two
// scans, all relative to now so that --since durations are testable.
func newTestStore(t *testing.T) testStore {
	t.Helper()
	ctx := context.Background()
	ts := testStore{path: filepath.Join(t.TempDir(), "portwatch.db"), now: time.Now().UTC().Truncate(time.Second)}
	db, err := sqlite.Open(ctx, ts.path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ago := func(d time.Duration) time.Time { return ts.now.Add(-d) }
	change := func(ep model.Endpoint, loc model.Location, at time.Duration, kind model.ChangeKind, from, to string) model.Change {
		return model.Change{Endpoint: ep, Location: loc, Time: ago(at), Kind: kind, From: from, To: to}
	}
	b := store.Batch{Changes: []model.Change{
		change(epSSH, model.LocalLocation, 48*time.Hour, model.ChangeOpened, "", "open"),
		change(epHTTP, model.LocalLocation, 30*time.Hour, model.ChangeOpened, "", "open"),
		change(epDNS, model.LocalLocation, 3*time.Hour, model.ChangeOpened, "", "open"),
		change(epSSH, model.LocalLocation, 2*time.Hour, model.ChangeVersionChanged, "OpenSSH 9.2p1", "OpenSSH 9.6p1"),
		change(epSSH6, model.LocalLocation, time.Hour, model.ChangeOpened, "", "open"),
		change(epRemote, "agent-eu", 90*time.Minute, model.ChangeClosed, "open", "closed"),
	}}
	if err := db.WriteBatch(ctx, b); err != nil {
		t.Fatal(err)
	}
	findings := []model.Finding{
		{Kind: model.FindingForbiddenPort, Severity: model.SeverityCritical, Endpoint: epRemote, Location: "agent-eu",
			Rule: "policy internet", Message: "443/tcp is forbidden", Opened: ago(40 * time.Hour)},
		{Kind: model.FindingUnexpectedPort, Severity: model.SeverityWarning, Endpoint: epHTTP, Location: model.LocalLocation,
			Rule: "policy local", Message: "80/tcp is not allowed\x1b[31m", Opened: ago(30 * time.Hour)},
		{Kind: model.FindingExpectedOpenDown, Severity: model.SeverityMajor, Endpoint: epSSH, Location: model.LocalLocation,
			Rule: "monitor ssh", Message: "ssh failed 3 checks", Opened: ago(3 * time.Hour)},
	}
	for _, f := range findings {
		if _, _, err := db.OpenFinding(ctx, f); err != nil {
			t.Fatal(err)
		}
	}
	if ok, err := db.ResolveFinding(ctx, findings[0].Key(), ago(90*time.Minute)); err != nil || !ok {
		t.Fatalf("resolve: %v %v", ok, err)
	}
	for i, res := range []*scan.Result{scanBefore(), scanAfter()} {
		id, err := db.AddScan(ctx, model.ScanRecord{Job: "lan", Started: res.Started, Finished: res.Finished, Result: res})
		if err != nil {
			t.Fatal(err)
		}
		ts.scans[i] = id
	}
	return ts
}

// scanBefore is a small discovery result: 22 and 80 open on one host.
func scanBefore() *scan.Result {
	a := netip.MustParseAddr("198.18.0.11")
	start := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	return &scan.Result{
		Started: start, Finished: start.Add(2 * time.Second), Scanner: "portwatch 0.1.0",
		Args: []string{"portwatch", "scan", "-p", "1-1000", "198.18.0.11"},
		Hosts: []scan.HostResult{{
			Address: a, Hostnames: []string{}, Status: scan.HostUp, Reason: scan.ReasonSynAck,
			Ports: []scan.PortResult{
				{Addr: a, Protocol: scan.TCP, Port: 22, State: scan.Open, Reason: scan.ReasonSynAck,
					Service: &fingerprint.Service{Name: "ssh", Product: "OpenSSH", Version: "9.2p1", Confidence: 10, Method: fingerprint.MethodProbe}},
				{Addr: a, Protocol: scan.TCP, Port: 80, State: scan.Open, Reason: scan.ReasonSynAck},
			},
			OtherStates: map[scan.PortState]int{scan.Closed: 998},
		}},
		Stats: scan.Stats{Endpoints: 1000, Open: 2, HostsUp: 1, DurationMS: 2000},
	}
}

// scanAfter is scanBefore a day later: 80 closed, 5432 opened, OpenSSH upgraded.
func scanAfter() *scan.Result {
	r := scanBefore()
	r.Started, r.Finished = r.Started.Add(24*time.Hour), r.Finished.Add(24*time.Hour)
	h := &r.Hosts[0]
	h.Ports[0].Service.Version = "9.6p1"
	h.Ports[1] = scan.PortResult{Addr: h.Address, Protocol: scan.TCP, Port: 5432, State: scan.Open, Reason: scan.ReasonSynAck}
	return r
}

func decodeJSON[T any](t *testing.T, out string) T {
	t.Helper()
	var v T
	if err := json.Unmarshal([]byte(out), &v); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	return v
}

func TestStoreCommandsMissingDB(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "nope.db")
	for _, args := range [][]string{
		{"history", "--db", missing},
		{"findings", "--db", missing, "-o", "json"},
		{"diff", "--db", missing, "1", "2"},
	} {
		out, stderr, code := run(t, args...)
		if code != ExitUsage {
			t.Errorf("%v: exit %d, want %d", args, code, ExitUsage)
		}
		if !strings.Contains(stderr, "no portwatch database at "+missing) || !strings.Contains(stderr, "--db") {
			t.Errorf("%v: stderr %q", args, stderr)
		}
		if out != "" {
			t.Errorf("%v: output %q", args, out)
		}
		if _, err := os.Stat(missing); !errors.Is(err, fs.ErrNotExist) {
			t.Fatalf("%v created the database file: %v", args, err)
		}
	}
}

func TestStoreCommandsDefaultDBInWorkingDir(t *testing.T) {
	t.Chdir(t.TempDir())
	_, stderr, code := run(t, "findings")
	if code != ExitUsage || !strings.Contains(stderr, "no portwatch database at portwatch.db") {
		t.Errorf("exit %d, stderr %q", code, stderr)
	}
	if _, err := os.Stat("portwatch.db"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("findings created portwatch.db: %v", err)
	}
}

func TestStoreCommandsDBFromConfig(t *testing.T) {
	ts := newTestStore(t)
	cfg := filepath.Join(t.TempDir(), "portwatch.yaml")
	if err := os.WriteFile(cfg, []byte("server:\n  db: "+ts.path+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	out, stderr, code := run(t, "findings", "--config", cfg, "-o", "json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if got := decodeJSON[[]model.Finding](t, out); len(got) != 3 {
		t.Errorf("%d findings via --config, want 3", len(got))
	}
	_, stderr, code = run(t, "findings", "--config", filepath.Join(t.TempDir(), "none.yaml"))
	if code != ExitUsage || !strings.Contains(stderr, "none.yaml") {
		t.Errorf("missing config: exit %d, stderr %q", code, stderr)
	}
}

func TestStoreCommandsBadOutput(t *testing.T) {
	for _, cmd := range []string{"history", "findings"} {
		_, stderr, code := run(t, cmd, "-o", "yaml")
		if code != ExitUsage || !strings.Contains(stderr, "yaml") {
			t.Errorf("%s -o yaml: exit %d, stderr %q", cmd, code, stderr)
		}
	}
}

func TestSafeCell(t *testing.T) {
	for in, want := range map[string]string{
		"plain":          "plain",
		"a\tb\nc":        `a\tb\nc`,
		"\x1b[31mred":    `\x1b[31mred`,
		"bad\xffutf8":    `bad\ufffdutf8`,
		"rtl\u202eevil":  `rtl\u202eevil`,
		"café → naïve ✓": "café → naïve ✓",
	} {
		if got := safeCell(in); got != want {
			t.Errorf("safeCell(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestStoreCommandsNotADatabase(t *testing.T) {
	bad := filepath.Join(t.TempDir(), "bad.db")
	if err := os.WriteFile(bad, []byte("not sqlite, just text that is long enough to have a header\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, stderr, code := run(t, "history", "--db", bad)
	if code != ExitUsage || !strings.Contains(stderr, "bad.db") {
		t.Errorf("exit %d, stderr %q", code, stderr)
	}
}
