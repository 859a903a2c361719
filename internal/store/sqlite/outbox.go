package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/portwatch/portwatch/internal/store"
)

var _ store.Alerting = (*DB)(nil)

// Enqueue writes the entries whose key is new, in one transaction.
func (d *DB) Enqueue(ctx context.Context, entries []store.OutboxEntry) (int, error) {
	if len(entries) == 0 {
		return 0, nil
	}
	tx, err := d.db.BeginTx(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("begin enqueue: %w", err)
	}
	defer tx.Rollback() //nolint:errcheck // no-op after Commit
	stmt, err := tx.PrepareContext(ctx, `INSERT INTO outbox
		(key, receiver, route, incident, event, payload, state, attempts, next_attempt, created)
		VALUES (?, ?, ?, ?, ?, ?, 'pending', 0, ?, ?) ON CONFLICT (key) DO NOTHING`)
	if err != nil {
		return 0, fmt.Errorf("prepare enqueue: %w", err)
	}
	defer stmt.Close()
	n := 0
	for _, e := range entries {
		if e.Key == "" {
			return 0, fmt.Errorf("enqueue: entry for %s has no key", e.Receiver)
		}
		next := e.NextAttempt
		if next.IsZero() {
			next = e.Created
		}
		res, err := stmt.ExecContext(ctx, e.Key, e.Receiver, e.Route, e.Incident, e.Event, string(e.Payload), nanos(next), nanos(e.Created))
		if err != nil {
			return 0, fmt.Errorf("enqueue %s: %w", e.Key, err)
		}
		if k, _ := res.RowsAffected(); k > 0 {
			n++
		}
	}
	if err := tx.Commit(); err != nil {
		return 0, fmt.Errorf("commit enqueue: %w", err)
	}
	return n, nil
}

const outboxCols = `id, key, receiver, route, incident, event, payload, state, attempts, next_attempt, last_error, created, done`

func scanOutbox(rows *sql.Rows) ([]store.OutboxEntry, error) {
	defer rows.Close()
	var out []store.OutboxEntry
	for rows.Next() {
		var e store.OutboxEntry
		var payload, state string
		var next, created int64
		var done sql.NullInt64
		if err := rows.Scan(&e.ID, &e.Key, &e.Receiver, &e.Route, &e.Incident, &e.Event, &payload, &state,
			&e.Attempts, &next, &e.LastError, &created, &done); err != nil {
			return nil, fmt.Errorf("read outbox: %w", err)
		}
		e.Payload = []byte(payload)
		e.State = store.OutboxState(state)
		e.NextAttempt, e.Created = fromNanos(next), fromNanos(created)
		if done.Valid {
			t := fromNanos(done.Int64)
			e.Done = &t
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read outbox: %w", err)
	}
	return out, nil
}

// DueOutbox returns pending entries due at now, oldest due first.
func (d *DB) DueOutbox(ctx context.Context, now time.Time, limit int) ([]store.OutboxEntry, error) {
	rows, err := d.db.QueryContext(ctx, `SELECT `+outboxCols+` FROM outbox
		WHERE state = 'pending' AND next_attempt <= ? ORDER BY next_attempt, id`+limitClause(limit, 0), nanos(now))
	if err != nil {
		return nil, fmt.Errorf("query due outbox: %w", err)
	}
	return scanOutbox(rows)
}

func (d *DB) updateOutbox(ctx context.Context, what, q string, args ...any) error {
	res, err := d.db.ExecContext(ctx, q, args...)
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("%s: %w", what, store.ErrNotFound)
	}
	return nil
}

// MarkDelivered records a delivery.
func (d *DB) MarkDelivered(ctx context.Context, id int64, at time.Time, attempts int) error {
	return d.updateOutbox(ctx, fmt.Sprintf("mark outbox %d delivered", id),
		`UPDATE outbox SET state = 'delivered', done = ?, attempts = ?, last_error = '' WHERE id = ?`, nanos(at), attempts, id)
}

// MarkRetry records a failed attempt.
func (d *DB) MarkRetry(ctx context.Context, id int64, attempts int, next time.Time, lastErr string) error {
	return d.updateOutbox(ctx, fmt.Sprintf("mark outbox %d for retry", id),
		`UPDATE outbox SET attempts = ?, next_attempt = ?, last_error = ? WHERE id = ? AND state = 'pending'`,
		attempts, nanos(next), lastErr, id)
}

// MarkDead gives an entry up.
func (d *DB) MarkDead(ctx context.Context, id int64, at time.Time, attempts int, lastErr string) error {
	return d.updateOutbox(ctx, fmt.Sprintf("mark outbox %d dead", id),
		`UPDATE outbox SET state = 'dead', done = ?, attempts = ?, last_error = ? WHERE id = ?`, nanos(at), attempts, lastErr, id)
}

