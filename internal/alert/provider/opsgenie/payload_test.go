package opsgenie

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/portwatch/portwatch/internal/alert/notify"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// sampleMessage is a trigger about a forbidden Redis port.
func sampleMessage() notify.Message {
	return notify.Message{
		ID:          "n-0001",
		IncidentKey: "inc-42",
		Event:       notify.EventTrigger,
		Severity:    notify.SeverityCritical,
		Title:       "CRITICAL: 198.18.0.11:6379/tcp open (redis 7.0.15), forbidden in group dmz",
		Text:        "198.18.0.11:6379/tcp opened at 09:58 UTC.\nClose the port or allow it.",
		Items: []notify.Item{{
			Kind:      "forbidden-port",
			Severity:  notify.SeverityCritical,
			Endpoint:  "198.18.0.11:6379/tcp",
			Host:      "198.18.0.11",
			Port:      6379,
			Protocol:  "tcp",
			State:     "open",
			Reason:    "syn-ack",
			Since:     time.Date(2026, 11, 21, 9, 58, 0, 0, time.UTC),
			Service:   "redis 7.0.15",
			Message:   "port 6379/tcp is open, forbidden in group dmz",
			Rule:      "group:dmz",
			Action:    "close the port or add it to allowed_ports of group dmz",
			FindingID: 17,
		}},
		Labels:   map[string]string{"team": "db", "env": "prod", "pci": ""},
		Route:    "oncall",
		Location: "eu-west",
		URL:      "http://127.0.0.1:7070/incidents/42",
		Runbook:  "https://wiki.example.org/runbooks/redis",
		Time:     time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC),
	}
}

var sampleResponders = []string{"team:db-oncall", "user:alice@example.org", "escalation:db-escalation", "schedule:db-rota"}

// assertGolden compares JSON body b, re-indented, with testdata/name.
func assertGolden(t *testing.T, name string, b []byte) {
	t.Helper()
	var buf bytes.Buffer
	if err := json.Indent(&buf, b, "", "  "); err != nil {
		t.Fatalf("%s: body is not JSON: %v\n%s", name, err, b)
	}
	buf.WriteByte('\n')
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(buf.Bytes(), want) {
		t.Errorf("%s: body differs from golden file\ngot:\n%s\nwant:\n%s", name, buf.Bytes(), want)
	}
}

func TestEncodeGolden(t *testing.T) {
	rs, err := parseResponders(sampleResponders)
	if err != nil {
		t.Fatal(err)
	}
	m := sampleMessage()
	b, err := encodeCreate(m, rs)
	if err != nil {
		t.Fatal(err)
	}
	assertGolden(t, "create.json", b)

	m.Event = notify.EventResolve
	m.Title = "RESOLVED: 198.18.0.11:6379/tcp closed"
	m.Text = "Closed at 10:12 UTC after 14m."
	b, err = encodeClose(m)
	if err != nil {
		t.Fatal(err)
	}
	assertGolden(t, "close.json", b)

	// A test message: no incident key, no items, no labels, no responders.
	test := notify.Message{ID: "test-7", Event: notify.EventTest, Severity: notify.SeverityInfo,
		Title: "portwatch test notification for route oncall", Route: "oncall"}
	b, err = encodeCreate(test, nil)
	if err != nil {
		t.Fatal(err)
	}
	assertGolden(t, "create-test.json", b)
}

func TestPriorityMapping(t *testing.T) {
	for in, want := range map[notify.Severity]string{
		notify.SeverityCritical: "P1",
		notify.SeverityMajor:    "P2",
		notify.SeverityWarning:  "P3",
		notify.SeverityInfo:     "P5",
		"":                      "P3",
	} {
		if got := priority(in); got != want {
			t.Errorf("priority(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestLimits(t *testing.T) {
	m := sampleMessage()
	m.Title = strings.Repeat("é", 200)
	m.Labels = map[string]string{}
	for i := range 30 {
		m.Labels[string(rune('a'+i%26))+strings.Repeat("x", i)] = strings.Repeat("v", 60)
	}
	b, err := encodeCreate(m, nil)
	if err != nil {
		t.Fatal(err)
	}
	var a createAlert
	if err := json.Unmarshal(b, &a); err != nil {
		t.Fatal(err)
	}
	if n := len([]rune(a.Message)); n != maxMessage || !strings.HasSuffix(a.Message, "…") {
		t.Errorf("message has %d characters, want %d ending in an ellipsis", n, maxMessage)
	}
	if len(a.Tags) != maxTags {
		t.Errorf("%d tags, want %d", len(a.Tags), maxTags)
	}
	for _, tag := range a.Tags {
		if len([]rune(tag)) > maxTag {
			t.Errorf("tag %q longer than %d", tag, maxTag)
		}
	}
	m.IncidentKey = strings.Repeat("k", 600)
	if got := alias(m); !strings.HasPrefix(got, "sha256:") || got != alias(m) {
		t.Errorf("long alias = %q, want a stable sha256 form", got)
	}
	m.IncidentKey, m.ID = "", ""
	if _, err := encodeClose(m); err == nil {
		t.Error("close without incident key or ID: no error")
	}
}

func TestEntity(t *testing.T) {
	m := sampleMessage()
	if got := entity(m); got != "198.18.0.11:6379/tcp" {
		t.Errorf("one item: entity %q", got)
	}
	second := m.Items[0]
	second.Endpoint = "198.18.0.11:5432/tcp"
	m.Items = append(m.Items, second)
	if got := entity(m); got != "198.18.0.11" {
		t.Errorf("two items on one host: entity %q", got)
	}
	second.Host = "198.18.0.12"
	m.Items[1] = second
	if got := entity(m); got != "" {
		t.Errorf("two hosts: entity %q, want none", got)
	}
}
