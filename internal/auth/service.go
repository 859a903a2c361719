package auth

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/portwatch/portwatch/internal/store"
)

// Errors a login or a credential check can end with.
var (
	ErrUnauthenticated = errors.New("auth: not authenticated")
	ErrBadCredentials  = errors.New("auth: wrong user name or password")
	ErrRateLimited     = errors.New("auth: too many failed logins")
	ErrCSRF            = errors.New("auth: missing or wrong CSRF token")
)

// RateLimitError says when a rate-limited login may be tried again.
type RateLimitError struct{ RetryAfter time.Duration }

func (e *RateLimitError) Error() string {
	return fmt.Sprintf("too many failed logins; try again in %s", e.RetryAfter.Round(time.Second))
}

// Unwrap makes errors.Is(err, ErrRateLimited) hold.
func (e *RateLimitError) Unwrap() error { return ErrRateLimited }

// Options tune a Service. Zero fields take the defaults.
type Options struct {
	// Hash are the argon2id parameters for new password hashes.
	Hash HashParams
	// SessionIdle ends a session not used for this long (default 12 h);
	// SessionMax ends any session this long after login (default 7 days).
	SessionIdle time.Duration
	SessionMax  time.Duration
	// LoginFailures failed logins per user name and per client address
	// within LoginWindow block further attempts until the window ends
	// (defaults 5 and 15 min).
	LoginFailures int
	LoginWindow   time.Duration
	// Now is the clock (default time.Now).
	Now    func() time.Time
	Logger *slog.Logger
}

// Service checks credentials against the store.
type Service struct {
	st      store.Accounts
	opts    Options
	byUser  *Limiter
	byAddr  *Limiter
	hashing chan struct{} // bounds concurrent argon2 work (memory and CPU)
	dummy   string        // hash checked for unknown users, so timing does not tell

	touchMu sync.Mutex
	touched map[int64]time.Time // token id -> last last_used write
}

