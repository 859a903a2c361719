package syslog

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/portwatch/portwatch/internal/alert/notify"
)

var update = flag.Bool("update", false, "rewrite golden files")

func testMessage() notify.Message {
	return notify.Message{
		ID:          "n-42",
		IncidentKey: `inc "7" [a]\b`,
		Event:       notify.EventTrigger,
		Severity:    notify.SeverityCritical,
		Title:       "CRITICAL: 198.18.0.11:6379/tcp open (redis 7.0.15) | forbidden in dmz — Größe",
		Text:        "Redis is exposed in group dmz.\nkey=value \\ done\n",
		Items: []notify.Item{
			{Kind: "forbidden-port", Severity: notify.SeverityCritical, Endpoint: "198.18.0.11:6379/tcp", Host: "198.18.0.11", Port: 6379, Protocol: "tcp"},
			{Kind: "forbidden-port", Severity: notify.SeverityCritical, Endpoint: "198.18.0.11:6380/tcp", Host: "198.18.0.11", Port: 6380, Protocol: "tcp"},
			{Kind: "forbidden-port", Severity: notify.SeverityCritical, Endpoint: "198.18.0.11:6379/tcp"},
		},
		Route:   "security",
		URL:     "http://127.0.0.1:7070/incidents/7",
		Runbook: "https://runbooks.example.org/db?a=b",
		Time:    time.Date(2026, 11, 21, 22, 0, 0, 123456789, time.FixedZone("", 3600)),
	}
}

func testSettings(t *testing.T, format string) *settings {
	t.Helper()
	s, err := validate(Config{Address: "127.0.0.1:514", Facility: "local4", Format: format, Hostname: "pw-host", ProductVersion: "1.2.3"})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if got != string(want) {
		t.Errorf("%s differs:\n got %q\nwant %q", name, got, want)
	}
}

func TestLineGolden(t *testing.T) {
	for _, format := range []string{FormatRFC5424, FormatCEF} {
		got, err := line(testSettings(t, format), testMessage(), 0)
		if err != nil {
			t.Fatal(err)
		}
		golden(t, format+".golden", got)
	}
}

func TestSeverityAndPRI(t *testing.T) {
	s := testSettings(t, FormatRFC5424) // local4 = 20
	for sev, pri := range map[notify.Severity]string{"critical": "<162>", "major": "<163>", "warning": "<164>", "info": "<166>", "other": "<165>"} {
		m := testMessage()
		m.Severity = sev
		if h := header(s, m); !strings.HasPrefix(h, pri+"1 ") {
			t.Errorf("severity %s: header %q, want PRI %s", sev, h, pri)
		}
	}
}

func TestEscapes(t *testing.T) {
	if got, want := structuredData(notify.Message{ID: `a"b\c]d`}, true), `[portwatch@32473 id="a\"b\\c\]d"]`; got != want {
		t.Errorf("sd %q, want %q", got, want)
	}
	if got, want := cefHeader("a|b\\c\nd=e"), `a\|b\\c d=e`; got != want {
		t.Errorf("cef header %q, want %q", got, want)
	}
	if got, want := cefExt("a=b\\c\r\nd\re|f"), `a\=b\\c\nd\re|f`; got != want {
		t.Errorf("cef ext %q, want %q", got, want)
	}
}

func TestUDPTruncation(t *testing.T) {
	for _, format := range []string{FormatRFC5424, FormatCEF} {
		s := testSettings(t, format)
		m := testMessage()
		m.Title = strings.Repeat("ü", 3000)
		m.Text = strings.Repeat(`\`, 3000)
		got, err := line(s, m, MaxUDPSize)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) > MaxUDPSize || !utf8.ValidString(got) {
			t.Errorf("%s: %d bytes, valid UTF-8 %v", format, len(got), utf8.ValidString(got))
		}
		if !strings.Contains(got, `endpoint="198.18.0.11:6380/tcp"`) {
			t.Errorf("%s: endpoints dropped although the MSG had room", format)
		}
		if format == FormatCEF {
			if tail := len(got) - len(strings.TrimRight(got, `\`)); tail%2 == 1 {
				t.Errorf("cef record ends inside an escape: ...%q", got[len(got)-10:])
			}
		}
		// Endpoints go when they would squeeze the MSG under minMsg.
		for i := range 200 {
			m.Items = append(m.Items, notify.Item{Endpoint: "198.18.0.11:" + strings.Repeat("1", i%5+1) + "/tcp" + strings.Repeat("x", i)})
		}
		got, err = line(s, m, MaxUDPSize)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) > MaxUDPSize || strings.Contains(got, "endpoint=") || !strings.Contains(got, `id="n-42"`) {
			t.Errorf("%s: %d bytes, endpoints not dropped: %.300q", format, len(got), got)
		}
	}
	m := testMessage()
	m.ID = strings.Repeat("x", 3000)
	if _, err := line(testSettings(t, FormatRFC5424), m, MaxUDPSize); !notify.IsPermanent(err) {
		t.Errorf("oversized ID: %v, want a permanent error", err)
	}
}

func TestTruncateRuneBoundary(t *testing.T) {
	for n := range 8 {
		if got := truncate("aüü€", n); !utf8.ValidString(got) || len(got) > n {
			t.Errorf("truncate(%d) = %q", n, got)
		}
	}
}

func TestValidate(t *testing.T) {
	ok := Config{Address: "127.0.0.1:514"}
	tests := []struct {
		name string
		edit func(*Config)
		want string
	}{
		{"bad network", func(c *Config) { c.Network = "quic" }, `syslog: network "quic": want "udp", "tcp" or "tls"`},
		{"no address", func(c *Config) { c.Address = "" }, "syslog: address is required"},
		{"bad port", func(c *Config) { c.Address = "127.0.0.1:99999" }, `syslog: address "127.0.0.1:99999": bad port "99999"`},
		{"bad facility", func(c *Config) { c.Facility = "local9" }, `syslog: facility "local9" unknown (want kern, user, mail, daemon, auth, ..., local0-local7)`},
		{"bad format", func(c *Config) { c.Format = "leef" }, `syslog: format "leef": want "rfc5424" or "cef"`},
		{"tls options without tls", func(c *Config) { c.InsecureSkipVerify = true }, `syslog: root_cas and insecure_skip_verify need network "tls"`},
		{"bad root cas", func(c *Config) { c.Network, c.RootCAs = NetworkTLS, "/nonexistent.pem" }, "syslog: root_cas: open /nonexistent.pem: no such file or directory"},
		{"negative timeout", func(c *Config) { c.Timeout = -time.Second }, "syslog: timeout -1s is negative"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := ok
			tt.edit(&c)
			if _, err := New(c); err == nil || err.Error() != tt.want {
				t.Errorf("New: %v, want %q", err, tt.want)
			}
		})
	}
	for in, want := range map[[2]string]string{
		{"udp", "loghost"}: "loghost:514", {"tls", "loghost"}: "loghost:6514", {"tcp", "::1"}: "[::1]:514",
		{"tcp", "[::1]"}: "[::1]:514", {"tcp", "[::1]:1514"}: "[::1]:1514",
	} {
		s, err := validate(Config{Network: in[0], Address: in[1]})
		if err != nil || s.Address != want {
			t.Errorf("%v: address %v err %v, want %s", in, s, err, want)
		}
	}
	s, _ := validate(ok)
	if s.facility != 3 || s.Format != FormatRFC5424 || s.Network != NetworkUDP {
		t.Errorf("defaults: facility %d format %s network %s", s.facility, s.Format, s.Network)
	}
}
