package api_test

import (
	"net/http"
	"testing"

	"github.com/portwatch/portwatch/internal/auth"
)

func TestSessionNeedsCSRFForWrites(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	if _, err := e.au.AddUser(ctx, "alice", "correct horse battery", auth.RoleOperator); err != nil {
		t.Fatal(err)
	}
	cookie, p, err := e.au.Login(ctx, "alice", "correct horse battery", "127.0.0.1:1")
	if err != nil {
		t.Fatal(err)
	}
	sess := map[string]string{"Cookie": auth.SessionCookie(false) + "=" + cookie}
	body := map[string]any{"matchers": []string{"host=127.0.0.1"}, "duration": "1h", "comment": "csrf test"}
	if res, b := e.do(http.MethodGet, "/api/v1/me", req{headers: sess}); res.StatusCode != http.StatusOK {
		t.Fatalf("GET /me with a session: %d %s", res.StatusCode, b)
	}
	res, b := e.do(http.MethodPost, "/api/v1/silences", req{headers: sess, body: body})
	if res.StatusCode != http.StatusForbidden || decodeJSON[apiErr](t, b).Error.Code != "csrf" {
		t.Fatalf("POST without CSRF token: %d %s, want 403 csrf", res.StatusCode, b)
	}
	withToken := map[string]string{"Cookie": sess["Cookie"], "X-CSRF-Token": p.CSRF}
	if res, b := e.do(http.MethodPost, "/api/v1/silences", req{headers: withToken, body: body}); res.StatusCode != http.StatusCreated {
		t.Fatalf("POST with CSRF token: %d %s", res.StatusCode, b)
	}
}

func TestOneTimePasswordAllowsOnlyThePasswordChange(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	user, secret, err := e.au.Bootstrap(ctx)
	if err != nil || secret == "" {
		t.Fatalf("bootstrap: %q %v", secret, err)
	}
	cookie, p, err := e.au.Login(ctx, user, secret, "127.0.0.1:1")
	if err != nil || !p.MustChangePassword {
		t.Fatalf("login: %+v %v", p, err)
	}
	h := map[string]string{"Cookie": auth.SessionCookie(false) + "=" + cookie, "X-CSRF-Token": p.CSRF}
	for _, path := range []string{"/api/v1/me", "/api/v1/endpoints", "/api/v1/users"} {
		res, b := e.do(http.MethodGet, path, req{headers: h})
		if res.StatusCode != http.StatusForbidden || decodeJSON[apiErr](t, b).Error.Code != "password_change_required" {
			t.Errorf("GET %s with a one-time password: %d %s", path, res.StatusCode, b)
		}
	}
	res, b := e.do(http.MethodPost, "/api/v1/me/password", req{headers: h, body: map[string]string{"current": "wrong", "new": "a new long password"}})
	if res.StatusCode != http.StatusBadRequest {
		t.Fatalf("password change with a wrong current password: %d %s", res.StatusCode, b)
	}
	res, b = e.do(http.MethodPost, "/api/v1/me/password", req{headers: h, body: map[string]string{"current": secret, "new": "a new long password"}})
	if res.StatusCode != http.StatusNoContent {
		t.Fatalf("password change: %d %s", res.StatusCode, b)
	}
	if res, b := e.do(http.MethodGet, "/api/v1/me", req{headers: h}); res.StatusCode != http.StatusOK {
		t.Fatalf("GET /me after the change: %d %s", res.StatusCode, b)
	}
}
