package teams

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

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
	body, err := Encode(notify.Message{
		ID: "ntf-2", Event: notify.EventResolve, Severity: notify.SeverityCritical,
		Title: "RESOLVED: 198.18.0.11:6379/tcp closed", Time: time.Date(2026, 11, 21, 21, 30, 0, 0, time.UTC),
	})
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "resolve.json", body)
}

// TestEncodeShape checks what a workflow's "Post card in a chat or
// channel" step needs, independently of the golden file.
func TestEncodeShape(t *testing.T) {
	m := sampleMessage()
	m.Items = nil
	for i := range 13 {
		m.Items = append(m.Items, notify.Item{Kind: "opened", Endpoint: fmt.Sprintf("198.18.0.%d:22/tcp", i)})
	}
	body, err := Encode(m)
	if err != nil {
		t.Fatal(err)
	}
	var got struct {
		Type        string
		Attachments []struct {
			ContentType string
			ContentURL  *string
			Content     struct {
				Type, Version string
				Body          []map[string]any
				Actions       []map[string]any
			}
		}
	}
	if err := json.Unmarshal(body, &got); err != nil {
		t.Fatal(err)
	}
	if got.Type != "message" || len(got.Attachments) != 1 {
		t.Fatalf("envelope %+v", got)
	}
	a := got.Attachments[0]
	if a.ContentType != "application/vnd.microsoft.card.adaptive" || a.ContentURL != nil {
		t.Errorf("attachment %q %v", a.ContentType, a.ContentURL)
	}
	c := a.Content
	if c.Type != "AdaptiveCard" || c.Version != "1.4" {
		t.Errorf("card %s %s", c.Type, c.Version)
	}
	// title container, text, 10 items, "and 3 more", footer
	if len(c.Body) != 14 {
		t.Fatalf("%d body elements, want 14", len(c.Body))
	}
	if c.Body[12]["text"] != "…and 3 more" {
		t.Errorf("overflow element %v", c.Body[12])
	}
	if len(c.Actions) != 2 || c.Actions[0]["type"] != "Action.OpenUrl" || c.Actions[0]["url"] != m.Runbook {
		t.Errorf("actions %v", c.Actions)
	}
}
