package auth

import "context"

// Principal is who made a request.
type Principal struct {
	// Kind is "user" (a browser session) or "token".
	Kind string `json:"kind"`
	// Name is the user name, or the token's name.
	Name string `json:"name"`
	Role Role   `json:"role"`
	// UserID is set for users, TokenID for tokens, SessionID and CSRF for
	// browser sessions.
	UserID    int64  `json:"-"`
	TokenID   int64  `json:"-"`
	SessionID int64  `json:"-"`
	CSRF      string `json:"-"`
	// MustChangePassword is set while a user (the bootstrap admin) still
	// has a one-time password: only changing it is allowed.
	MustChangePassword bool `json:"must_change_password,omitempty"`
}

// Actor names the principal in the audit log: "user:alice",
// "token:prometheus".
func (p *Principal) Actor() string {
	if p == nil {
		return "anonymous"
	}
	return p.Kind + ":" + p.Name
}

type principalKey struct{}

// WithPrincipal returns ctx carrying p.
func WithPrincipal(ctx context.Context, p *Principal) context.Context {
	return context.WithValue(ctx, principalKey{}, p)
}

// FromContext returns the request's principal, or nil.
func FromContext(ctx context.Context) *Principal {
	p, _ := ctx.Value(principalKey{}).(*Principal)
	return p
}
