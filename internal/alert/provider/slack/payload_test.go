package slack

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/portwatch/portwatch/internal/alert/notify"
)

func TestEncodeGolden(t *testing.T) {
	body, err := Encode(sampleMessage())
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "trigger.json", body)
}

func TestEncodeResolveMinimal(t *testing.T) {
	m := notify.Message{
		ID: "ntf-2", Event: notify.EventResolve, Severity: notify.SeverityCritical,
		Title: "RESOLVED: 198.18.0.11:6379/tcp closed", Time: time.Date(2026, 11, 21, 21, 30, 0, 0, time.UTC),
	}
	body, err := Encode(m)
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "resolve.json", body)
}

func TestEncodeCapsItemsAndLengths(t *testing.T) {
	m := sampleMessage()
	m.Title = strings.Repeat("é", 400)
	m.Items = nil
	for i := range 25 {
		m.Items = append(m.Items, notify.Item{Kind: "opened", Endpoint: fmt.Sprintf("198.18.0.%d:22/tcp", i), Message: strings.Repeat("x", 5000)})
	}
	body, err := Encode(m)
	if err != nil {
		t.Fatal(err)
	}
	var p payload
	if err := json.Unmarshal(body, &p); err != nil {
		t.Fatal(err)
	}
	blocks := p.Attachments[0].Blocks
	// header, text, 10 items, "and 15 more", context, actions
	if len(blocks) != 15 {
		t.Fatalf("%d blocks, want 15", len(blocks))
	}
	if got := blocks[12].Text.Text; got != "_…and 15 more_" {
		t.Errorf("overflow block %q", got)
	}
	if n := utf8.RuneCountInString(blocks[0].Text.Text); n != maxHeader {
		t.Errorf("header is %d runes, want %d", n, maxHeader)
	}
	for i, b := range blocks {
		if b.Text != nil && utf8.RuneCountInString(b.Text.Text) > maxSection {
			t.Errorf("block %d: %d runes", i, utf8.RuneCountInString(b.Text.Text))
		}
	}
}

func TestEscape(t *testing.T) {
	if got := escape("<!channel> & <http://x|y>"); got != "&lt;!channel&gt; &amp; &lt;http://x|y&gt;" {
		t.Errorf("escape = %q", got)
	}
}

func TestLookPerSeverity(t *testing.T) {
	for _, c := range []struct {
		ev           notify.Event
		sev          notify.Severity
		emoji, color string
	}{
		{notify.EventTrigger, notify.SeverityCritical, ":red_circle:", "#E01E5A"},
		{notify.EventTrigger, notify.SeverityMajor, ":large_orange_circle:", "#F2711C"},
		{notify.EventReminder, notify.SeverityWarning, ":large_yellow_circle:", "#ECB22E"},
		{notify.EventFlapping, notify.SeverityInfo, ":large_blue_circle:", "#36C5F0"},
		{notify.EventResolve, notify.SeverityCritical, ":white_check_mark:", "#2EB67D"},
		{notify.EventTest, notify.SeverityInfo, ":test_tube:", "#868686"},
	} {
		e, col := look(notify.Message{Event: c.ev, Severity: c.sev})
		if e != c.emoji || col != c.color {
			t.Errorf("%s/%s: %s %s, want %s %s", c.ev, c.sev, e, col, c.emoji, c.color)
		}
	}
}
