package integration

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/portwatch/portwatch/internal/daemon"
	"github.com/portwatch/portwatch/internal/model"
	"github.com/portwatch/portwatch/test/lab"
)

// serveListen is the daemon's HTTP address inside the scanner namespace
// (whose loopback is its own).
const serveListen = "127.0.0.1:17171"

// monitorInterval is the interval of the test's monitors.
const monitorInterval = 2 * time.Second

// daemonProc is one `portwatch serve` in the scanner namespace.
type daemonProc struct {
	cmd  *exec.Cmd
	log  *syncBuffer
	done chan error
}

// syncBuffer is a bytes.Buffer safe for a writer and a reader at once.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

type serveFixture struct {
	e      *env
	dir    string
	db     string
	config string
	http   *http.Client
	h1, h2 lab.Host
	// token is an admin API token made with `portwatch token create`
	// before the daemon's first start.
	token string
}

func newServeFixture(t *testing.T) *serveFixture {
	e := labEnv(t)
	f := &serveFixture{e: e, dir: t.TempDir()}
	f.db = filepath.Join(f.dir, "pw.db")
	f.config = filepath.Join(f.dir, "portwatch.yaml")
	var ok1, ok2 bool
	f.h1, ok1 = e.truth.Host("h1")
	for _, h := range e.truth.Hosts {
		if h.DefaultTCP == "filtered" && !ok2 {
			f.h2, ok2 = h, true
		}
	}
	if !ok1 || !ok2 {
		t.Skip("lab lacks h1 or a default-drop host")
	}
	f.http = &http.Client{
		Timeout:   5 * time.Second,
		Transport: &http.Transport{DialContext: e.truth.ScannerDial, DisableKeepAlives: true},
	}
	return f
}

// writeConfig writes the test configuration, with extra appended to the
// monitors list.
func (f *serveFixture) writeConfig(t *testing.T, extraMonitors string) {
	t.Helper()
	cfg := fmt.Sprintf(`server:
  listen: %[1]s
  location: lab
scope: [%[2]s]
groups:
  - name: edge
    targets: [%[3]s]
    internet_facing: true     # the default forbidden list: 22, 23, 2375, ...
discovery:
  - name: edge-sweep
    groups: [edge]
    ports: "22,80,443,2375,9999"
    interval: 4s
monitors:
  - name: h1-docker
    endpoint: %[3]s:2375
    expect: closed
    interval: %[4]s
    timeout: 1s
  - name: h1-ssh
    endpoint: %[3]s:22
    interval: 1s
    timeout: 1s
  - name: h2-dropped
    endpoint: %[5]s:9
    expect: closed
    interval: %[4]s
    timeout: 500ms
%[6]s`, serveListen, f.e.truth.CIDR, f.h1.IPv4, monitorInterval, f.h2.IPv4, extraMonitors)
	if err := os.WriteFile(f.config, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
}

func (f *serveFixture) start(t *testing.T) *daemonProc {
	t.Helper()
	if f.token == "" {
		out, err := f.e.portwatch(context.Background(), "token", "create", "--db", f.db, "--name", "integration", "--role", "admin").Output()
		if err != nil {
			t.Fatalf("token create: %v", err)
		}
		f.token = strings.TrimSpace(string(out))
	}
	p := &daemonProc{log: &syncBuffer{}, done: make(chan error, 1)}
	p.cmd = f.e.portwatch(context.Background(), "serve", "--config", f.config, "--db", f.db, "--watch", "500ms")
	p.cmd.Stdout, p.cmd.Stderr = p.log, p.log
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { p.done <- p.cmd.Wait() }()
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("daemon log (last lines):\n%s", tail(p.log.String(), 60))
		}
		if p.cmd.ProcessState == nil {
			_ = p.cmd.Process.Kill()
			<-p.done
		}
	})
	waitFor(t, 20*time.Second, "daemon healthy", func() bool {
		select {
		case err := <-p.done:
			t.Fatalf("daemon exited: %v\n%s", err, p.log)
		default:
		}
		resp, err := f.http.Get("http://" + serveListen + "/healthz")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	})
	return p
}

