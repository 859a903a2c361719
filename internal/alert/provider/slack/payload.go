package slack

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

// Slack's Block Kit limits, and ours.
const (
	// MaxItems is how many items get a section; the rest are counted.
	MaxItems      = 10
	maxHeader     = 150  // header block plain_text
	maxSection    = 3000 // section text
	maxButtonURL  = 3000 // a longer link is left out rather than broken
	maxFallback   = 3000 // top-level text, shown in notifications
	maxContextElt = 2000
)

// payload is an incoming-webhook message: text is the notification
// fallback; the blocks sit in one attachment so that its color bar shows
// the severity.
type payload struct {
	Text        string       `json:"text"`
	Attachments []attachment `json:"attachments"`
}

type attachment struct {
	Color  string  `json:"color"`
	Blocks []block `json:"blocks"`
}

type block struct {
	Type     string `json:"type"`
	Text     *text  `json:"text,omitempty"`
	Elements []any  `json:"elements,omitempty"`
}

type text struct {
	Type  string `json:"type"` // plain_text or mrkdwn
	Text  string `json:"text"`
	Emoji bool   `json:"emoji,omitempty"`
}

type button struct {
	Type     string `json:"type"`
	Text     text   `json:"text"`
	URL      string `json:"url"`
	ActionID string `json:"action_id"`
}

// look is the emoji and attachment color of a message.
func look(m notify.Message) (emoji, color string) {
	switch m.Event {
	case notify.EventResolve, notify.EventStable:
		return ":white_check_mark:", "#2EB67D"
	case notify.EventTest:
		return ":test_tube:", "#868686"
	}
	switch m.Severity {
	case notify.SeverityCritical:
		return ":red_circle:", "#E01E5A"
	case notify.SeverityMajor:
		return ":large_orange_circle:", "#F2711C"
	case notify.SeverityWarning:
		return ":large_yellow_circle:", "#ECB22E"
	default:
		return ":large_blue_circle:", "#36C5F0"
	}
}

// Encode renders m as an incoming-webhook JSON payload.
func Encode(m notify.Message) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(build(m)); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}

func build(m notify.Message) payload {
	emoji, color := look(m)
	title := m.Title
	if title == "" {
		title = fmt.Sprintf("portwatch %s (%s)", m.Event, m.Severity)
	}
	blocks := []block{{
		Type: "header",
		Text: &text{Type: "plain_text", Text: truncate(emoji+" "+title, maxHeader), Emoji: true},
	}}
	if m.Text != "" {
		blocks = append(blocks, section(escape(m.Text)))
	}
	for i, it := range m.Items {
		if i == MaxItems {
			blocks = append(blocks, section(fmt.Sprintf("_…and %d more_", len(m.Items)-MaxItems)))
			break
		}
		blocks = append(blocks, section(itemText(it)))
	}
	blocks = append(blocks, block{Type: "context", Elements: contextElements(m)})
	if btns := buttons(m); len(btns) > 0 {
		blocks = append(blocks, block{Type: "actions", Elements: btns})
	}
	return payload{
		Text:        truncate(title, maxFallback),
		Attachments: []attachment{{Color: color, Blocks: blocks}},
	}
}

func section(mrkdwn string) block {
	return block{Type: "section", Text: &text{Type: "mrkdwn", Text: truncate(mrkdwn, maxSection)}}
}

// itemText is one item in mrkdwn: what, where, since when, what to do.
func itemText(it notify.Item) string {
	var b strings.Builder
	fmt.Fprintf(&b, "*%s* · %s", escape(it.Endpoint), escape(it.Kind))
	if it.Severity != "" {
		fmt.Fprintf(&b, " · %s", it.Severity)
	}
	if it.Message != "" {
		fmt.Fprintf(&b, "\n%s", escape(it.Message))
	}
	if it.From != "" || it.To != "" {
		fmt.Fprintf(&b, "\n`%s` → `%s`", code(it.From), code(it.To))
	}
	if it.State != "" {
		fmt.Fprintf(&b, "\nState: %s", escape(it.State))
		if it.Reason != "" {
			fmt.Fprintf(&b, " (%s)", escape(it.Reason))
		}
		if !it.Since.IsZero() {
			fmt.Fprintf(&b, " since %s", date(it.Since))
		}
	}
	if it.Service != "" {
		fmt.Fprintf(&b, "\nService: %s", escape(it.Service))
	}
	if it.Rule != "" {
		fmt.Fprintf(&b, "\nRule: %s", escape(it.Rule))
	}
	if it.Action != "" {
		fmt.Fprintf(&b, "\n:point_right: %s", escape(it.Action))
	}
	return b.String()
}

// contextElements are the route, location, time, incident, notification
// ID and labels, as small print.
func contextElements(m notify.Message) []any {
	var parts []string
	if m.Route != "" {
		parts = append(parts, "Route *"+escape(m.Route)+"*")
	}
	if m.Location != "" {
		parts = append(parts, "from *"+escape(m.Location)+"*")
	}
	if !m.Time.IsZero() {
		parts = append(parts, date(m.Time))
	}
	if m.IncidentKey != "" {
		parts = append(parts, "incident `"+code(m.IncidentKey)+"`")
	}
	if m.ID != "" {
		parts = append(parts, "id `"+code(m.ID)+"`")
	}
	if len(parts) == 0 {
		parts = append(parts, "portwatch")
	}
	elts := []any{text{Type: "mrkdwn", Text: truncate(strings.Join(parts, " · "), maxContextElt)}}
	if len(m.Labels) > 0 {
		var l []string
		for _, k := range slices.Sorted(maps.Keys(m.Labels)) {
			l = append(l, escape(k+"="+m.Labels[k]))
		}
		elts = append(elts, text{Type: "mrkdwn", Text: truncate(strings.Join(l, ", "), maxContextElt)})
	}
	return elts
}

func buttons(m notify.Message) []any {
	var out []any
	add := func(label, id, link string) {
		if link != "" && len(link) <= maxButtonURL {
			out = append(out, button{Type: "button", Text: text{Type: "plain_text", Text: label}, URL: link, ActionID: id})
		}
	}
	add("Runbook", "portwatch-runbook", m.Runbook)
	add("Dashboard", "portwatch-dashboard", m.URL)
	return out
}

// date renders t with Slack's date token (shown in the reader's time
// zone) and a UTC fallback.
func date(t time.Time) string {
	return fmt.Sprintf("<!date^%d^{date_short_pretty} {time_secs}|%s>", t.Unix(), t.UTC().Format("2006-01-02 15:04:05 UTC"))
}

// escape makes s literal in mrkdwn: Slack requires &, < and > escaped
// (otherwise "<" starts a link or a mention).
func escape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}

// code makes s safe inside `inline code`.
func code(s string) string {
	return escape(strings.ReplaceAll(s, "`", "'"))
}

// truncate cuts s to at most n runes, marking the cut with "…".
func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}
