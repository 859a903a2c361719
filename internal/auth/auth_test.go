package auth

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/portwatch/portwatch/internal/store/sqlite"
)

var cheap = HashParams{Memory: 64, Time: 1, Threads: 1}

type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

func newService(t *testing.T) (*Service, *clock) {
	t.Helper()
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "pw.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	c := &clock{t: time.Date(2026, 5, 1, 8, 0, 0, 0, time.UTC)}
	s, err := NewService(st, Options{Hash: cheap, Now: c.now})
	if err != nil {
		t.Fatal(err)
	}
	return s, c
}

func TestPasswordHash(t *testing.T) {
	h, err := HashPassword("correct horse battery", DefaultHashParams())
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Fatalf("hash %q", h)
	}
	if err := VerifyPassword("correct horse battery", h); err != nil {
		t.Fatal(err)
	}
	if err := VerifyPassword("correct horse batterY", h); !errors.Is(err, ErrMismatch) {
		t.Fatalf("wrong password: %v", err)
	}
	for _, bad := range []string{"", "$argon2id$v=19$m=0,t=1,p=1$AAAA$AAAA", "$bcrypt$x", "$argon2id$v=19$m=64,t=1,p=1$!!$AAAA", "$argon2id$v=19$m=99999999,t=1,p=1$AAAA$AAAA"} {
		if err := VerifyPassword("x", bad); err == nil || errors.Is(err, ErrMismatch) {
			t.Errorf("hash %q: err = %v, want a malformed-hash error", bad, err)
		}
	}
	if err := CheckPasswordPolicy("short"); err == nil {
		t.Error("short password accepted")
	}
}

func TestLimiter(t *testing.T) {
	l := NewLimiter(3, time.Minute)
	now := time.Unix(1000, 0)
	for i := 0; i < 3; i++ {
		if ok, _ := l.Allow("k", now); !ok {
			t.Fatalf("attempt %d refused", i)
		}
		l.Fail("k", now)
	}
	ok, wait := l.Allow("k", now.Add(10*time.Second))
	if ok || wait != 50*time.Second {
		t.Fatalf("after 3 failures: ok=%v wait=%v", ok, wait)
	}
	if ok, _ := l.Allow("other", now); !ok {
		t.Fatal("another key refused")
	}
	if ok, _ := l.Allow("k", now.Add(time.Minute)); !ok {
		t.Fatal("refused after the window")
	}
	l.Fail("k", now.Add(time.Minute))
	l.Succeed("k")
	if ok, _ := l.Allow("k", now.Add(time.Minute)); !ok {
		t.Fatal("refused after success")
	}
}

func bearer(secret string) *http.Request {
	r := httptest.NewRequest("GET", "/api/v1/hosts", nil)
	r.Header.Set("Authorization", "Bearer "+secret)
	return r
}

func TestTokens(t *testing.T) {
	s, c := newService(t)
	ctx := context.Background()
	secret, tok, err := s.CreateToken(ctx, "ci", RoleViewer, time.Hour, "user:admin")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(secret, "pwt_") || len(secret) != 47 || tok.Prefix != secret[:12] {
		t.Fatalf("secret %q prefix %q", secret, tok.Prefix)
	}
	stored, err := s.st.TokenByHash(ctx, digest(secret))
	if err != nil || strings.Contains(string(stored.Hash), secret) {
		t.Fatalf("stored token: %v", err)
	}
	p, err := s.Authenticate(bearer(secret))
	if err != nil || p.Role != RoleViewer || p.Name != "ci" || p.Actor() != "token:ci" {
		t.Fatalf("principal %+v, %v", p, err)
	}
	ts, _ := s.st.ListTokens(ctx)
	if ts[0].LastUsed == nil || !ts[0].LastUsed.Equal(c.t) {
		t.Fatalf("last used %v", ts[0].LastUsed)
	}
	for _, bad := range []string{secret + "x", "pwt_" + strings.Repeat("A", 43), "nonsense", ""} {
		if _, err := s.Authenticate(bearer(bad)); !errors.Is(err, ErrUnauthenticated) {
			t.Errorf("token %q: err = %v", bad, err)
		}
	}
	r := httptest.NewRequest("GET", "/", nil)
	r.Header.Set("Authorization", "Basic "+secret)
	if _, err := s.Authenticate(r); !errors.Is(err, ErrUnauthenticated) {
		t.Errorf("basic scheme: %v", err)
	}
	c.t = c.t.Add(time.Hour)
	if _, err := s.Authenticate(bearer(secret)); !errors.Is(err, ErrUnauthenticated) {
		t.Errorf("expired token: %v", err)
	}
	secret2, tok2, err := s.CreateToken(ctx, "forever", RoleOperator, 0, "cli")
	if err != nil || tok2.Expires != nil {
		t.Fatal(err)
	}
	if err := s.st.RevokeToken(ctx, tok2.ID, c.t); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Authenticate(bearer(secret2)); !errors.Is(err, ErrUnauthenticated) {
		t.Errorf("revoked token: %v", err)
	}
}

