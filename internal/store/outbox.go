package store

import (
	"context"
	"time"
)

// OutboxState is where a notification is in its life.
type OutboxState string

// Outbox states.
const (
	OutboxPending   OutboxState = "pending"   // to be sent (again) at NextAttempt
	OutboxDelivered OutboxState = "delivered" // the receiver accepted it
	OutboxDead      OutboxState = "dead"      // given up: permanent error or attempts exhausted
)

// OutboxEntry is one notification to one receiver. It is written before
// it is sent: a crash between the two sends it after the restart, with
// the same Key (the receiver's idempotency key), so nothing is lost and a
// receiver that de-duplicates sees it once.
type OutboxEntry struct {
	ID          int64       `json:"id"`
	Key         string      `json:"key"`
	Receiver    string      `json:"receiver"`
	Route       string      `json:"route"`
	Incident    string      `json:"incident"`
	Event       string      `json:"event"`
	Payload     []byte      `json:"payload"`
	State       OutboxState `json:"state"`
	Attempts    int         `json:"attempts"`
	NextAttempt time.Time   `json:"next_attempt"`
	LastError   string      `json:"last_error,omitempty"`
	Created     time.Time   `json:"created"`
	Done        *time.Time  `json:"done,omitempty"`
}

// OutboxFilter selects outbox entries, newest first. Zero fields match
// anything.
type OutboxFilter struct {
	State    OutboxState
	Receiver string
	Incident string
	Page
}

// Silence mutes notifications whose labels match every matcher between
// Starts and Ends. Findings are still recorded.
type Silence struct {
	ID        int64     `json:"id"`
	Matchers  []Matcher `json:"matchers"`
	Starts    time.Time `json:"starts"`
	Ends      time.Time `json:"ends"`
	CreatedBy string    `json:"created_by"`
	Comment   string    `json:"comment"`
	Created   time.Time `json:"created"`
}

// Matcher matches one label: Op is "=", "!=", "=~" or "!~" (regular
// expressions anchored at both ends, as in Alertmanager).
type Matcher struct {
	Name  string `json:"name"`
	Op    string `json:"op"`
	Value string `json:"value"`
}

// Alerting is the part of a backend the alert engine needs. Every backend
// implements it beside Store.
type Alerting interface {
	// Enqueue writes entries whose Key is new and ignores the others; it
	// returns how many were written. All or nothing.
	Enqueue(ctx context.Context, entries []OutboxEntry) (int, error)
	// DueOutbox returns pending entries with NextAttempt <= now, oldest
	// first.
	DueOutbox(ctx context.Context, now time.Time, limit int) ([]OutboxEntry, error)
	// MarkDelivered records a successful delivery.
	MarkDelivered(ctx context.Context, id int64, at time.Time, attempts int) error
	// MarkRetry records a failed attempt and when to try again.
	MarkRetry(ctx context.Context, id int64, attempts int, next time.Time, lastErr string) error
	// MarkDead gives an entry up.
	MarkDead(ctx context.Context, id int64, at time.Time, attempts int, lastErr string) error
	// ListOutbox lists entries newest first.
	ListOutbox(ctx context.Context, f OutboxFilter) ([]OutboxEntry, error)
	// HasOutboxKey reports whether an entry with key exists.
	HasOutboxKey(ctx context.Context, key string) (bool, error)

	// AckFinding acknowledges a finding; it reports ErrNotFound for an
	// unknown ID. Acknowledging twice keeps the first acknowledgement.
	AckFinding(ctx context.Context, id int64, by string, at time.Time) error
	// FindingAck returns who acknowledged a finding and when (zero time
	// when not acknowledged).
	FindingAck(ctx context.Context, id int64) (by string, at time.Time, err error)

	// AddSilence stores a silence and returns its ID.
	AddSilence(ctx context.Context, s Silence) (int64, error)
	// ListSilences returns silences that end after now (all with a zero
	// now), newest first.
	ListSilences(ctx context.Context, now time.Time) ([]Silence, error)
	// ExpireSilence ends a silence at at; ErrNotFound for an unknown ID.
	ExpireSilence(ctx context.Context, id int64, at time.Time) error
}
