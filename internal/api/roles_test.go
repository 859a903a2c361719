package api_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/portwatch/portwatch/internal/api"
	"github.com/portwatch/portwatch/internal/auth"
	"github.com/portwatch/portwatch/internal/store"
)

// fill replaces a route's path parameters with plausible values.
func fill(e *env, pattern string) string {
	r := strings.NewReplacer(
		"{addr}", "127.0.0.1",
		"{protocol}", "tcp",
		"{port}", fmt.Sprint(e.ports[0]),
		"{id}", "999",
		"{key}", url.PathEscape("portwatch/finding/999"),
		"{name}", "nobody",
	)
	return r.Replace(pattern)
}

// TestEveryRouteForEveryRole calls every route with no credentials and
// with a viewer, operator and admin token: below the route's role it is
// 403 (and a write is audited), at or above it is neither 401 nor 403.
func TestEveryRouteForEveryRole(t *testing.T) {
	e := newEnv(t)
	roles := []auth.Role{auth.RoleViewer, auth.RoleOperator, auth.RoleAdmin}
	for _, rt := range api.Routes() {
		path := fill(e, rt.Pattern)
		var body any
		if rt.Method != http.MethodGet {
			body = "{}"
		}
		res, b := e.do(rt.Method, path, req{body: body})
		if res.StatusCode != http.StatusUnauthorized || !strings.HasPrefix(res.Header.Get("WWW-Authenticate"), "Bearer") {
			t.Errorf("%s %s without credentials: %d %q, want 401 with WWW-Authenticate: Bearer", rt.Method, rt.Pattern, res.StatusCode, res.Header.Get("WWW-Authenticate"))
		}
		if decodeJSON[apiErr](t, b).Error.Code != "unauthorized" {
			t.Errorf("%s %s without credentials: body %s", rt.Method, rt.Pattern, b)
		}
		for _, role := range roles {
			res, b := e.do(rt.Method, path, req{token: e.tokens[role.String()], body: body})
			denied := res.StatusCode == http.StatusUnauthorized || res.StatusCode == http.StatusForbidden
			switch {
			case role.Allows(rt.Role) && denied:
				t.Errorf("%s %s as %s: %d, want access: %s", rt.Method, rt.Pattern, role, res.StatusCode, b)
			case !role.Allows(rt.Role) && res.StatusCode != http.StatusForbidden:
				t.Errorf("%s %s as %s: %d, want 403: %s", rt.Method, rt.Pattern, role, res.StatusCode, b)
			}
		}
	}
	// Every write that got past authentication was audited, refused or not.
	writes := 0
	for _, rt := range api.Routes() {
		if rt.Method != http.MethodGet {
			writes += len(roles)
			if rt.Action == "" {
				t.Errorf("%s %s: a write without an audit action", rt.Method, rt.Pattern)
			}
		}
	}
	entries, err := e.st.ListAudit(t.Context(), store.AuditFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != writes {
		t.Errorf("audit log has %d entries, want one per authenticated write: %d", len(entries), writes)
	}
	for _, en := range entries {
		if en.Actor == "" || en.Action == "" || en.Object == "" || en.Status == 0 {
			t.Errorf("incomplete audit entry %+v", en)
		}
	}
}

func TestRoutesAreUniqueAndUnderThePrefix(t *testing.T) {
	seen := map[string]bool{}
	for _, rt := range api.Routes() {
		k := rt.Method + " " + rt.Pattern
		if seen[k] {
			t.Errorf("route %s twice", k)
		}
		seen[k] = true
		if !strings.HasPrefix(rt.Pattern, api.Prefix+"/") || rt.Summary == "" || !rt.Role.Allows(auth.RoleViewer) {
			t.Errorf("route %s: prefix, summary or role missing", k)
		}
	}
}