func TestLoginSessionCSRF(t *testing.T) {
	s, c := newService(t)
	ctx := context.Background()
	if _, err := s.AddUser(ctx, "alice", "alice-password-1", RoleOperator); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.Login(ctx, "alice", "wrong-password", "192.0.2.1:5000"); !errors.Is(err, ErrBadCredentials) {
		t.Fatalf("wrong password: %v", err)
	}
	if _, _, err := s.Login(ctx, "nobody", "whatever-password", "192.0.2.1:5000"); !errors.Is(err, ErrBadCredentials) {
		t.Fatalf("unknown user: %v", err)
	}
	value, p, err := s.Login(ctx, "alice", "alice-password-1", "192.0.2.1:5000")
	if err != nil || p.Role != RoleOperator || p.CSRF == "" {
		t.Fatalf("login: %+v %v", p, err)
	}
	w := httptest.NewRecorder()
	s.SetSessionCookie(w, httptest.NewRequest("POST", "/login", nil), value)
	ck := w.Result().Cookies()[0]
	if !ck.HttpOnly || ck.SameSite != http.SameSiteLaxMode || ck.Secure || ck.Name != "portwatch_session" {
		t.Fatalf("cookie %+v", ck)
	}
	tlsReq := httptest.NewRequest("POST", "https://x/login", nil)
	w = httptest.NewRecorder()
	s.SetSessionCookie(w, tlsReq, value)
	if ck := w.Result().Cookies()[0]; !ck.Secure || ck.Name != "__Host-portwatch_session" {
		t.Fatalf("TLS cookie %+v", ck)
	}

	req := func(method, csrf string) *http.Request {
		form := url.Values{}
		if csrf != "" {
			form.Set("csrf_token", csrf)
		}
		r := httptest.NewRequest(method, "/findings/1/ack", strings.NewReader(form.Encode()))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		r.AddCookie(&http.Cookie{Name: "portwatch_session", Value: value})
		return r
	}
	got, err := s.Authenticate(req("POST", ""))
	if err != nil || got.Name != "alice" || got.SessionID != p.SessionID {
		t.Fatalf("session principal %+v %v", got, err)
	}
	if err := CheckCSRF(req("POST", ""), got); !errors.Is(err, ErrCSRF) {
		t.Errorf("no CSRF token: %v", err)
	}
	if err := CheckCSRF(req("POST", "forged"), got); !errors.Is(err, ErrCSRF) {
		t.Errorf("wrong CSRF token: %v", err)
	}
	if err := CheckCSRF(req("POST", p.CSRF), got); err != nil {
		t.Errorf("right CSRF token: %v", err)
	}
	hr := req("POST", "")
	hr.Header.Set("X-CSRF-Token", p.CSRF)
	if err := CheckCSRF(hr, got); err != nil {
		t.Errorf("CSRF header: %v", err)
	}
	// Idle expiry.
	c.t = c.t.Add(13 * time.Hour)
	if _, err := s.Authenticate(req("GET", "")); !errors.Is(err, ErrUnauthenticated) {
		t.Errorf("idle session: %v", err)
	}
	value, p, err = s.Login(ctx, "alice", "alice-password-1", "192.0.2.1:5000")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Logout(ctx, p); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Authenticate(req("GET", "")); !errors.Is(err, ErrUnauthenticated) {
		t.Errorf("after logout: %v", err)
	}
}

func TestLoginRateLimit(t *testing.T) {
	s, c := newService(t)
	ctx := context.Background()
	if _, err := s.AddUser(ctx, "bob", "bob-password-1", RoleViewer); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 5; i++ {
		if _, _, err := s.Login(ctx, "bob", "guess-"+string(rune('a'+i))+"-xxxx", "198.51.100.7:1"); !errors.Is(err, ErrBadCredentials) {
			t.Fatalf("guess %d: %v", i, err)
		}
	}
	_, _, err := s.Login(ctx, "bob", "bob-password-1", "198.51.100.8:1")
	var rl *RateLimitError
	if !errors.As(err, &rl) || rl.RetryAfter != 15*time.Minute {
		t.Fatalf("6th attempt with the right password: %v", err)
	}
	// Another user from the same address is still allowed (per-address limit is 4x).
	if _, err := s.AddUser(ctx, "carol", "carol-password-1", RoleViewer); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.Login(ctx, "carol", "carol-password-1", "198.51.100.7:1"); err != nil {
		t.Fatalf("carol: %v", err)
	}
	c.t = c.t.Add(15 * time.Minute)
	if _, _, err := s.Login(ctx, "bob", "bob-password-1", "198.51.100.7:1"); err != nil {
		t.Fatalf("after the window: %v", err)
	}
}

func TestBootstrap(t *testing.T) {
	s, _ := newService(t)
	ctx := context.Background()
	user, secret, err := s.Bootstrap(ctx)
	if err != nil || user != "admin" || len(secret) < 20 {
		t.Fatalf("bootstrap: %q %q %v", user, secret, err)
	}
	// Not logged in yet: a restart prints a new secret and the old one stops working.
	_, secret2, err := s.Bootstrap(ctx)
	if err != nil || secret2 == "" || secret2 == secret {
		t.Fatalf("second bootstrap: %q %v", secret2, err)
	}
	if _, _, err := s.Login(ctx, "admin", secret, "127.0.0.1:1"); !errors.Is(err, ErrBadCredentials) {
		t.Fatalf("old secret: %v", err)
	}
	_, p, err := s.Login(ctx, "admin", secret2, "127.0.0.1:1")
	if err != nil || !p.MustChangePassword || p.Role != RoleAdmin {
		t.Fatalf("login with the secret: %+v %v", p, err)
	}
	if _, secret3, _ := s.Bootstrap(ctx); secret3 != "" {
		t.Fatal("bootstrap again after the admin logged in")
	}
	if err := s.SetPassword(ctx, p.UserID, "a-new-admin-password"); err != nil {
		t.Fatal(err)
	}
	_, p, err = s.Login(ctx, "admin", "a-new-admin-password", "127.0.0.1:1")
	if err != nil || p.MustChangePassword {
		t.Fatalf("after the change: %+v %v", p, err)
	}
}
