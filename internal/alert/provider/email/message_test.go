package email

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/portwatch/portwatch/internal/alert/notify"
)

var update = flag.Bool("update", false, "rewrite golden files")

// testMessage is a trigger with two items, non-ASCII text and a long title.
func testMessage() notify.Message {
	since := time.Date(2026, 11, 21, 20, 58, 3, 0, time.UTC)
	return notify.Message{
		ID:          "n-42.trigger",
		IncidentKey: "inc-7",
		Event:       notify.EventTrigger,
		Severity:    notify.SeverityCritical,
		Title:       "CRITICAL: 198.18.0.11:6379/tcp open (redis 7.0.15), forbidden in group dmz — Größe",
		Text:        "Redis is exposed in group dmz since 20:58 UTC.\nRunbook: https://runbooks.example.org/exposed-db?x=1&y=2\n",
		Items: []notify.Item{{
			Kind: "forbidden-port", Severity: notify.SeverityCritical, Endpoint: "198.18.0.11:6379/tcp",
			Host: "198.18.0.11", Port: 6379, Protocol: "tcp", State: "open", Reason: "syn-ack", Since: since,
			Service: "redis 7.0.15", Message: "port 6379/tcp is open, forbidden in group dmz", Rule: "group:dmz",
			Action: "close the port or add it to allowed_ports of group dmz",
		}, {
			Kind: "version-changed", Severity: notify.SeverityWarning, Endpoint: "198.18.0.12:80/tcp",
			State: "open", From: "nginx 1.22.1", To: "nginx 1.24.0", Message: "version changed",
		}},
		Route: "security",
		Time:  time.Date(2026, 11, 21, 21, 0, 0, 0, time.FixedZone("", 3600)),
	}
}

func testSettings(t *testing.T) *settings {
	t.Helper()
	s, err := validate(Config{Host: "127.0.0.1", TLS: TLSNone, From: "portwatch <pw@example.org>",
		To: []string{"ops@example.org", "Zoë Sec <sec@example.org>"}, SubjectPrefix: "[portwatch]", LocalName: "pw.test"})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestBuildMessageGolden(t *testing.T) {
	got := buildMessage(testSettings(t), testMessage())
	golden := filepath.Join("testdata", "message.golden")
	if *update {
		if err := os.WriteFile(golden, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != string(want) {
		t.Errorf("message differs from %s:\n--- got\n%s\n--- want\n%s", golden, got, want)
	}
	for i, l := range strings.Split(string(got), "\r\n") {
		if len(l) > 78 {
			t.Errorf("line %d longer than 78: %q", i+1, l)
		}
		if strings.Contains(l, "\n") {
			t.Errorf("line %d has a bare LF: %q", i+1, l)
		}
	}
}

func TestBuildMessageHeaderInjection(t *testing.T) {
	m := testMessage()
	m.Title = "hi\r\nBcc: victim@example.org"
	m.ID = "a b<c>@d"
	m.Event = "trigger\r\nX-Evil: 1"
	got := string(buildMessage(testSettings(t), m))
	head, _, _ := strings.Cut(got, "\r\n\r\n")
	for _, l := range strings.Split(head, "\r\n") {
		if strings.HasPrefix(l, "Bcc:") || strings.HasPrefix(l, "X-Evil:") {
			t.Errorf("injected header line %q", l)
		}
	}
	if !strings.Contains(head, "Message-ID: <a=20b=3Cc=3E=40d@portwatch>") {
		t.Errorf("Message-ID not escaped:\n%s", head)
	}
}

func TestValidate(t *testing.T) {
	ok := Config{Host: "smtp.example.org", From: "pw@example.org", To: []string{"ops@example.org"}}
	tests := []struct {
		name string
		edit func(*Config)
		want string
	}{
		{"no host", func(c *Config) { c.Host = "" }, "email: host is required"},
		{"bad port", func(c *Config) { c.Port = 70000 }, "email: port 70000 out of range 1-65535"},
		{"bad tls", func(c *Config) { c.TLS = "ssl" }, `email: tls "ssl": want "starttls", "tls" or "none"`},
		{"none remote", func(c *Config) { c.TLS = TLSNone }, `email: tls "none" is only allowed to a loopback host, not "smtp.example.org"`},
		{"none auth", func(c *Config) { c.Host, c.TLS, c.Username, c.Password = "127.0.0.1", TLSNone, "u", "p" }, `email: username needs tls "starttls" or "tls": AUTH is never sent in clear`},
		{"user no password", func(c *Config) { c.Username = "u" }, "email: password is required with username"},
		{"no from", func(c *Config) { c.From = "" }, "email: from is required"},
		{"bad from", func(c *Config) { c.From = "not an address" }, `email: from "not an address": mail: no angle-addr`},
		{"no to", func(c *Config) { c.To = nil }, "email: to needs at least one recipient"},
		{"bad to", func(c *Config) { c.To = []string{"ops@example.org", "x\r\nBcc: y@z"} }, `email: to[1] "x\r\nBcc: y@z": contains a line break`},
		{"bad root cas", func(c *Config) { c.RootCAs = "/nonexistent/ca.pem" }, "email: root_cas: open /nonexistent/ca.pem: no such file or directory"},
		{"negative timeout", func(c *Config) { c.Timeout = -time.Second }, "email: timeout -1s is negative"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := ok
			tt.edit(&c)
			_, err := New(c)
			if err == nil || err.Error() != tt.want {
				t.Errorf("New: %v, want %q", err, tt.want)
			}
		})
	}
	s, err := validate(ok)
	if err != nil {
		t.Fatal(err)
	}
	if s.Port != 587 || s.TLS != TLSStartTLS || s.Timeout != DefaultTimeout {
		t.Errorf("defaults: port %d tls %q timeout %v", s.Port, s.TLS, s.Timeout)
	}
	for tlsMode, port := range map[string]int{TLSImplicit: 465, TLSNone: 25} {
		c := ok
		c.Host, c.TLS = "::1", tlsMode
		if s, err := validate(c); err != nil || s.Port != port {
			t.Errorf("tls %s: port %v err %v, want %d", tlsMode, s, err, port)
		}
	}
}
