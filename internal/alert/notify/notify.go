// Package notify is the contract between the alert engine and the
// notifiers (internal/alert/provider/<name>, one package each): the
// Message a notifier delivers, the Notifier interface, and the error
// classification the outbox uses to decide between retrying later and
// giving up (dead letter).
//
// A notifier formats one Message for its service and delivers it once per
// Send call. It never retries by itself: the outbox owns retries, back-off
// and the dead-letter state, so that a retry survives a restart. It must
// pass Message.ID to the receiver wherever the receiver can de-duplicate
// (webhook Idempotency-Key header, PagerDuty dedup_key for the incident
// plus the ID in custom details, e-mail Message-ID, ...), because the
// outbox delivers at least once.
package notify

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Event says what a notification announces.
type Event string

// Events.
const (
	EventTrigger  Event = "trigger"  // something broke (a finding opened, a service went down)
	EventResolve  Event = "resolve"  // it is fixed
	EventFlapping Event = "flapping" // an endpoint started flapping; further changes are held back
	EventStable   Event = "stable"   // it stopped flapping: the summary of what happened meanwhile
	EventReminder Event = "reminder" // still unresolved (re-notify interval)
	EventTest     Event = "test"     // `portwatch alert test ROUTE`
)

// Severity mirrors model.Severity as plain text (critical, major,
// warning, info), so that providers need not import the domain model.
type Severity string

// Severities.
const (
	SeverityCritical Severity = "critical"
	SeverityMajor    Severity = "major"
	SeverityWarning  Severity = "warning"
	SeverityInfo     Severity = "info"
)

// Message is one notification, fully rendered. Providers map its fields
// onto their payloads; Title and Text are already rendered from the
// route's templates.
type Message struct {
	// ID is unique per notification and stable across retries: the
	// idempotency key.
	ID string `json:"id"`
	// IncidentKey identifies the incident the notification belongs to
	// (the same for its trigger, reminders and resolve): PagerDuty's
	// dedup_key, Opsgenie's alias, a mail thread's References.
	IncidentKey string   `json:"incident_key"`
	Event       Event    `json:"event"`
	Severity    Severity `json:"severity"`
	// Title is one line, e.g. "CRITICAL: 198.18.0.11:6379/tcp open (redis
	// 7.0.15), forbidden in group dmz".
	Title string `json:"title"`
	// Text is the rendered body (plain text, may span lines).
	Text string `json:"text"`
	// Items are the facts the notification groups: one per finding or
	// change (a scan of one host that found three new ports gives three).
	Items []Item `json:"items"`
	// Labels are the labels of the group/monitor the items belong to
	// (team, env, ...), merged.
	Labels map[string]string `json:"labels,omitempty"`
	// Route is the name of the route that chose the receiver.
	Route string `json:"route"`
	// Location is the vantage point the observations came from.
	Location string `json:"location,omitempty"`
	// URL links to the dashboard page of the incident (may be empty).
	URL string `json:"url,omitempty"`
	// Runbook links to what to do (may be empty).
	Runbook string `json:"runbook,omitempty"`
	// Time is when the notification was created (not sent).
	Time time.Time `json:"time"`
}

// Item is one fact of a notification.
type Item struct {
	// Kind is a finding kind (forbidden-port, expected-open-down, ...) or a
	// change kind (opened, closed, version-changed, ...).
	Kind     string   `json:"kind"`
	Severity Severity `json:"severity"`
	// Endpoint is "198.18.0.11:6379/tcp".
	Endpoint string `json:"endpoint"`
	Host     string `json:"host"` // the address, "198.18.0.11"
	Port     uint16 `json:"port"`
	Protocol string `json:"protocol"` // tcp or udp
	// State is the endpoint's current state and Reason its evidence.
	State  string `json:"state"`
	Reason string `json:"reason,omitempty"`
	// Since is when the state (or the finding) began.
	Since time.Time `json:"since"`
	// From and To describe a change ("closed" → "open", "nginx 1.22.1" →
	// "nginx 1.24.0"); empty for findings.
	From string `json:"from,omitempty"`
	To   string `json:"to,omitempty"`
	// Service is "redis 7.0.15" when identified.
	Service string `json:"service,omitempty"`
	// Message is the finding's or change's own sentence.
	Message string `json:"message"`
	// Rule names what raised it ("group:dmz", "monitor:db-primary").
	Rule string `json:"rule,omitempty"`
	// Action suggests what to do ("close the port or add it to
	// allowed_ports of group dmz").
	Action string `json:"action,omitempty"`
	// FindingID is the finding's ID in the store (0 for changes).
	FindingID int64 `json:"finding_id,omitempty"`
}

// Notifier delivers messages to one receiver. Implementations must be
// safe for concurrent use and must honour ctx (its deadline bounds one
// delivery attempt).
type Notifier interface {
	// Kind names the provider ("webhook", "slack", ...).
	Kind() string
	// Send delivers m once. A nil error means the receiver accepted it.
	// Errors are retryable unless wrapped with Permanent; RetryAfter
	// passes a receiver's requested delay (HTTP 429 Retry-After).
	Send(ctx context.Context, m Message) error
}

// permanentError marks a delivery that will never succeed as configured
// (HTTP 400/401/403/404, a rejected recipient): the outbox dead-letters
// it at once instead of retrying.
type permanentError struct{ err error }

func (e *permanentError) Error() string { return e.err.Error() }
func (e *permanentError) Unwrap() error { return e.err }

// Permanent wraps err as not worth retrying. Permanent(nil) is nil.
func Permanent(err error) error {
	if err == nil {
		return nil
	}
	return &permanentError{err}
}

// IsPermanent reports whether err (or one it wraps) was marked Permanent.
func IsPermanent(err error) bool {
	var p *permanentError
	return errors.As(err, &p)
}

// retryAfterError carries a receiver's requested delay before the next
// attempt.
type retryAfterError struct {
	err   error
	after time.Duration
}

func (e *retryAfterError) Error() string {
	return fmt.Sprintf("%v (retry after %v)", e.err, e.after)
}
func (e *retryAfterError) Unwrap() error { return e.err }

// RetryAfter wraps err with the delay the receiver asked for.
func RetryAfter(err error, after time.Duration) error {
	if err == nil {
		return nil
	}
	return &retryAfterError{err: err, after: after}
}

// RetryDelay returns the delay err asks for, if any.
func RetryDelay(err error) (time.Duration, bool) {
	var r *retryAfterError
	if errors.As(err, &r) {
		return r.after, true
	}
	return 0, false
}
