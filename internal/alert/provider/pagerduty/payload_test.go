package pagerduty

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

const testKey = "R0123456789abcdefABCDEF012345678"

// sampleMessage is a trigger about a forbidden Redis port.
func sampleMessage() notify.Message {
	since := time.Date(2026, 11, 21, 9, 58, 0, 0, time.UTC)
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
			Since:     since,
			Service:   "redis 7.0.15",
			Message:   "port 6379/tcp is open, forbidden in group dmz",
			Rule:      "group:dmz",
			Action:    "close the port or add it to allowed_ports of group dmz",
			FindingID: 17,
		}},
		Labels:   map[string]string{"team": "db", "env": "prod"},
		Route:    "oncall",
		Location: "eu-west",
		URL:      "http://127.0.0.1:7070/incidents/42",
		Runbook:  "https://wiki.example.org/runbooks/redis",
		Time:     time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC),
	}
}

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
	m := sampleMessage()

	b, err := encodeEvent(testKey, actionTrigger, m)
	if err != nil {
		t.Fatal(err)
	}
	assertGolden(t, "trigger.json", b)

	res := m
	res.Event = notify.EventResolve
	b, err = encodeEvent(testKey, actionResolve, res)
	if err != nil {
		t.Fatal(err)
	}
	assertGolden(t, "resolve.json", b)

	// Two items on different hosts, no location, unknown severity, no links.
	multi := m
	multi.Location, multi.URL, multi.Runbook, multi.Severity = "", "", "", ""
	multi.Labels = nil
	second := m.Items[0]
	second.Host, second.Endpoint, second.Port = "198.18.0.12", "198.18.0.12:5432/tcp", 5432
	second.Kind, second.Rule, second.FindingID = "opened", "", 0
	second.Service, second.Action, second.From, second.To = "", "", "closed", "open"
	second.Message = "port 5432/tcp opened"
	multi.Items = append([]notify.Item{m.Items[0]}, second)
	b, err = encodeEvent(testKey, actionTrigger, multi)
	if err != nil {
		t.Fatal(err)
	}
	assertGolden(t, "trigger-multi.json", b)
}

func TestSeverityMapping(t *testing.T) {
	for in, want := range map[notify.Severity]string{
		notify.SeverityCritical: "critical",
		notify.SeverityMajor:    "error",
		notify.SeverityWarning:  "warning",
		notify.SeverityInfo:     "info",
		"":                      "error",
		"bogus":                 "error",
	} {
		if got := severity(in); got != want {
			t.Errorf("severity(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestSummaryTruncated(t *testing.T) {
	m := sampleMessage()
	m.Title = strings.Repeat("é", 600) // 1200 bytes
	b, err := encodeEvent(testKey, actionTrigger, m)
	if err != nil {
		t.Fatal(err)
	}
	var ev event
	if err := json.Unmarshal(b, &ev); err != nil {
		t.Fatal(err)
	}
	s := ev.Payload.Summary
	if len(s) > maxSummary || !strings.HasSuffix(s, "…") || !strings.HasPrefix(s, "éé") {
		t.Errorf("summary not truncated to %d bytes on a rune boundary: %d bytes, %q...", maxSummary, len(s), s[len(s)-8:])
	}
}

func TestDedupKey(t *testing.T) {
	m := sampleMessage()
	if got := dedupKey(m); got != "inc-42" {
		t.Errorf("dedupKey = %q, want the incident key", got)
	}
	m.IncidentKey = ""
	if got := dedupKey(m); got != "n-0001" {
		t.Errorf("dedupKey without incident key = %q, want the message ID", got)
	}
	m.IncidentKey = strings.Repeat("k", 300)
	got := dedupKey(m)
	if len(got) > maxDedupKey || !strings.HasPrefix(got, "sha256:") || got != dedupKey(m) {
		t.Errorf("long dedupKey = %q, want a stable sha256 form within %d bytes", got, maxDedupKey)
	}
	m.IncidentKey, m.ID = "", ""
	if _, err := encodeEvent(testKey, actionResolve, m); err == nil {
		t.Error("resolve without incident key or ID: no error")
	}
}
