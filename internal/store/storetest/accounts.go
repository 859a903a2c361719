package storetest

import (
	"bytes"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/portwatch/portwatch/internal/store"
)

// AccountsBackend is a backend with the account tables.
type AccountsBackend interface {
	store.Store
	store.Accounts
}

// RunAccounts runs the user, token, session, audit and runtime-monitor
// scenarios against fresh backends from open.
func RunAccounts(t *testing.T, open func(t *testing.T) AccountsBackend) {
	for _, sc := range []struct {
		name string
		fn   func(t *testing.T, s AccountsBackend)
	}{
		{"Users", testUsers},
		{"Tokens", testTokens},
		{"Sessions", testSessions},
		{"Audit", testAudit},
		{"RuntimeMonitors", testRuntimeMonitors},
	} {
		t.Run(sc.name, func(t *testing.T) {
			s := open(t)
			defer s.Close()
			sc.fn(t, s)
		})
	}
}

func testUsers(t *testing.T, s AccountsBackend) {
	ctx := ctxT(t)
	n, err := s.CountUsers(ctx)
	must(t, err)
	equal(t, "users at start", n, 0)
	id, err := s.AddUser(ctx, store.User{Name: "alice", Role: "admin", PasswordHash: "$argon2id$x", MustChange: true, Created: epoch()})
	must(t, err)
	if _, err := s.AddUser(ctx, store.User{Name: "alice", Role: "viewer", PasswordHash: "h", Created: epoch()}); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("duplicate user: err = %v, want ErrConflict", err)
	}
	u, err := s.GetUser(ctx, "alice")
	must(t, err)
	equal(t, "user", []any{u.ID, u.Role, u.PasswordHash, u.MustChange, u.Created.Equal(epoch()), u.LastLogin == nil}, []any{id, "admin", "$argon2id$x", true, true, true})
	u.MustChange, u.PasswordHash, u.Role = false, "$argon2id$y", "operator"
	must(t, s.UpdateUser(ctx, u))
	must(t, s.TouchLogin(ctx, id, epoch().Add(time.Minute)))
	u, err = s.GetUserByID(ctx, id)
	must(t, err)
	equal(t, "updated user", []any{u.Role, u.PasswordHash, u.MustChange, u.LastLogin != nil && u.LastLogin.Equal(epoch().Add(time.Minute))}, []any{"operator", "$argon2id$y", false, true})
	if _, err := s.GetUser(ctx, "bob"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("unknown user: err = %v", err)
	}
	_, err = s.AddUser(ctx, store.User{Name: "bob", Role: "viewer", PasswordHash: "h", Created: epoch()})
	must(t, err)
	us, err := s.ListUsers(ctx)
	must(t, err)
	equal(t, "users", []string{us[0].Name, us[1].Name}, []string{"alice", "bob"})
	must(t, s.DeleteUser(ctx, id))
	if err := s.DeleteUser(ctx, id); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("delete twice: err = %v", err)
	}
}

func testTokens(t *testing.T, s AccountsBackend) {
	ctx := ctxT(t)
	exp := epoch().Add(24 * time.Hour)
	id, err := s.AddToken(ctx, store.Token{Name: "ci", Prefix: "pwt_abcd", Hash: []byte{1, 2, 3}, Role: "viewer", CreatedBy: "admin", Created: epoch(), Expires: &exp})
	must(t, err)
	tok, err := s.TokenByHash(ctx, []byte{1, 2, 3})
	must(t, err)
	equal(t, "token", []any{tok.ID, tok.Name, tok.Role, tok.Expires.Equal(exp), tok.LastUsed == nil, tok.Revoked == nil}, []any{id, "ci", "viewer", true, true, true})
	if _, err := s.TokenByHash(ctx, []byte{9}); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("unknown token: err = %v", err)
	}
	must(t, s.TouchToken(ctx, id, epoch().Add(time.Hour)))
	must(t, s.RevokeToken(ctx, id, epoch().Add(2*time.Hour)))
	must(t, s.RevokeToken(ctx, id, epoch().Add(3*time.Hour)))
	ts, err := s.ListTokens(ctx)
	must(t, err)
	equal(t, "tokens", len(ts), 1)
	equal(t, "used and revoked", []bool{ts[0].LastUsed.Equal(epoch().Add(time.Hour)), ts[0].Revoked.Equal(epoch().Add(2 * time.Hour))}, []bool{true, true})
	if !bytes.Equal(ts[0].Hash, []byte{1, 2, 3}) {
		t.Fatalf("hash = %x", ts[0].Hash)
	}
}

