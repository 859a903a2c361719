package cli

import (
	"strings"
	"testing"
	"time"

	"github.com/portwatch/portwatch/internal/model"
)

func TestFindingsFilters(t *testing.T) {
	ts := newTestStore(t)
	for _, c := range []struct {
		args []string
		want string // kinds, newest opened first
	}{
		{nil, "expected-open-down,unexpected-port,forbidden-port"},
		{[]string{"--open"}, "expected-open-down,unexpected-port"},
		{[]string{"--severity", "critical"}, "forbidden-port"},
		{[]string{"--open", "--severity", "critical"}, ""},
		{[]string{"--host", "198.18.0.11"}, "forbidden-port"},
		{[]string{"--host", "[::1]"}, ""},
		{[]string{"--host", "127.0.0.1", "--severity", "warning"}, "unexpected-port"},
	} {
		out, stderr, code := run(t, append([]string{"findings", "--db", ts.path, "-o", "json"}, c.args...)...)
		if code != 0 {
			t.Fatalf("%v: exit %d: %s", c.args, code, stderr)
		}
		var kinds []string
		for _, f := range decodeJSON[[]model.Finding](t, out) {
			kinds = append(kinds, string(f.Kind))
		}
		if got := strings.Join(kinds, ","); got != c.want {
			t.Errorf("findings %v: %q, want %q", c.args, got, c.want)
		}
	}
}

func TestFindingsExitCode(t *testing.T) {
	ts := newTestStore(t)
	for _, c := range []struct {
		args []string
		code int
	}{
		{[]string{"--exit-code"}, ExitPartial},
		{[]string{"--exit-code", "--open", "-o", "json"}, ExitPartial},
		{[]string{"--exit-code", "--severity", "critical"}, ExitOK}, // listed, but resolved
		{[]string{"--exit-code", "--host", "198.18.0.99"}, ExitOK},
		{nil, ExitOK},
	} {
		out, stderr, code := run(t, append([]string{"findings", "--db", ts.path}, c.args...)...)
		if code != c.code || stderr != "" {
			t.Errorf("%v: exit %d (want %d), stderr %q", c.args, code, c.code, stderr)
		}
		if out == "" {
			t.Errorf("%v: no output", c.args)
		}
	}
}

func TestFindingsTable(t *testing.T) {
	ts := newTestStore(t)
	out, stderr, code := run(t, "findings", "--db", ts.path)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 4 {
		t.Fatalf("%d lines, want header + 3:\n%s", len(lines), out)
	}
	for _, f := range []string{"ID", "SEVERITY", "KIND", "ENDPOINT", "OPENED", "RESOLVED", "MESSAGE"} {
		if !strings.Contains(lines[0], f) {
			t.Errorf("header %q lacks %q", lines[0], f)
		}
	}
	if !strings.Contains(lines[1], "major") || !strings.Contains(lines[1], "127.0.0.1:22/tcp") || !strings.Contains(lines[1], " open ") {
		t.Errorf("newest finding row: %q", lines[1])
	}
	resolved := ts.now.Add(-90 * time.Minute).Format(time.RFC3339)
	if !strings.Contains(lines[3], "critical") || !strings.Contains(lines[3], resolved) {
		t.Errorf("resolved finding row lacks %s: %q", resolved, lines[3])
	}
	if strings.Contains(out, "\x1b") || !strings.Contains(out, `not allowed\x1b[31m`) {
		t.Errorf("control characters not escaped:\n%q", out)
	}
	out, _, _ = run(t, "findings", "--db", ts.path, "--host", "198.18.0.99")
	if strings.TrimSpace(out) != "no findings" {
		t.Errorf("empty table: %q", out)
	}
}

func TestFindingsUsageErrors(t *testing.T) {
	ts := newTestStore(t)
	for _, c := range []struct {
		args []string
		msg  string
	}{
		{[]string{"--severity", "urgent"}, "urgent"},
		{[]string{"--host", "bad host"}, "bad host"},
		{[]string{"extra"}, "unknown command"},
	} {
		_, stderr, code := run(t, append([]string{"findings", "--db", ts.path}, c.args...)...)
		if code != ExitUsage || !strings.Contains(stderr, c.msg) {
			t.Errorf("%v: exit %d, stderr %q (want %q)", c.args, code, stderr, c.msg)
		}
	}
}
