package web

import (
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/portwatch/portwatch/internal/auth"
)

// contentSecurityPolicy allows nothing but this origin: no inline script
// or style (inline SVG is markup, not style), no framing, forms posting
// here only.
const contentSecurityPolicy = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; " +
	"frame-ancestors 'none'; form-action 'self'; base-uri 'none'"

// securityHeaders sets the headers every response carries; pages are not
// cached (the static handler overrides Cache-Control for its assets).
func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hd := w.Header()
		hd.Set("Content-Security-Policy", contentSecurityPolicy)
		hd.Set("X-Content-Type-Options", "nosniff")
		hd.Set("Referrer-Policy", "same-origin")
		hd.Set("X-Frame-Options", "DENY")
		hd.Set("Cache-Control", "no-store")
		next.ServeHTTP(w, r)
	})
}

// authed requires a logged-in principal with at least role min for
// writes (every non-GET method also needs the session's CSRF token);
// reads need any role. A user who must change the password is sent to
// the password form first.
func (h *handler) authed(min auth.Role, fn http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, err := h.opts.Auth.Authenticate(r)
		if errors.Is(err, auth.ErrUnauthenticated) {
			if r.URL.Path == "/events" {
				http.Error(w, "not logged in", http.StatusUnauthorized)
				return
			}
			http.Redirect(w, r, "/login?next="+url.QueryEscape(localPath(r.URL.RequestURI())), http.StatusSeeOther)
			return
		}
		if err != nil {
			h.log.Error("authenticate", "err", err)
			h.fail(w, r, http.StatusInternalServerError, "Authentication failed; see the daemon's log.")
			return
		}
		r = r.WithContext(auth.WithPrincipal(r.Context(), p))
		if p.MustChangePassword && r.URL.Path != "/account/password" && r.URL.Path != "/logout" && !strings.HasPrefix(r.URL.Path, "/static/") {
			http.Redirect(w, r, "/account/password", http.StatusSeeOther)
			return
		}
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
			if err := auth.CheckCSRF(r, p); err != nil {
				h.fail(w, r, http.StatusForbidden, "The form was stale or not sent from this dashboard (CSRF check failed). Reload the page and try again.")
				return
			}
			if !p.Role.Allows(min) {
				h.fail(w, r, http.StatusForbidden, "Your role ("+p.Role.String()+") may not do this; it needs "+min.String()+".")
				return
			}
		} else if !p.Role.Allows(min) {
			h.fail(w, r, http.StatusForbidden, "Your role may not see this page.")
			return
		}
		fn(w, r)
	})
}

// localPath returns p if it is a path on this site ("/x?y"), "/" for
// anything else (absolute URLs, "//host", backslashes), so a next=
// parameter cannot send a user elsewhere.
func localPath(p string) string {
	if p == "" || p[0] != '/' || strings.HasPrefix(p, "//") || strings.ContainsAny(p, "\\\r\n\t") {
		return "/"
	}
	u, err := url.Parse(p)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil {
		return "/"
	}
	return p
}