func testSessions(t *testing.T, s AccountsBackend) {
	ctx := ctxT(t)
	uid, err := s.AddUser(ctx, store.User{Name: "carol", Role: "viewer", PasswordHash: "h", Created: epoch()})
	must(t, err)
	id, err := s.AddSession(ctx, store.Session{Hash: []byte("h1"), UserID: uid, CSRF: "c", Created: epoch(), Expires: epoch().Add(time.Hour), LastSeen: epoch()})
	must(t, err)
	_, err = s.AddSession(ctx, store.Session{Hash: []byte("h2"), UserID: uid, CSRF: "d", Created: epoch(), Expires: epoch().Add(time.Minute), LastSeen: epoch()})
	must(t, err)
	se, err := s.SessionByHash(ctx, []byte("h1"))
	must(t, err)
	equal(t, "session", []any{se.ID, se.UserID, se.CSRF, se.Expires.Equal(epoch().Add(time.Hour))}, []any{id, uid, "c", true})
	must(t, s.TouchSession(ctx, id, epoch().Add(time.Minute), epoch().Add(2*time.Hour)))
	n, err := s.DeleteExpiredSessions(ctx, epoch().Add(30*time.Minute))
	must(t, err)
	equal(t, "expired sessions deleted", n, int64(1))
	must(t, s.DeleteSession(ctx, id))
	if _, err := s.SessionByHash(ctx, []byte("h1")); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("deleted session: err = %v", err)
	}
	// Deleting a user takes its sessions with it.
	_, err = s.AddSession(ctx, store.Session{Hash: []byte("h3"), UserID: uid, CSRF: "e", Created: epoch(), Expires: epoch().Add(time.Hour), LastSeen: epoch()})
	must(t, err)
	must(t, s.DeleteUser(ctx, uid))
	if _, err := s.SessionByHash(ctx, []byte("h3")); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("session of a deleted user: err = %v", err)
	}
}

func testAudit(t *testing.T, s AccountsBackend) {
	ctx := ctxT(t)
	for i, actor := range []string{"alice", "bob", "alice"} {
		must(t, s.AddAudit(ctx, store.AuditEntry{Time: epoch().Add(time.Duration(i) * time.Minute), Actor: actor, Action: "POST /api/v1/silences", Object: "silence/1", Remote: "127.0.0.1", Status: 201}))
	}
	all, err := s.ListAudit(ctx, store.AuditFilter{})
	must(t, err)
	equal(t, "entries", len(all), 3)
	equal(t, "newest first", all[0].Time.Equal(epoch().Add(2*time.Minute)), true)
	mine, err := s.ListAudit(ctx, store.AuditFilter{Actor: "alice", Page: store.Page{Limit: 1}})
	must(t, err)
	equal(t, "alice's newest", []any{len(mine), mine[0].Actor, mine[0].Status}, []any{1, "alice", 201})
}

func testRuntimeMonitors(t *testing.T, s AccountsBackend) {
	ctx := ctxT(t)
	spec := json.RawMessage(`{"name":"web","host":"198.18.0.11","port":443}`)
	_, err := s.AddRuntimeMonitor(ctx, store.RuntimeMonitor{Name: "web", Spec: spec, CreatedBy: "alice", Created: epoch()})
	must(t, err)
	if _, err := s.AddRuntimeMonitor(ctx, store.RuntimeMonitor{Name: "web", Spec: spec, Created: epoch()}); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("duplicate monitor: err = %v", err)
	}
	ms, err := s.ListRuntimeMonitors(ctx)
	must(t, err)
	equal(t, "monitors", []any{len(ms), ms[0].Name, string(ms[0].Spec), ms[0].CreatedBy}, []any{1, "web", string(spec), "alice"})
	must(t, s.DeleteRuntimeMonitor(ctx, "web"))
	if err := s.DeleteRuntimeMonitor(ctx, "web"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("delete twice: err = %v", err)
	}
}