func (f *serveFixture) stats(t *testing.T) daemon.Stats {
	t.Helper()
	req, _ := http.NewRequest("GET", "http://"+serveListen+"/debug/stats", nil)
	req.Header.Set("Authorization", "Bearer "+f.token)
	resp, err := f.http.Do(req)
	if err != nil {
		t.Fatalf("stats: %v", err)
	}
	defer resp.Body.Close()
	var st daemon.Stats
	if err := json.NewDecoder(resp.Body).Decode(&st); err != nil {
		t.Fatalf("stats: %v", err)
	}
	return st
}

// cli runs a store command of the binary (outside any namespace: it only
// reads the database file) and decodes its JSON output into v.
func (f *serveFixture) cli(t *testing.T, v any, args ...string) {
	t.Helper()
	args = append(args, "--db", f.db, "-o", "json")
	out, err := exec.Command(f.e.bin, args...).Output()
	if err != nil {
		var stderr []byte
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = ee.Stderr
		}
		t.Fatalf("portwatch %s: %v\n%s", strings.Join(args, " "), err, stderr)
	}
	if err := json.Unmarshal(out, v); err != nil {
		t.Fatalf("portwatch %s: %v\n%s", strings.Join(args, " "), err, out)
	}
}

// changes returns the history of one endpoint, or of all with "".
func (f *serveFixture) changes(t *testing.T, endpoint string) []model.Change {
	var cs []model.Change
	if endpoint == "" {
		f.cli(t, &cs, "history")
	} else {
		f.cli(t, &cs, "history", endpoint)
	}
	return cs
}

// states returns "state/reason" by endpoint ("198.18.0.11:22/tcp").
func (f *serveFixture) states(t *testing.T) map[string]string {
	var ss []model.EndpointState
	f.cli(t, &ss, "status")
	out := map[string]string{}
	for _, s := range ss {
		out[s.Endpoint.String()] = string(s.State) + "/" + string(s.Reason)
	}
	return out
}

func (f *serveFixture) findings(t *testing.T) []model.Finding {
	var fs []model.Finding
	f.cli(t, &fs, "findings")
	return fs
}