// NewService returns a Service over st.
func NewService(st store.Accounts, opts Options) (*Service, error) {
	if opts.Hash.Memory == 0 {
		opts.Hash = DefaultHashParams()
	}
	if opts.SessionIdle <= 0 {
		opts.SessionIdle = 12 * time.Hour
	}
	if opts.SessionMax <= 0 {
		opts.SessionMax = 7 * 24 * time.Hour
	}
	if opts.LoginFailures <= 0 {
		opts.LoginFailures = 5
	}
	if opts.LoginWindow <= 0 {
		opts.LoginWindow = 15 * time.Minute
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	dummy, err := HashPassword("portwatch-dummy-password", opts.Hash)
	if err != nil {
		return nil, err
	}
	return &Service{st: st, opts: opts, dummy: dummy,
		byUser:  NewLimiter(opts.LoginFailures, opts.LoginWindow),
		byAddr:  NewLimiter(opts.LoginFailures*4, opts.LoginWindow),
		hashing: make(chan struct{}, 2),
		touched: map[int64]time.Time{},
	}, nil
}

// Store returns the accounts store.
func (s *Service) Store() store.Accounts { return s.st }

func (s *Service) verify(ctx context.Context, pw, hash string) error {
	select {
	case s.hashing <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	defer func() { <-s.hashing }()
	return VerifyPassword(pw, hash)
}

// HashPassword hashes pw with the service's parameters after checking
// the password policy.
func (s *Service) HashPassword(pw string) (string, error) {
	if err := CheckPasswordPolicy(pw); err != nil {
		return "", err
	}
	return HashPassword(pw, s.opts.Hash)
}

// AddUser creates a user.
func (s *Service) AddUser(ctx context.Context, name, password string, role Role) (store.User, error) {
	if err := CheckUserName(name); err != nil {
		return store.User{}, err
	}
	if !role.Allows(RoleViewer) {
		return store.User{}, errors.New("a user needs a role: viewer, operator or admin")
	}
	h, err := s.HashPassword(password)
	if err != nil {
		return store.User{}, err
	}
	u := store.User{Name: name, Role: role.String(), PasswordHash: h, Created: s.opts.Now().UTC()}
	if u.ID, err = s.st.AddUser(ctx, u); err != nil {
		return store.User{}, err
	}
	return u, nil
}

// CheckUserName accepts 1-64 letters, digits and . _ @ -.
func CheckUserName(name string) error {
	if name == "" || len(name) > 64 {
		return errors.New("user name: 1 to 64 characters")
	}
	for _, c := range name {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.ContainsRune("._@-", c)) {
			return fmt.Errorf("user name %q: only letters, digits and . _ @ -", name)
		}
	}
	return nil
}

// SetPassword replaces a user's password and clears must-change.
func (s *Service) SetPassword(ctx context.Context, userID int64, password string) error {
	u, err := s.st.GetUserByID(ctx, userID)
	if err != nil {
		return err
	}
	if u.PasswordHash, err = s.HashPassword(password); err != nil {
		return err
	}
	u.MustChange = false
	return s.st.UpdateUser(ctx, u)
}

// CheckPassword verifies a user's current password.
func (s *Service) CheckPassword(ctx context.Context, userID int64, password string) error {
	u, err := s.st.GetUserByID(ctx, userID)
	if err != nil {
		return err
	}
	return s.verify(ctx, password, u.PasswordHash)
}

// CreateToken makes a token and returns its secret, which is shown once
// and never stored. ttl 0 means no expiry.
func (s *Service) CreateToken(ctx context.Context, name string, role Role, ttl time.Duration, by string) (string, store.Token, error) {
	if name == "" || len(name) > 100 {
		return "", store.Token{}, errors.New("token name: 1 to 100 characters")
	}
	if !role.Allows(RoleViewer) {
		return "", store.Token{}, errors.New("a token needs a role: viewer, operator or admin")
	}
	if ttl < 0 {
		return "", store.Token{}, errors.New("token expiry must be in the future")
	}
	secret, err := newToken()
	if err != nil {
		return "", store.Token{}, err
	}
	now := s.opts.Now().UTC()
	t := store.Token{Name: name, Prefix: secret[:displayPrefixLen], Hash: digest(secret), Role: role.String(), CreatedBy: by, Created: now}
	if ttl > 0 {
		exp := now.Add(ttl)
		t.Expires = &exp
	}
	if t.ID, err = s.st.AddToken(ctx, t); err != nil {
		return "", store.Token{}, err
	}
	return secret, t, nil
}

// Bootstrap makes sure someone can log in. With no users at all it
// creates "admin" (role admin) with a random one-time password and
// returns it; while that admin has never logged in, every start replaces
// the password with a new one and returns it (the old one was only
// printed to a log that may be gone). Otherwise it returns "".
func (s *Service) Bootstrap(ctx context.Context) (user, secret string, err error) {
	n, err := s.st.CountUsers(ctx)
	if err != nil {
		return "", "", err
	}
	secret, err = randomString(18)
	if err != nil {
		return "", "", err
	}
	h, err := HashPassword(secret, s.opts.Hash)
	if err != nil {
		return "", "", err
	}
	if n == 0 {
		_, err := s.st.AddUser(ctx, store.User{Name: "admin", Role: RoleAdmin.String(), PasswordHash: h, MustChange: true, Created: s.opts.Now().UTC()})
		if err != nil {
			return "", "", fmt.Errorf("bootstrap admin: %w", err)
		}
		return "admin", secret, nil
	}
	if n == 1 {
		u, err := s.st.GetUser(ctx, "admin")
		if err == nil && u.MustChange && u.LastLogin == nil {
			u.PasswordHash = h
			if err := s.st.UpdateUser(ctx, u); err != nil {
				return "", "", fmt.Errorf("bootstrap admin: %w", err)
			}
			return "admin", secret, nil
		}
	}
	return "", "", nil
}

// Login checks a user name and password from remote (an address) and
// opens a session. It returns the cookie value and the principal.
// Failures are rate limited per user name and per address.
func (s *Service) Login(ctx context.Context, name, password, remote string) (string, *Principal, error) {
	now := s.opts.Now()
	host := clientHost(remote)
	if ok, wait := s.byAddr.Allow(host, now); !ok {
		return "", nil, &RateLimitError{RetryAfter: wait}
	}
	if ok, wait := s.byUser.Allow(strings.ToLower(name), now); !ok {
		return "", nil, &RateLimitError{RetryAfter: wait}
	}
	fail := func() (string, *Principal, error) {
		s.byAddr.Fail(host, now)
		s.byUser.Fail(strings.ToLower(name), now)
		return "", nil, ErrBadCredentials
	}
	u, err := s.st.GetUser(ctx, name)
	if errors.Is(err, store.ErrNotFound) {
		_ = s.verify(ctx, password, s.dummy)
		return fail()
	}
	if err != nil {
		return "", nil, err
	}
	if err := s.verify(ctx, password, u.PasswordHash); err != nil {
		if errors.Is(err, ErrMismatch) {
			return fail()
		}
		return "", nil, err
	}
	if u.Disabled {
		return fail()
	}
	s.byUser.Succeed(strings.ToLower(name))
	role, err := ParseRole(u.Role)
	if err != nil {
		return "", nil, fmt.Errorf("user %s: %w", u.Name, err)
	}
	value, err := randomString(32)
	if err != nil {
		return "", nil, err
	}
	csrf, err := randomString(32)
	if err != nil {
		return "", nil, err
	}
	sess := store.Session{Hash: digest(value), UserID: u.ID, CSRF: csrf, Created: now.UTC(), LastSeen: now.UTC(), Expires: now.Add(s.opts.SessionIdle).UTC()}
	if sess.ID, err = s.st.AddSession(ctx, sess); err != nil {
		return "", nil, err
	}
	if err := s.st.TouchLogin(ctx, u.ID, now.UTC()); err != nil {
		return "", nil, err
	}
	return value, &Principal{Kind: "user", Name: u.Name, Role: role, UserID: u.ID, SessionID: sess.ID, CSRF: csrf, MustChangePassword: u.MustChange}, nil
}

// Logout ends a session.
func (s *Service) Logout(ctx context.Context, p *Principal) error {
	if p == nil || p.SessionID == 0 {
		return nil
	}
	return s.st.DeleteSession(ctx, p.SessionID)
}

// Authenticate returns the principal of r from its bearer token or its
// session cookie, ErrUnauthenticated when it has neither or they are not
// valid (unknown, expired, revoked).
func (s *Service) Authenticate(r *http.Request) (*Principal, error) {
	if h := r.Header.Get("Authorization"); h != "" {
		scheme, value, _ := strings.Cut(h, " ")
		if !strings.EqualFold(scheme, "Bearer") {
			return nil, ErrUnauthenticated
		}
		return s.tokenPrincipal(r.Context(), strings.TrimSpace(value))
	}
	if c, err := r.Cookie(SessionCookie(r.TLS != nil)); err == nil && c.Value != "" {
		return s.sessionPrincipal(r.Context(), c.Value)
	}
	return nil, ErrUnauthenticated
}

func (s *Service) tokenPrincipal(ctx context.Context, secret string) (*Principal, error) {
	if !looksLikeToken(secret) {
		return nil, ErrUnauthenticated
	}
	t, err := s.st.TokenByHash(ctx, digest(secret))
	if errors.Is(err, store.ErrNotFound) {
		return nil, ErrUnauthenticated
	}
	if err != nil {
		return nil, err
	}
	now := s.opts.Now()
	if t.Revoked != nil || (t.Expires != nil && !now.Before(*t.Expires)) {
		return nil, ErrUnauthenticated
	}
	role, err := ParseRole(t.Role)
	if err != nil {
		return nil, ErrUnauthenticated
	}
	s.touchToken(ctx, t.ID, now)
	return &Principal{Kind: "token", Name: t.Name, Role: role, TokenID: t.ID}, nil
}

// touchToken records last-used at most once a minute per token.
func (s *Service) touchToken(ctx context.Context, id int64, now time.Time) {
	s.touchMu.Lock()
	last, ok := s.touched[id]
	if ok && now.Sub(last) < time.Minute {
		s.touchMu.Unlock()
		return
	}
	s.touched[id] = now
	s.touchMu.Unlock()
	if err := s.st.TouchToken(ctx, id, now.UTC()); err != nil {
		s.opts.Logger.Warn("record token use", "token", id, "err", err)
	}
}

func (s *Service) sessionPrincipal(ctx context.Context, value string) (*Principal, error) {
	if len(value) != 43 {
		return nil, ErrUnauthenticated
	}
	sess, err := s.st.SessionByHash(ctx, digest(value))
	if errors.Is(err, store.ErrNotFound) {
		return nil, ErrUnauthenticated
	}
	if err != nil {
		return nil, err
	}
	now := s.opts.Now()
	if !now.Before(sess.Expires) || now.Sub(sess.Created) >= s.opts.SessionMax {
		_ = s.st.DeleteSession(ctx, sess.ID)
		return nil, ErrUnauthenticated
	}
	u, err := s.st.GetUserByID(ctx, sess.UserID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, ErrUnauthenticated
	}
	if err != nil {
		return nil, err
	}
	role, err := ParseRole(u.Role)
	if err != nil || u.Disabled {
		return nil, ErrUnauthenticated
	}
	if now.Sub(sess.LastSeen) >= time.Minute {
		if err := s.st.TouchSession(ctx, sess.ID, now.UTC(), now.Add(s.opts.SessionIdle).UTC()); err != nil {
			s.opts.Logger.Warn("extend session", "err", err)
		}
	}
	return &Principal{Kind: "user", Name: u.Name, Role: role, UserID: u.ID, SessionID: sess.ID, CSRF: sess.CSRF, MustChangePassword: u.MustChange}, nil
}

// CheckCSRF verifies that a state-changing request made with a session
// cookie carries the session's CSRF token (header X-CSRF-Token or form
// field csrf_token). Token-authenticated requests need none: a browser
// never attaches a bearer token by itself.
func CheckCSRF(r *http.Request, p *Principal) error {
	if p == nil || p.SessionID == 0 {
		return nil
	}
	got := r.Header.Get("X-CSRF-Token")
	if got == "" {
		got = r.PostFormValue("csrf_token")
	}
	if got == "" || subtle.ConstantTimeCompare([]byte(got), []byte(p.CSRF)) != 1 {
		return ErrCSRF
	}
	return nil
}

// SessionCookie is the session cookie's name: with TLS the __Host-
// prefix, which browsers accept only on a Secure, host-only cookie of
// path /.
func SessionCookie(tls bool) string {
	if tls {
		return "__Host-portwatch_session"
	}
	return "portwatch_session"
}

// SetSessionCookie sets the session cookie on w: HttpOnly, SameSite=Lax,
// path /, Secure whenever the request came over TLS. (A plain-HTTP
// listener is only allowed on loopback, where browsers would drop a
// Secure cookie.)
func (s *Service) SetSessionCookie(w http.ResponseWriter, r *http.Request, value string) {
	http.SetCookie(w, &http.Cookie{Name: SessionCookie(r.TLS != nil), Value: value, Path: "/", HttpOnly: true,
		Secure: r.TLS != nil, SameSite: http.SameSiteLaxMode, MaxAge: int(s.opts.SessionMax.Seconds())})
}

// ClearSessionCookie removes the session cookie.
func ClearSessionCookie(w http.ResponseWriter, r *http.Request) {
	http.SetCookie(w, &http.Cookie{Name: SessionCookie(r.TLS != nil), Value: "", Path: "/", HttpOnly: true,
		Secure: r.TLS != nil, SameSite: http.SameSiteLaxMode, MaxAge: -1})
}

// clientHost is the address part of a RemoteAddr.
func clientHost(remote string) string {
	if h, _, err := net.SplitHostPort(remote); err == nil {
		return h
	}
	return remote
}
