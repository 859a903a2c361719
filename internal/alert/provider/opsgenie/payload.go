package opsgenie

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"sort"
	"strings"

	"github.com/portwatch/portwatch/internal/alert/notify"
)

// Limits of the Alert API v2, in characters.
const (
	maxMessage     = 130
	maxAlias       = 512
	maxDescription = 15000
	maxTags        = 20
	maxTag         = 50
	maxEntity      = 512
	maxNote        = 25000
	maxDetailValue = 1000 // details have an 8000-character total
)

// source is the alert's source field.
const source = "portwatch"

// createAlert is the body of POST /v2/alerts.
type createAlert struct {
	Message     string            `json:"message"`
	Alias       string            `json:"alias"`
	Description string            `json:"description,omitempty"`
	Responders  []responder       `json:"responders,omitempty"`
	Tags        []string          `json:"tags,omitempty"`
	Details     map[string]string `json:"details,omitempty"`
	Entity      string            `json:"entity,omitempty"`
	Source      string            `json:"source"`
	Priority    string            `json:"priority"`
}

// closeAlert is the body of POST /v2/alerts/{alias}/close.
type closeAlert struct {
	Source string `json:"source"`
	Note   string `json:"note,omitempty"`
}

// responder is one entry of an alert's responders.
type responder struct {
	Type     string `json:"type"`
	Name     string `json:"name,omitempty"`
	Username string `json:"username,omitempty"`
}

// parseResponders reads "TYPE:NAME" entries.
func parseResponders(specs []string) ([]responder, error) {
	var out []responder
	for _, s := range specs {
		typ, name, ok := strings.Cut(s, ":")
		name = strings.TrimSpace(name)
		if !ok || name == "" {
			return nil, errors.New(`"` + s + `": want TYPE:NAME, e.g. team:db-oncall`)
		}
		switch typ {
		case "team", "escalation", "schedule":
			out = append(out, responder{Type: typ, Name: name})
		case "user":
			out = append(out, responder{Type: typ, Username: name})
		default:
			return nil, errors.New(`"` + s + `": type "` + typ + `" is not team, user, escalation or schedule`)
		}
	}
	return out, nil
}

// encodeCreate renders m as a create-alert body.
func encodeCreate(m notify.Message, rs []responder) ([]byte, error) {
	a := alias(m)
	if a == "" {
		return nil, errors.New("no incident key")
	}
	return json.Marshal(createAlert{
		Message:     truncate(message(m), maxMessage),
		Alias:       a,
		Description: truncate(m.Text, maxDescription),
		Responders:  rs,
		Tags:        tags(m),
		Details:     details(m),
		Entity:      truncate(entity(m), maxEntity),
		Source:      source,
		Priority:    priority(m.Severity),
	})
}

// encodeClose renders m as a close-alert body; the note says why.
func encodeClose(m notify.Message) ([]byte, error) {
	if alias(m) == "" {
		return nil, errors.New("no incident key")
	}
	note := m.Title
	if m.Text != "" {
		note += "\n\n" + m.Text
	}
	return json.Marshal(closeAlert{Source: source, Note: truncate(strings.TrimSpace(note), maxNote)})
}

// alias is the incident key (the notification ID for a message without
// one, i.e. a test), hashed when longer than Opsgenie accepts.
func alias(m notify.Message) string {
	k := m.IncidentKey
	if k == "" {
		k = m.ID
	}
	if len([]rune(k)) > maxAlias {
		sum := sha256.Sum256([]byte(k))
		k = "sha256:" + hex.EncodeToString(sum[:])
	}
	return k
}

func message(m notify.Message) string {
	if m.Title != "" {
		return m.Title
	}
	if len(m.Items) > 0 && m.Items[0].Message != "" {
		return m.Items[0].Message
	}
	return "portwatch " + string(m.Event)
}

// priority maps portwatch severities onto Opsgenie priorities; anything
// unknown is P3 (Opsgenie's own default).
func priority(s notify.Severity) string {
	switch s {
	case notify.SeverityCritical:
		return "P1"
	case notify.SeverityMajor:
		return "P2"
	case notify.SeverityWarning:
		return "P3"
	case notify.SeverityInfo:
		return "P5"
	}
	return "P3"
}

// tags are the labels as "key:value" (a bare key for an empty value),
// sorted, within Opsgenie's limits, plus "test" for a test alert.
func tags(m notify.Message) []string {
	var out []string
	if m.Event == notify.EventTest {
		out = append(out, "test")
	}
	keys := make([]string, 0, len(m.Labels))
	for k := range m.Labels {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if len(out) == maxTags {
			break
		}
		t := k
		if v := m.Labels[k]; v != "" {
			t += ":" + v
		}
		out = append(out, truncate(t, maxTag))
	}
	return out
}

// details are the alert's key-value extra properties: the notification ID
// (Opsgenie has no idempotency key; the alias de-duplicates) and what
// identifies the notification in portwatch.
func details(m notify.Message) map[string]string {
	d := map[string]string{"notification_id": m.ID, "event": string(m.Event)}
	set := func(k, v string) {
		if v != "" {
			d[k] = truncate(v, maxDetailValue)
		}
	}
	set("severity", string(m.Severity))
	set("route", m.Route)
	set("location", m.Location)
	set("url", m.URL)
	set("runbook", m.Runbook)
	var eps, actions []string
	for _, it := range m.Items {
		eps = append(eps, it.Endpoint)
		if it.Action != "" {
			actions = append(actions, it.Action)
		}
	}
	set("endpoints", strings.Join(eps, ", "))
	set("actions", strings.Join(actions, "; "))
	return d
}

// entity is what the alert is about: the one endpoint, else the host all
// items share, else empty.
func entity(m notify.Message) string {
	if len(m.Items) == 1 {
		return m.Items[0].Endpoint
	}
	host := ""
	for i, it := range m.Items {
		if i > 0 && it.Host != host {
			return ""
		}
		host = it.Host
	}
	return host
}

// truncate shortens s to at most n characters, marking the cut with an
// ellipsis.
func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
