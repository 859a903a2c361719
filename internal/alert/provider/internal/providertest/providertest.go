// Package providertest holds what the notifier tests share: a sample
// message with every field set and golden-file comparison of payloads.
package providertest

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/portwatch/portwatch/internal/alert/notify"
)

// SampleMessage is a trigger with two items, labels and links.
func SampleMessage() notify.Message {
	since := time.Date(2026, 11, 21, 20, 58, 3, 0, time.UTC)
	return notify.Message{
		ID:          "ntf-01JD7XQ3Z8",
		IncidentKey: "inc-dmz-198.18.0.11-6379",
		Event:       notify.EventTrigger,
		Severity:    notify.SeverityCritical,
		Title:       "CRITICAL: 198.18.0.11:6379/tcp open (redis 7.0.15), forbidden in group dmz",
		Text:        "2 findings in group dmz <since 20:58 UTC> & counting",
		Items: []notify.Item{
			{
				Kind: "forbidden-port", Severity: notify.SeverityCritical,
				Endpoint: "198.18.0.11:6379/tcp", Host: "198.18.0.11", Port: 6379, Protocol: "tcp",
				State: "open", Reason: "syn-ack", Since: since, From: "closed", To: "open",
				Service: "redis 7.0.15", Message: "port 6379/tcp is open but not allowed in group dmz",
				Rule: "group:dmz", Action: "close the port or add it to allowed_ports of group dmz", FindingID: 42,
			},
			{
				Kind: "expected-open-down", Severity: notify.SeverityMajor,
				Endpoint: "198.18.0.12:5432/tcp", Host: "198.18.0.12", Port: 5432, Protocol: "tcp",
				State: "closed", Reason: "conn-refused", Since: since.Add(-time.Minute),
				Service: "postgresql 15.8", Message: "db-primary does not answer", Rule: "monitor:db-primary",
			},
		},
		Labels:   map[string]string{"team": "db", "env": "prod"},
		Route:    "dmz-security",
		Location: "fra1",
		URL:      "http://127.0.0.1:7070/incidents/17",
		Runbook:  "https://wiki.example.org/runbooks/forbidden-port",
		Time:     time.Date(2026, 11, 21, 21, 0, 0, 0, time.UTC),
	}
}

// Golden compares got (JSON) with testdata/name after compacting both,
// or rewrites the file first when update is set (the test's -update flag).
func Golden(t *testing.T, name string, got []byte, update bool) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if update {
		var b bytes.Buffer
		if err := json.Indent(&b, got, "", "  "); err != nil {
			t.Fatalf("indent: %v", err)
		}
		b.WriteByte('\n')
		if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var w, g bytes.Buffer
	if err := json.Compact(&w, want); err != nil {
		t.Fatalf("golden %s: %v", name, err)
	}
	if err := json.Compact(&g, got); err != nil {
		t.Fatalf("output: %v", err)
	}
	if !bytes.Equal(w.Bytes(), g.Bytes()) {
		t.Errorf("%s differs (run go test -update and review the diff)\n got: %s\nwant: %s", name, g.Bytes(), w.Bytes())
	}
}