// ListOutbox lists entries newest first.
func (d *DB) ListOutbox(ctx context.Context, f store.OutboxFilter) ([]store.OutboxEntry, error) {
	var w where
	if f.State != "" {
		w.add("state = ?", string(f.State))
	}
	if f.Receiver != "" {
		w.add("receiver = ?", f.Receiver)
	}
	if f.Incident != "" {
		w.add("incident = ?", f.Incident)
	}
	rows, err := d.db.QueryContext(ctx, `SELECT `+outboxCols+` FROM outbox`+w.String()+
		` ORDER BY created DESC, id DESC`+limitClause(f.Limit, f.Offset), w.args...)
	if err != nil {
		return nil, fmt.Errorf("list outbox: %w", err)
	}
	return scanOutbox(rows)
}

// HasOutboxKey reports whether key was ever enqueued.
func (d *DB) HasOutboxKey(ctx context.Context, key string) (bool, error) {
	var n int
	if err := d.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM outbox WHERE key = ?`, key).Scan(&n); err != nil {
		return false, fmt.Errorf("look up outbox key: %w", err)
	}
	return n > 0, nil
}

// AckFinding acknowledges a finding once.
func (d *DB) AckFinding(ctx context.Context, id int64, by string, at time.Time) error {
	res, err := d.db.ExecContext(ctx, `UPDATE findings SET acked = COALESCE(acked, ?), acked_by = COALESCE(acked_by, ?) WHERE id = ?`,
		nanos(at), by, id)
	if err != nil {
		return fmt.Errorf("ack finding %d: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("ack finding %d: %w", id, store.ErrNotFound)
	}
	return nil
}

// FindingAck returns a finding's acknowledgement.
func (d *DB) FindingAck(ctx context.Context, id int64) (string, time.Time, error) {
	var by sql.NullString
	var at sql.NullInt64
	err := d.db.QueryRowContext(ctx, `SELECT acked_by, acked FROM findings WHERE id = ?`, id).Scan(&by, &at)
	if isNoRows(err) {
		return "", time.Time{}, fmt.Errorf("finding %d: %w", id, store.ErrNotFound)
	}
	if err != nil {
		return "", time.Time{}, fmt.Errorf("finding %d ack: %w", id, err)
	}
	if !at.Valid {
		return "", time.Time{}, nil
	}
	return by.String, fromNanos(at.Int64), nil
}

// AddSilence stores a silence.
func (d *DB) AddSilence(ctx context.Context, s store.Silence) (int64, error) {
	m, err := json.Marshal(s.Matchers)
	if err != nil {
		return 0, fmt.Errorf("encode matchers: %w", err)
	}
	var id int64
	err = d.db.QueryRowContext(ctx, `INSERT INTO silences (matchers, starts, ends, created_by, comment, created)
		VALUES (?, ?, ?, ?, ?, ?) RETURNING id`, string(m), nanos(s.Starts), nanos(s.Ends), s.CreatedBy, s.Comment, nanos(s.Created)).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("add silence: %w", err)
	}
	return id, nil
}

// ListSilences returns the silences ending after now, newest first.
func (d *DB) ListSilences(ctx context.Context, now time.Time) ([]store.Silence, error) {
	q := `SELECT id, matchers, starts, ends, created_by, comment, created FROM silences`
	var args []any
	if !now.IsZero() {
		q += ` WHERE ends > ?`
		args = append(args, nanos(now))
	}
	rows, err := d.db.QueryContext(ctx, q+` ORDER BY created DESC, id DESC`, args...)
	if err != nil {
		return nil, fmt.Errorf("list silences: %w", err)
	}
	defer rows.Close()
	var out []store.Silence
	for rows.Next() {
		var s store.Silence
		var m string
		var starts, ends, created int64
		if err := rows.Scan(&s.ID, &m, &starts, &ends, &s.CreatedBy, &s.Comment, &created); err != nil {
			return nil, fmt.Errorf("read silence: %w", err)
		}
		if err := json.Unmarshal([]byte(m), &s.Matchers); err != nil {
			return nil, fmt.Errorf("silence %d matchers: %w", s.ID, err)
		}
		s.Starts, s.Ends, s.Created = fromNanos(starts), fromNanos(ends), fromNanos(created)
		out = append(out, s)
	}
	return out, rows.Err()
}

// ExpireSilence ends a silence now.
func (d *DB) ExpireSilence(ctx context.Context, id int64, at time.Time) error {
	res, err := d.db.ExecContext(ctx, `UPDATE silences SET ends = MIN(ends, ?) WHERE id = ?`, nanos(at), id)
	if err != nil {
		return fmt.Errorf("expire silence %d: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("expire silence %d: %w", id, store.ErrNotFound)
	}
	return nil
}
