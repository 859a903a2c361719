package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/portwatch/portwatch/internal/store"
)

var _ store.Accounts = (*DB)(nil)

func nullNanos(t *time.Time) sql.NullInt64 {
	if t == nil || t.IsZero() {
		return sql.NullInt64{}
	}
	return sql.NullInt64{Int64: nanos(*t), Valid: true}
}

func timeOrNil(n sql.NullInt64) *time.Time {
	if !n.Valid {
		return nil
	}
	t := fromNanos(n.Int64)
	return &t
}

// conflict maps a UNIQUE constraint failure to store.ErrConflict.
func conflict(err error, what string) error {
	if err != nil && strings.Contains(err.Error(), "UNIQUE constraint failed") {
		return fmt.Errorf("%s: %w", what, store.ErrConflict)
	}
	return fmt.Errorf("%s: %w", what, err)
}

// affected turns "no row changed" into store.ErrNotFound.
func affected(res sql.Result, err error, what string) error {
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("%s: %w", what, store.ErrNotFound)
	}
	return nil
}

// AddUser stores a user.
func (d *DB) AddUser(ctx context.Context, u store.User) (int64, error) {
	res, err := d.db.ExecContext(ctx, `INSERT INTO users (name, role, password_hash, must_change, created, disabled)
		VALUES (?, ?, ?, ?, ?, ?)`, u.Name, u.Role, u.PasswordHash, u.MustChange, nanos(u.Created), u.Disabled)
	if err != nil {
		return 0, conflict(err, "add user "+u.Name)
	}
	return res.LastInsertId()
}

const userCols = `id, name, role, password_hash, must_change, created, last_login, disabled`

func scanUser(row interface{ Scan(...any) error }) (store.User, error) {
	var u store.User
	var created int64
	var last sql.NullInt64
	if err := row.Scan(&u.ID, &u.Name, &u.Role, &u.PasswordHash, &u.MustChange, &created, &last, &u.Disabled); err != nil {
		return u, err
	}
	u.Created, u.LastLogin = fromNanos(created), timeOrNil(last)
	return u, nil
}

func (d *DB) userWhere(ctx context.Context, where string, arg any) (store.User, error) {
	u, err := scanUser(d.db.QueryRowContext(ctx, `SELECT `+userCols+` FROM users WHERE `+where, arg))
	if errors.Is(err, sql.ErrNoRows) {
		return u, store.ErrNotFound
	}
	if err != nil {
		return u, fmt.Errorf("get user: %w", err)
	}
	return u, nil
}

// GetUser returns a user by name.
func (d *DB) GetUser(ctx context.Context, name string) (store.User, error) {
	return d.userWhere(ctx, `name = ?`, name)
}

// GetUserByID returns a user by ID.
func (d *DB) GetUserByID(ctx context.Context, id int64) (store.User, error) {
	return d.userWhere(ctx, `id = ?`, id)
}

// ListUsers returns every user ordered by name.
func (d *DB) ListUsers(ctx context.Context) ([]store.User, error) {
	rows, err := d.db.QueryContext(ctx, `SELECT `+userCols+` FROM users ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("list users: %w", err)
	}
	defer rows.Close()
	var out []store.User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, fmt.Errorf("list users: %w", err)
		}
		out = append(out, u)
	}
	return out, rows.Err()
}

// UpdateUser writes a user's mutable fields.
func (d *DB) UpdateUser(ctx context.Context, u store.User) error {
	res, err := d.db.ExecContext(ctx, `UPDATE users SET role = ?, password_hash = ?, must_change = ?, disabled = ? WHERE id = ?`,
		u.Role, u.PasswordHash, u.MustChange, u.Disabled, u.ID)
	return affected(res, err, "update user")
}

// DeleteUser removes a user and its sessions.
func (d *DB) DeleteUser(ctx context.Context, id int64) error {
	res, err := d.db.ExecContext(ctx, `DELETE FROM users WHERE id = ?`, id)
	return affected(res, err, "delete user")
}

// CountUsers returns how many users exist.
func (d *DB) CountUsers(ctx context.Context) (int, error) {
	var n int
	if err := d.db.QueryRowContext(ctx, `SELECT count(*) FROM users`).Scan(&n); err != nil {
		return 0, fmt.Errorf("count users: %w", err)
	}
	return n, nil
}

// TouchLogin records a successful login.
func (d *DB) TouchLogin(ctx context.Context, id int64, at time.Time) error {
	res, err := d.db.ExecContext(ctx, `UPDATE users SET last_login = ? WHERE id = ?`, nanos(at), id)
	return affected(res, err, "touch login")
}

// AddToken stores a token.
func (d *DB) AddToken(ctx context.Context, t store.Token) (int64, error) {
	res, err := d.db.ExecContext(ctx, `INSERT INTO api_tokens (name, prefix, hash, role, created_by, created, expires)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, t.Name, t.Prefix, t.Hash, t.Role, t.CreatedBy, nanos(t.Created), nullNanos(t.Expires))
	if err != nil {
		return 0, conflict(err, "add token "+t.Name)
	}
	return res.LastInsertId()
}

