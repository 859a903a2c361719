package teams

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/portwatch/portwatch/internal/alert/notify"
)

// MaxItems is how many items get their own fact set; the rest are
// counted (Teams drops cards over about 28 KB).
const MaxItems = 10

// maxText bounds every text we copy into the card.
const maxText = 2000

// message is the envelope a workflow's "post card" step expects.
type message struct {
	Type        string       `json:"type"`
	Attachments []attachment `json:"attachments"`
}

type attachment struct {
	ContentType string  `json:"contentType"`
	ContentURL  *string `json:"contentUrl"` // always null
	Content     card    `json:"content"`
}

type card struct {
	Schema  string            `json:"$schema"`
	Type    string            `json:"type"`
	Version string            `json:"version"`
	MSTeams map[string]string `json:"msteams"`
	Body    []any             `json:"body"`
	Actions []openURL         `json:"actions,omitempty"`
}

type textBlock struct {
	Type      string `json:"type"`
	Text      string `json:"text"`
	Size      string `json:"size,omitempty"`
	Weight    string `json:"weight,omitempty"`
	Color     string `json:"color,omitempty"`
	IsSubtle  bool   `json:"isSubtle,omitempty"`
	Wrap      bool   `json:"wrap"`
	Spacing   string `json:"spacing,omitempty"`
	Separator bool   `json:"separator,omitempty"`
}

type container struct {
	Type      string `json:"type"`
	Style     string `json:"style,omitempty"`
	Bleed     bool   `json:"bleed,omitempty"`
	Separator bool   `json:"separator,omitempty"`
	Spacing   string `json:"spacing,omitempty"`
	Items     []any  `json:"items"`
}

type factSet struct {
	Type  string `json:"type"`
	Facts []fact `json:"facts"`
}

type fact struct {
	Title string `json:"title"`
	Value string `json:"value"`
}

type openURL struct {
	Type  string `json:"type"`
	Title string `json:"title"`
	URL   string `json:"url"`
}

// look is the container style and title color of a message.
func look(m notify.Message) (style, color string) {
	switch m.Event {
	case notify.EventResolve, notify.EventStable:
		return "good", "Good"
	case notify.EventTest:
		return "emphasis", "Default"
	}
	switch m.Severity {
	case notify.SeverityCritical:
		return "attention", "Attention"
	case notify.SeverityMajor, notify.SeverityWarning:
		return "warning", "Warning"
	default:
		return "accent", "Accent"
	}
}

// Encode renders m as a workflow webhook body holding one Adaptive Card
// (version 1.4, full width).
func Encode(m notify.Message) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(build(m)); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}

func build(m notify.Message) message {
	style, color := look(m)
	title := m.Title
	if title == "" {
		title = fmt.Sprintf("portwatch %s (%s)", m.Event, m.Severity)
	}
	body := []any{container{Type: "Container", Style: style, Bleed: true, Items: []any{
		textBlock{Type: "TextBlock", Text: clip(title), Size: "Large", Weight: "Bolder", Color: color, Wrap: true},
	}}}
	if m.Text != "" {
		body = append(body, textBlock{Type: "TextBlock", Text: clip(m.Text), Wrap: true})
	}
	for i, it := range m.Items {
		if i == MaxItems {
			body = append(body, textBlock{Type: "TextBlock", Text: fmt.Sprintf("…and %d more", len(m.Items)-MaxItems), IsSubtle: true, Wrap: true, Separator: true})
			break
		}
		body = append(body, itemContainer(it))
	}
	body = append(body, textBlock{Type: "TextBlock", Text: clip(footer(m)), Size: "Small", IsSubtle: true, Wrap: true, Separator: true})
	c := card{
		Schema:  "http://adaptivecards.io/schemas/adaptive-card.json",
		Type:    "AdaptiveCard",
		Version: "1.4",
		MSTeams: map[string]string{"width": "Full"},
		Body:    body,
	}
	if m.Runbook != "" {
		c.Actions = append(c.Actions, openURL{Type: "Action.OpenUrl", Title: "Runbook", URL: m.Runbook})
	}
	if m.URL != "" {
		c.Actions = append(c.Actions, openURL{Type: "Action.OpenUrl", Title: "Dashboard", URL: m.URL})
	}
	return message{Type: "message", Attachments: []attachment{{
		ContentType: "application/vnd.microsoft.card.adaptive",
		Content:     c,
	}}}
}

// itemContainer is one item: its endpoint and sentence, then its facts.
func itemContainer(it notify.Item) container {
	head := it.Endpoint
	if it.Kind != "" {
		head += " · " + it.Kind
	}
	items := []any{textBlock{Type: "TextBlock", Text: clip(head), Weight: "Bolder", Wrap: true}}
	if it.Message != "" {
		items = append(items, textBlock{Type: "TextBlock", Text: clip(it.Message), Wrap: true, Spacing: "None"})
	}
	var facts []fact
	add := func(title, value string) {
		if value != "" {
			facts = append(facts, fact{Title: title, Value: clip(value)})
		}
	}
	add("Severity", string(it.Severity))
	state := it.State
	if it.Reason != "" {
		state += " (" + it.Reason + ")"
	}
	add("State", state)
	if it.From != "" || it.To != "" {
		add("Change", it.From+" → "+it.To)
	}
	if !it.Since.IsZero() {
		add("Since", stamp(it.Since))
	}
	add("Service", it.Service)
	add("Rule", it.Rule)
	add("Action", it.Action)
	if len(facts) > 0 {
		items = append(items, factSet{Type: "FactSet", Facts: facts})
	}
	return container{Type: "Container", Separator: true, Spacing: "Medium", Items: items}
}

// footer is the small print: route, location, time, incident, ID, labels.
func footer(m notify.Message) string {
	var parts []string
	if m.Route != "" {
		parts = append(parts, "Route "+m.Route)
	}
	if m.Location != "" {
		parts = append(parts, "from "+m.Location)
	}
	if !m.Time.IsZero() {
		parts = append(parts, stamp(m.Time))
	}
	if m.IncidentKey != "" {
		parts = append(parts, "incident "+m.IncidentKey)
	}
	if m.ID != "" {
		parts = append(parts, "id "+m.ID)
	}
	if len(m.Labels) > 0 {
		var l []string
		for _, k := range slices.Sorted(maps.Keys(m.Labels)) {
			l = append(l, k+"="+m.Labels[k])
		}
		parts = append(parts, strings.Join(l, ", "))
	}
	if len(parts) == 0 {
		return "portwatch"
	}
	return strings.Join(parts, " · ")
}

func stamp(t time.Time) string { return t.UTC().Format("2006-01-02 15:04:05 UTC") }

// clip cuts s to maxText runes, marking the cut with "…".
func clip(s string) string {
	if utf8.RuneCountInString(s) <= maxText {
		return s
	}
	return string([]rune(s)[:maxText-1]) + "…"
}