func waitFor(t *testing.T, limit time.Duration, what string, cond func() bool) time.Duration {
	t.Helper()
	start := time.Now()
	for time.Since(start) < limit {
		if cond() {
			return time.Since(start)
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("%s: not within %v", what, limit)
	return 0
}

func findOpen(fs []model.Finding, kind model.FindingKind, port uint16) *model.Finding {
	for i := range fs {
		if fs[i].Kind == kind && fs[i].Endpoint.Port == port && fs[i].Open() {
			return &fs[i]
		}
	}
	return nil
}

func hasChange(cs []model.Change, kind model.ChangeKind) bool {
	for _, c := range cs {
		if c.Kind == kind {
			return true
		}
	}
	return false
}

// TestServeWatchesTheLab is the daemon end to end: a port opened on a
// watched lab host is recorded (and, being forbidden, raises a critical
// finding) within one interval; closing it is recorded and resolves the
// finding; kill -9 and a restart lose no history or state and invent no
// change; a refused reload leaves the running configuration in force and
// a valid one is applied.
func TestServeWatchesTheLab(t *testing.T) {
	f := newServeFixture(t)
	f.writeConfig(t, "")
	d := f.start(t)
	h1docker := f.h1.IPv4 + ":2375"

	// Baseline: ssh on h1 is open and forbidden on an internet-facing group.
	waitFor(t, 15*time.Second, "forbidden-port finding for h1:22", func() bool {
		return findOpen(f.findings(t), model.FindingForbiddenPort, 22) != nil
	})
	waitFor(t, 15*time.Second, "first checks of every monitor", func() bool {
		st := f.states(t)
		return st[f.h2.IPv4+":9/tcp"] != "" && st[h1docker+"/tcp"] != ""
	})
	st := f.states(t)
	if got := st[f.h2.IPv4+":9/tcp"]; got != "filtered/no-response" {
		t.Errorf("dropped port is %s, want filtered/no-response", got)
	}
	if got := st[h1docker+"/tcp"]; got != "closed/conn-refused" {
		t.Errorf("unused port is %s, want closed/conn-refused", got)
	}

	// A forbidden service appears on h1.
	ln, err := f.e.truth.HostListen("h1", "tcp", ":2375")
	if err != nil {
		t.Fatal(err)
	}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			c.Close()
		}
	}()
	took := waitFor(t, 2*monitorInterval+3*time.Second, "h1:2375 recorded as opened", func() bool {
		return hasChange(f.changes(t, h1docker), model.ChangeOpened)
	})
	t.Logf("listener on h1:2375 recorded as opened %v after it started (monitor interval %v)", took.Round(time.Millisecond), monitorInterval)
	waitFor(t, 5*time.Second, "findings for h1:2375", func() bool {
		fs := f.findings(t)
		return findOpen(fs, model.FindingForbiddenPort, 2375) != nil && findOpen(fs, model.FindingExpectedClosedOpen, 2375) != nil
	})
	if fd := findOpen(f.findings(t), model.FindingForbiddenPort, 2375); fd.Severity != model.SeverityCritical {
		t.Errorf("forbidden-port finding has severity %s, want critical", fd.Severity)
	}

	// It goes away again.
	ln.Close()
	waitFor(t, 2*monitorInterval+3*time.Second, "h1:2375 recorded as closed", func() bool {
		return hasChange(f.changes(t, h1docker), model.ChangeClosed)
	})
	waitFor(t, 5*time.Second, "findings for h1:2375 resolved", func() bool {
		fs := f.findings(t)
		return findOpen(fs, model.FindingForbiddenPort, 2375) == nil && findOpen(fs, model.FindingExpectedClosedOpen, 2375) == nil
	})

	// kill -9, then restart: nothing lost, nothing invented.
	time.Sleep(time.Second) // let the writer commit the last batch before the snapshot
	before := f.changes(t, "")
	findingsBefore := f.findings(t)
	if err := d.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	<-d.done
	after := f.changes(t, "")
	if len(after) < len(before) {
		t.Fatalf("kill -9 lost history: %d changes before, %d after", len(before), len(after))
	}
	d = f.start(t)
	waitFor(t, 20*time.Second, "monitors running after restart", func() bool {
		st := f.stats(t)
		return st.Checks >= 8 && st.Scheduler.Runs >= 8
	})
	time.Sleep(monitorInterval + time.Second)
	after = f.changes(t, "")
	for i := range before {
		if after[i].ID != before[i].ID || after[i].Kind != before[i].Kind || !after[i].Time.Equal(before[i].Time) {
			t.Fatalf("change %d differs after restart: %+v, was %+v", i, after[i], before[i])
		}
	}
	if extra := after[len(before):]; len(extra) > 0 {
		t.Errorf("restart invented %d changes: %+v", len(extra), extra)
	}
	findingsAfter := f.findings(t)
	if len(findingsAfter) != len(findingsBefore) {
		t.Errorf("findings: %d before kill -9, %d after restart", len(findingsBefore), len(findingsAfter))
	}
	for _, fb := range findingsBefore {
		if fb.Open() && findOpen(findingsAfter, fb.Kind, fb.Endpoint.Port) == nil {
			t.Errorf("open finding %d (%s %s) not open after restart", fb.ID, fb.Kind, fb.Endpoint)
		}
	}

	// A refused reload keeps the running configuration.
	if err := os.WriteFile(f.config, []byte("monitors:\n  - name: outside\n    endpoint: 192.0.2.1:80\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := d.cmd.Process.Signal(syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 10*time.Second, "reload refused", func() bool { return strings.Contains(d.log.String(), "configuration refused") })
	if st := f.stats(t); st.Config["monitors"] != float64(3) || !st.Ready {
		t.Fatalf("after a refused reload: %+v", st)
	}
	// A valid change is picked up from the file alone.
	f.writeConfig(t, fmt.Sprintf("  - name: h1-http\n    endpoint: %s:80\n    interval: 1s\n", f.h1.IPv4))
	waitFor(t, 10*time.Second, "reload applied", func() bool { return f.stats(t).Config["monitors"] == float64(4) })
	waitFor(t, 10*time.Second, "new monitor checked", func() bool { return len(f.changes(t, f.h1.IPv4+":80")) > 0 })

	// SIGTERM: a clean exit with everything flushed.
	if err := d.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-d.done:
		if err != nil {
			t.Fatalf("SIGTERM: %v\n%s", err, d.log)
		}
	case <-time.After(15 * time.Second):
		t.Fatalf("daemon did not stop on SIGTERM\n%s", d.log)
	}
	if !strings.Contains(d.log.String(), "failed=0") {
		t.Errorf("shutdown log does not report failed=0:\n%s", tail(d.log.String(), 20))
	}
}

func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
