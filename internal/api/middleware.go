package api

import (
	"errors"
	"net/http"
	"strings"

	"github.com/portwatch/portwatch/internal/auth"
)

// call is one request on its way through a route.
type call struct {
	w http.ResponseWriter
	r *http.Request
	p *auth.Principal
	// object and detail describe a write for the audit log; the handler
	// fills them in ("silence/7").
	object, detail string
}

// handlerFunc serves one route. It writes its success response itself
// and returns errors (an *apiError or a wrapped internal one).
type handlerFunc func(s *server, c *call) error

// statusWriter remembers the status code written.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// unsafe reports whether a method changes state.
func unsafe(method string) bool {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
		return false
	}
	return true
}

// wrap applies authentication, the password-change gate, the role, CSRF
// and the audit log around a route's handler.
func (s *server) wrap(rt Route) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, err := s.au.Authenticate(r)
		if err != nil {
			if errors.Is(err, auth.ErrUnauthenticated) {
				unauthorized(w)
				return
			}
			s.log.Error("authenticate", "err", err, "path", r.URL.Path)
			writeError(w, err)
			return
		}
		sw := &statusWriter{ResponseWriter: w}
		c := &call{w: sw, r: r.WithContext(auth.WithPrincipal(r.Context(), p)), p: p}
		if unsafe(r.Method) {
			defer func() {
				obj := c.object
				if obj == "" {
					obj = strings.TrimPrefix(r.URL.Path, Prefix+"/")
				}
				auth.Audit(c.r.Context(), s.st, s.log, c.r, rt.Action, obj, c.detail, sw.status)
			}()
		}
		if err := s.admit(rt, c); err != nil {
			writeError(sw, err)
			return
		}
		if err := rt.handle(s, c); err != nil {
			var ae *apiError
			if !errors.As(err, &ae) {
				s.log.Error("api", "err", err, "method", r.Method, "path", r.URL.Path, "actor", p.Actor())
			}
			if c.detail == "" && ae != nil {
				c.detail = ae.Message
			}
			writeError(sw, err)
		}
	})
}

// admit decides whether an authenticated principal may call rt.
func (s *server) admit(rt Route, c *call) error {
	if c.p.MustChangePassword && rt.Pattern != passwordPattern {
		return newError(http.StatusForbidden, "password_change_required",
			"change your one-time password first: POST %s {\"current\": ..., \"new\": ...}", passwordPattern)
	}
	if !c.p.Role.Allows(rt.Role) {
		return errForbidden("%s %s needs the %s role; %s has %s", rt.Method, rt.Pattern, rt.Role, c.p.Actor(), c.p.Role)
	}
	if unsafe(c.r.Method) {
		if err := auth.CheckCSRF(c.r, c.p); err != nil {
			return newError(http.StatusForbidden, "csrf", "missing or wrong CSRF token: send the X-CSRF-Token header with a session cookie")
		}
	}
	return nil
}
