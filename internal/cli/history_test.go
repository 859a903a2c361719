package cli

import (
	"strings"
	"testing"
	"time"

	"github.com/portwatch/portwatch/internal/model"
	"github.com/portwatch/portwatch/internal/scan"
)

func historyJSON(t *testing.T, ts testStore, args ...string) []model.Change {
	t.Helper()
	out, stderr, code := run(t, append([]string{"history", "--db", ts.path, "-o", "json"}, args...)...)
	if code != 0 {
		t.Fatalf("history %v: exit %d: %s", args, code, stderr)
	}
	return decodeJSON[[]model.Change](t, out)
}

func endpointsOf(cs []model.Change) []string {
	var out []string
	for _, c := range cs {
		out = append(out, c.Endpoint.String()+" "+string(c.Kind))
	}
	return out
}

func TestHistoryFilters(t *testing.T) {
	ts := newTestStore(t)
	for _, c := range []struct {
		args []string
		want []string
	}{
		{nil, []string{"127.0.0.1:22/tcp opened", "127.0.0.1:80/tcp opened", "127.0.0.1:53/udp opened",
			"127.0.0.1:22/tcp version-changed", "198.18.0.11:443/tcp closed", "[::1]:22/tcp opened"}},
		{[]string{"127.0.0.1"}, []string{"127.0.0.1:22/tcp opened", "127.0.0.1:80/tcp opened", "127.0.0.1:53/udp opened",
			"127.0.0.1:22/tcp version-changed"}},
		{[]string{"127.0.0.1:22"}, []string{"127.0.0.1:22/tcp opened", "127.0.0.1:22/tcp version-changed"}},
		{[]string{"127.0.0.1:53/udp"}, []string{"127.0.0.1:53/udp opened"}},
		{[]string{"127.0.0.1:53"}, nil}, // tcp by default
		{[]string{"[::1]:22"}, []string{"[::1]:22/tcp opened"}},
		{[]string{"::1"}, []string{"[::1]:22/tcp opened"}},
		{[]string{"--since", "24h"}, []string{"127.0.0.1:53/udp opened", "127.0.0.1:22/tcp version-changed",
			"198.18.0.11:443/tcp closed", "[::1]:22/tcp opened"}},
		{[]string{"--since", "1d", "127.0.0.1:22"}, []string{"127.0.0.1:22/tcp version-changed"}},
		{[]string{"--since", ts.now.Add(-35 * time.Hour).Format(time.RFC3339), "127.0.0.1"},
			[]string{"127.0.0.1:80/tcp opened", "127.0.0.1:53/udp opened", "127.0.0.1:22/tcp version-changed"}},
		{[]string{"--limit", "2"}, []string{"198.18.0.11:443/tcp closed", "[::1]:22/tcp opened"}},
	} {
		got := endpointsOf(historyJSON(t, ts, c.args...))
		if strings.Join(got, ",") != strings.Join(c.want, ",") {
			t.Errorf("history %v:\n got %q\nwant %q", c.args, got, c.want)
		}
	}
}

func TestHistoryHostname(t *testing.T) {
	ts := newTestStore(t)
	addrs, err := resolveHost(t.Context(), "localhost")
	if err != nil || len(addrs) == 0 {
		t.Skipf("localhost does not resolve here: %v", err)
	}
	got := historyJSON(t, ts, "localhost:22")
	want := 0
	for _, a := range addrs {
		switch a.String() {
		case "127.0.0.1":
			want += 2
		case "::1":
			want++
		}
	}
	if len(got) != want {
		t.Errorf("localhost:22 (%v): %d changes, want %d: %q", addrs, len(got), want, endpointsOf(got))
	}
}

func TestHistoryTable(t *testing.T) {
	ts := newTestStore(t)
	out, stderr, code := run(t, "history", "--db", ts.path)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 7 {
		t.Fatalf("%d lines, want header + 6:\n%s", len(lines), out)
	}
	for _, f := range []string{"TIME", "ENDPOINT", "LOCATION", "CHANGE", "FROM → TO"} {
		if !strings.Contains(lines[0], f) {
			t.Errorf("header %q lacks %q", lines[0], f)
		}
	}
	first := ts.now.Add(-48 * time.Hour).Format(time.RFC3339)
	for _, want := range []string{first + "  127.0.0.1:22/tcp", "(none) → open", "OpenSSH 9.2p1 → OpenSSH 9.6p1", "agent-eu", "open → closed", "[::1]:22/tcp"} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %q:\n%s", want, out)
		}
	}
	out, _, code = run(t, "history", "--db", ts.path, "198.18.0.99")
	if code != 0 || strings.TrimSpace(out) != "no changes recorded" {
		t.Errorf("no changes: exit %d, output %q", code, out)
	}
}

