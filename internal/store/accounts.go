package store

import (
	"context"
	"encoding/json"
	"time"
)

// User is a person who logs in to the dashboard or API.
type User struct {
	ID           int64      `json:"id"`
	Name         string     `json:"name"`
	Role         string     `json:"role"`
	PasswordHash string     `json:"-"`
	MustChange   bool       `json:"must_change_password"`
	Created      time.Time  `json:"created"`
	LastLogin    *time.Time `json:"last_login,omitempty"`
	Disabled     bool       `json:"disabled"`
}

// Token is an API token. Only a digest of the secret is stored; Prefix is
// its first characters, enough to recognise it in a list.
type Token struct {
	ID        int64      `json:"id"`
	Name      string     `json:"name"`
	Prefix    string     `json:"prefix"`
	Hash      []byte     `json:"-"`
	Role      string     `json:"role"`
	CreatedBy string     `json:"created_by"`
	Created   time.Time  `json:"created"`
	Expires   *time.Time `json:"expires,omitempty"`
	LastUsed  *time.Time `json:"last_used,omitempty"`
	Revoked   *time.Time `json:"revoked,omitempty"`
}

// Session is a logged-in browser. Only a digest of the cookie value is
// stored.
type Session struct {
	ID       int64
	Hash     []byte
	UserID   int64
	CSRF     string
	Created  time.Time
	Expires  time.Time
	LastSeen time.Time
}

// AuditEntry records one write through the API or dashboard (or an
// account change from the CLI).
type AuditEntry struct {
	ID     int64     `json:"id"`
	Time   time.Time `json:"time"`
	Actor  string    `json:"actor"`
	Action string    `json:"action"`
	Object string    `json:"object"`
	Detail string    `json:"detail,omitempty"`
	Remote string    `json:"remote,omitempty"`
	Status int       `json:"status"`
}

// AuditFilter selects audit entries, newest first. Zero fields match
// anything.
type AuditFilter struct {
	Actor string
	From  time.Time
	To    time.Time
	Page
}

// RuntimeMonitor is a monitor created through the API: stored in the
// database, merged with the configuration's monitors at (re)load.
type RuntimeMonitor struct {
	ID        int64           `json:"id"`
	Name      string          `json:"name"`
	Spec      json.RawMessage `json:"spec"`
	CreatedBy string          `json:"created_by"`
	Created   time.Time       `json:"created"`
}

// Accounts is the part of a backend that the API and dashboard need:
// users, tokens, sessions, the audit log and runtime monitors.
type Accounts interface {
	// AddUser stores a user and returns its ID; a taken name is an error.
	AddUser(ctx context.Context, u User) (int64, error)
	// GetUser returns a user by name, or ErrNotFound.
	GetUser(ctx context.Context, name string) (User, error)
	// GetUserByID returns a user by ID, or ErrNotFound.
	GetUserByID(ctx context.Context, id int64) (User, error)
	// ListUsers returns every user ordered by name.
	ListUsers(ctx context.Context) ([]User, error)
	// UpdateUser writes a user's role, password hash, must-change and
	// disabled flags; ErrNotFound for an unknown ID.
	UpdateUser(ctx context.Context, u User) error
	// DeleteUser removes a user and its sessions; ErrNotFound for an unknown ID.
	DeleteUser(ctx context.Context, id int64) error
	// CountUsers returns how many users exist.
	CountUsers(ctx context.Context) (int, error)
	// TouchLogin records a successful login.
	TouchLogin(ctx context.Context, id int64, at time.Time) error

	// AddToken stores a token and returns its ID.
	AddToken(ctx context.Context, t Token) (int64, error)
	// TokenByHash returns the token with that digest (revoked and expired
	// ones too: the caller decides), or ErrNotFound.
	TokenByHash(ctx context.Context, hash []byte) (Token, error)
	// ListTokens returns every token, newest first.
	ListTokens(ctx context.Context) ([]Token, error)
	// TouchToken records a use of a token (at most once a minute is
	// enough for callers to ask).
	TouchToken(ctx context.Context, id int64, at time.Time) error
	// RevokeToken revokes a token; ErrNotFound for an unknown ID.
	RevokeToken(ctx context.Context, id int64, at time.Time) error

	// AddSession stores a session and returns its ID.
	AddSession(ctx context.Context, s Session) (int64, error)
	// SessionByHash returns a session by digest, or ErrNotFound.
	SessionByHash(ctx context.Context, hash []byte) (Session, error)
	// TouchSession moves a session's last-seen and expiry.
	TouchSession(ctx context.Context, id int64, lastSeen, expires time.Time) error
	// DeleteSession removes a session (logout).
	DeleteSession(ctx context.Context, id int64) error
	// DeleteExpiredSessions removes sessions that expired before now.
	DeleteExpiredSessions(ctx context.Context, now time.Time) (int64, error)

	// AddAudit appends an audit entry.
	AddAudit(ctx context.Context, e AuditEntry) error
	// ListAudit returns audit entries newest first.
	ListAudit(ctx context.Context, f AuditFilter) ([]AuditEntry, error)

	// AddRuntimeMonitor stores a monitor created through the API; a taken
	// name is an error.
	AddRuntimeMonitor(ctx context.Context, m RuntimeMonitor) (int64, error)
	// ListRuntimeMonitors returns them ordered by name.
	ListRuntimeMonitors(ctx context.Context) ([]RuntimeMonitor, error)
	// DeleteRuntimeMonitor removes one by name; ErrNotFound if absent.
	DeleteRuntimeMonitor(ctx context.Context, name string) error
}

// Backend is a store with every part: history, alerting and accounts.
// The API, the dashboard and the HTTP server take one.
type Backend interface {
	Store
	Alerting
	Accounts
}