const tokenCols = `id, name, prefix, hash, role, created_by, created, expires, last_used, revoked`

func scanToken(row interface{ Scan(...any) error }) (store.Token, error) {
	var t store.Token
	var created int64
	var expires, used, revoked sql.NullInt64
	if err := row.Scan(&t.ID, &t.Name, &t.Prefix, &t.Hash, &t.Role, &t.CreatedBy, &created, &expires, &used, &revoked); err != nil {
		return t, err
	}
	t.Created, t.Expires, t.LastUsed, t.Revoked = fromNanos(created), timeOrNil(expires), timeOrNil(used), timeOrNil(revoked)
	return t, nil
}

// TokenByHash returns the token with that digest.
func (d *DB) TokenByHash(ctx context.Context, hash []byte) (store.Token, error) {
	t, err := scanToken(d.db.QueryRowContext(ctx, `SELECT `+tokenCols+` FROM api_tokens WHERE hash = ?`, hash))
	if errors.Is(err, sql.ErrNoRows) {
		return t, store.ErrNotFound
	}
	if err != nil {
		return t, fmt.Errorf("get token: %w", err)
	}
	return t, nil
}

// ListTokens returns every token, newest first.
func (d *DB) ListTokens(ctx context.Context) ([]store.Token, error) {
	rows, err := d.db.QueryContext(ctx, `SELECT `+tokenCols+` FROM api_tokens ORDER BY id DESC`)
	if err != nil {
		return nil, fmt.Errorf("list tokens: %w", err)
	}
	defer rows.Close()
	var out []store.Token
	for rows.Next() {
		t, err := scanToken(rows)
		if err != nil {
			return nil, fmt.Errorf("list tokens: %w", err)
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// TouchToken records a use of a token.
func (d *DB) TouchToken(ctx context.Context, id int64, at time.Time) error {
	res, err := d.db.ExecContext(ctx, `UPDATE api_tokens SET last_used = ? WHERE id = ?`, nanos(at), id)
	return affected(res, err, "touch token")
}

// RevokeToken revokes a token (the first revocation time stays).
func (d *DB) RevokeToken(ctx context.Context, id int64, at time.Time) error {
	res, err := d.db.ExecContext(ctx, `UPDATE api_tokens SET revoked = coalesce(revoked, ?) WHERE id = ?`, nanos(at), id)
	return affected(res, err, "revoke token")
}

// AddSession stores a session.
func (d *DB) AddSession(ctx context.Context, s store.Session) (int64, error) {
	res, err := d.db.ExecContext(ctx, `INSERT INTO sessions (hash, user_id, csrf, created, expires, last_seen) VALUES (?, ?, ?, ?, ?, ?)`,
		s.Hash, s.UserID, s.CSRF, nanos(s.Created), nanos(s.Expires), nanos(s.LastSeen))
	if err != nil {
		return 0, fmt.Errorf("add session: %w", err)
	}
	return res.LastInsertId()
}

// SessionByHash returns a session by digest.
func (d *DB) SessionByHash(ctx context.Context, hash []byte) (store.Session, error) {
	var s store.Session
	var created, expires, seen int64
	err := d.db.QueryRowContext(ctx, `SELECT id, hash, user_id, csrf, created, expires, last_seen FROM sessions WHERE hash = ?`, hash).
		Scan(&s.ID, &s.Hash, &s.UserID, &s.CSRF, &created, &expires, &seen)
	if errors.Is(err, sql.ErrNoRows) {
		return s, store.ErrNotFound
	}
	if err != nil {
		return s, fmt.Errorf("get session: %w", err)
	}
	s.Created, s.Expires, s.LastSeen = fromNanos(created), fromNanos(expires), fromNanos(seen)
	return s, nil
}

// TouchSession moves a session's last-seen and expiry.
func (d *DB) TouchSession(ctx context.Context, id int64, lastSeen, expires time.Time) error {
	res, err := d.db.ExecContext(ctx, `UPDATE sessions SET last_seen = ?, expires = ? WHERE id = ?`, nanos(lastSeen), nanos(expires), id)
	return affected(res, err, "touch session")
}

// DeleteSession removes a session.
func (d *DB) DeleteSession(ctx context.Context, id int64) error {
	if _, err := d.db.ExecContext(ctx, `DELETE FROM sessions WHERE id = ?`, id); err != nil {
		return fmt.Errorf("delete session: %w", err)
	}
	return nil
}

// DeleteExpiredSessions removes sessions that expired before now.
func (d *DB) DeleteExpiredSessions(ctx context.Context, now time.Time) (int64, error) {
	res, err := d.db.ExecContext(ctx, `DELETE FROM sessions WHERE expires < ?`, nanos(now))
	if err != nil {
		return 0, fmt.Errorf("delete expired sessions: %w", err)
	}
	return res.RowsAffected()
}

// AddAudit appends an audit entry.
func (d *DB) AddAudit(ctx context.Context, e store.AuditEntry) error {
	_, err := d.db.ExecContext(ctx, `INSERT INTO audit_log (time, actor, action, object, detail, remote, status) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		nanos(e.Time), e.Actor, e.Action, e.Object, e.Detail, e.Remote, e.Status)
	if err != nil {
		return fmt.Errorf("add audit entry: %w", err)
	}
	return nil
}

// ListAudit returns audit entries newest first.
func (d *DB) ListAudit(ctx context.Context, f store.AuditFilter) ([]store.AuditEntry, error) {
	q := `SELECT id, time, actor, action, object, detail, remote, status FROM audit_log WHERE 1=1`
	var args []any
	if f.Actor != "" {
		q += ` AND actor = ?`
		args = append(args, f.Actor)
	}
	if !f.From.IsZero() {
		q += ` AND time >= ?`
		args = append(args, nanos(f.From))
	}
	if !f.To.IsZero() {
		q += ` AND time < ?`
		args = append(args, nanos(f.To))
	}
	q += ` ORDER BY time DESC, id DESC` + limitClause(f.Limit, f.Offset)
	rows, err := d.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("list audit: %w", err)
	}
	defer rows.Close()
	var out []store.AuditEntry
	for rows.Next() {
		var e store.AuditEntry
		var at int64
		if err := rows.Scan(&e.ID, &at, &e.Actor, &e.Action, &e.Object, &e.Detail, &e.Remote, &e.Status); err != nil {
			return nil, fmt.Errorf("list audit: %w", err)
		}
		e.Time = fromNanos(at)
		out = append(out, e)
	}
	return out, rows.Err()
}

// AddRuntimeMonitor stores a monitor created through the API.
func (d *DB) AddRuntimeMonitor(ctx context.Context, m store.RuntimeMonitor) (int64, error) {
	res, err := d.db.ExecContext(ctx, `INSERT INTO runtime_monitors (name, spec, created_by, created) VALUES (?, ?, ?, ?)`,
		m.Name, string(m.Spec), m.CreatedBy, nanos(m.Created))
	if err != nil {
		return 0, conflict(err, "add monitor "+m.Name)
	}
	return res.LastInsertId()
}

// ListRuntimeMonitors returns the runtime monitors ordered by name.
func (d *DB) ListRuntimeMonitors(ctx context.Context) ([]store.RuntimeMonitor, error) {
	rows, err := d.db.QueryContext(ctx, `SELECT id, name, spec, created_by, created FROM runtime_monitors ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("list runtime monitors: %w", err)
	}
	defer rows.Close()
	var out []store.RuntimeMonitor
	for rows.Next() {
		var m store.RuntimeMonitor
		var spec string
		var at int64
		if err := rows.Scan(&m.ID, &m.Name, &spec, &m.CreatedBy, &at); err != nil {
			return nil, fmt.Errorf("list runtime monitors: %w", err)
		}
		m.Spec, m.Created = []byte(spec), fromNanos(at)
		out = append(out, m)
	}
	return out, rows.Err()
}

// DeleteRuntimeMonitor removes a runtime monitor by name.
func (d *DB) DeleteRuntimeMonitor(ctx context.Context, name string) error {
	res, err := d.db.ExecContext(ctx, `DELETE FROM runtime_monitors WHERE name = ?`, name)
	return affected(res, err, "delete monitor "+name)
}
