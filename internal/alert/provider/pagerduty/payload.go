package pagerduty

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"time"
	"unicode/utf8"

	"github.com/portwatch/portwatch/internal/alert/notify"
)

// action is an Events API v2 event_action.
type action string

const (
	actionTrigger action = "trigger"
	actionResolve action = "resolve"
)

// Limits of the Events API v2.
const (
	maxSummary  = 1024
	maxDedupKey = 255
)

// event is the Events API v2 request body.
type event struct {
	RoutingKey  string   `json:"routing_key"`
	EventAction action   `json:"event_action"`
	DedupKey    string   `json:"dedup_key"`
	Payload     *payload `json:"payload,omitempty"`
	Client      string   `json:"client,omitempty"`
	ClientURL   string   `json:"client_url,omitempty"`
	Links       []link   `json:"links,omitempty"`
}

// payload describes a triggered alert.
type payload struct {
	Summary       string  `json:"summary"`
	Source        string  `json:"source"`
	Severity      string  `json:"severity"`
	Timestamp     string  `json:"timestamp,omitempty"`
	Component     string  `json:"component,omitempty"`
	Group         string  `json:"group,omitempty"`
	Class         string  `json:"class,omitempty"`
	CustomDetails details `json:"custom_details"`
}

// details are the custom_details PagerDuty shows under the alert.
type details struct {
	NotificationID string            `json:"notification_id"`
	Event          notify.Event      `json:"event"`
	Route          string            `json:"route,omitempty"`
	Location       string            `json:"location,omitempty"`
	Text           string            `json:"text,omitempty"`
	Runbook        string            `json:"runbook,omitempty"`
	Labels         map[string]string `json:"labels,omitempty"`
	Items          []notify.Item     `json:"items,omitempty"`
}

// link is a link shown on the alert.
type link struct {
	Href string `json:"href"`
	Text string `json:"text"`
}

// encodeEvent renders m as the body of one event with action a. A
// resolve carries only the dedup key: PagerDuty ignores a payload there.
func encodeEvent(routingKey string, a action, m notify.Message) ([]byte, error) {
	key := dedupKey(m)
	if key == "" {
		return nil, errors.New("no incident key")
	}
	ev := event{RoutingKey: routingKey, EventAction: a, DedupKey: key}
	if a == actionTrigger {
		ev.Payload = triggerPayload(m)
		ev.Client = "portwatch"
		ev.ClientURL = m.URL
		if m.URL != "" {
			ev.Links = append(ev.Links, link{Href: m.URL, Text: "portwatch incident"})
		}
		if m.Runbook != "" {
			ev.Links = append(ev.Links, link{Href: m.Runbook, Text: "runbook"})
		}
	}
	return json.Marshal(ev)
}

// dedupKey is the incident key, or the notification ID for a message
// without one (a test), hashed when longer than PagerDuty accepts.
func dedupKey(m notify.Message) string {
	k := m.IncidentKey
	if k == "" {
		k = m.ID
	}
	if len(k) > maxDedupKey {
		sum := sha256.Sum256([]byte(k))
		k = "sha256:" + hex.EncodeToString(sum[:])
	}
	return k
}

func triggerPayload(m notify.Message) *payload {
	p := &payload{
		Summary:  truncate(summary(m), maxSummary),
		Source:   source(m),
		Severity: severity(m.Severity),
		CustomDetails: details{
			NotificationID: m.ID,
			Event:          m.Event,
			Route:          m.Route,
			Location:       m.Location,
			Text:           m.Text,
			Runbook:        m.Runbook,
			Labels:         m.Labels,
			Items:          m.Items,
		},
	}
	if !m.Time.IsZero() {
		p.Timestamp = m.Time.UTC().Format(time.RFC3339)
	}
	if len(m.Items) > 0 {
		first := m.Items[0]
		p.Class = first.Kind
		p.Group = first.Rule
		if len(m.Items) == 1 {
			p.Component = first.Endpoint
		}
	}
	return p
}

func summary(m notify.Message) string {
	if m.Title != "" {
		return m.Title
	}
	if len(m.Items) > 0 && m.Items[0].Message != "" {
		return m.Items[0].Message
	}
	return "portwatch " + string(m.Event)
}

// source is where the problem is seen: the vantage point, else the host
// all items share, else "portwatch".
func source(m notify.Message) string {
	if m.Location != "" {
		return m.Location
	}
	host := ""
	for i, it := range m.Items {
		if i > 0 && it.Host != host {
			host = ""
			break
		}
		host = it.Host
	}
	if host != "" {
		return host
	}
	return "portwatch"
}

// severity maps portwatch severities onto PagerDuty's; anything unknown
// pages as "error" rather than being under-reported.
func severity(s notify.Severity) string {
	switch s {
	case notify.SeverityCritical:
		return "critical"
	case notify.SeverityMajor:
		return "error"
	case notify.SeverityWarning:
		return "warning"
	case notify.SeverityInfo:
		return "info"
	}
	return "error"
}

// truncate shortens s to at most n bytes on a rune boundary, marking the
// cut with an ellipsis.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	const ell = "…"
	cut := n - len(ell)
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + ell
}