func TestHistoryUsageErrors(t *testing.T) {
	ts := newTestStore(t)
	for _, c := range []struct {
		args []string
		msg  string
	}{
		{[]string{"127.0.0.1:0"}, "1-65535"},
		{[]string{"127.0.0.1:22/sctp"}, "sctp"},
		{[]string{"--since", "yesterday"}, "yesterday"},
		{[]string{"--since", "-5m"}, "negative"},
		{[]string{"--limit", "-1"}, "negative"},
		{[]string{"a", "b"}, "accepts at most 1"},
	} {
		_, stderr, code := run(t, append([]string{"history", "--db", ts.path}, c.args...)...)
		if code != ExitUsage || !strings.Contains(stderr, c.msg) {
			t.Errorf("%v: exit %d, stderr %q (want %q)", c.args, code, stderr, c.msg)
		}
	}
}

func TestParseEndpointArg(t *testing.T) {
	for in, want := range map[string]endpointArg{
		"":                   {},
		"127.0.0.1":          {Host: "127.0.0.1"},
		"127.0.0.1:22":       {Host: "127.0.0.1", Port: 22, Proto: scan.TCP},
		"127.0.0.1:53/udp":   {Host: "127.0.0.1", Port: 53, Proto: scan.UDP},
		"db.example:5432":    {Host: "db.example", Port: 5432, Proto: scan.TCP},
		"::1":                {Host: "::1"},
		"[::1]":              {Host: "::1"},
		"[::1]:22":           {Host: "::1", Port: 22, Proto: scan.TCP},
		"[2001:2::5]:53/udp": {Host: "2001:2::5", Port: 53, Proto: scan.UDP},
		"host:65535/tcp":     {Host: "host", Port: 65535, Proto: scan.TCP},
	} {
		got, err := parseEndpointArg(in)
		if err != nil || got != want {
			t.Errorf("parseEndpointArg(%q) = %+v, %v; want %+v", in, got, err, want)
		}
	}
	for _, in := range []string{":22", "host:", "host:0", "host:65536", "host:22/", "host:22/icmp", "host:+22",
		"[::1", "[::1]22", "[::1]:", "[127.0.0.1]:22", "2001:2::zz", "ho st", "host/udp", "a:b:c/tcp", "host:22:33"} {
		if got, err := parseEndpointArg(in); err == nil {
			t.Errorf("parseEndpointArg(%q) = %+v, want an error", in, got)
		}
	}
}

func TestParseSince(t *testing.T) {
	now := time.Date(2025, 3, 10, 12, 0, 0, 0, time.UTC)
	for in, want := range map[string]time.Time{
		"":                     {},
		"90m":                  now.Add(-90 * time.Minute),
		"24h":                  now.Add(-24 * time.Hour),
		"7d":                   now.AddDate(0, 0, -7),
		"2025-03-01T12:00:00Z": time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC),
	} {
		got, err := parseSince(in, now)
		if err != nil || !got.Equal(want) {
			t.Errorf("parseSince(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
}

// FuzzParseEndpointArg checks the parser never panics and that what it
// accepts prints back to an argument that parses the same.
func FuzzParseEndpointArg(f *testing.F) {
	for _, s := range []string{"", "127.0.0.1", "127.0.0.1:22", "[::1]:22/udp", "::1", "[fe80::1%eth0]:22",
		"db.example:5432/tcp", "host:", "[::1", "a:b:c", "host:022", "[::ffff:1.2.3.4]:80"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		e, err := parseEndpointArg(s)
		if err != nil {
			return
		}
		if e.Port != 0 && e.Proto != scan.TCP && e.Proto != scan.UDP {
			t.Fatalf("%q: protocol %q", s, e.Proto)
		}
		back, err := parseEndpointArg(e.String())
		if err != nil || back != e {
			t.Fatalf("%q -> %+v -> %q -> %+v, %v", s, e, e.String(), back, err)
		}
	})
}
