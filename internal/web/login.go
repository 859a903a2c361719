package web

import (
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/portwatch/portwatch/internal/auth"
)

// loginData fills the login form.
type loginData struct {
	Next  string
	User  string
	Error string
}

func (h *handler) loginPage(w http.ResponseWriter, r *http.Request) {
	next := localPath(r.URL.Query().Get("next"))
	if p, err := h.opts.Auth.Authenticate(r); err == nil && p != nil {
		http.Redirect(w, r, next, http.StatusSeeOther)
		return
	}
	h.render(w, r, http.StatusOK, "login", "Log in", "", loginData{Next: next})
}

func (h *handler) loginPost(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	if err := r.ParseForm(); err != nil {
		h.render(w, r, http.StatusBadRequest, "login", "Log in", "", loginData{Next: "/", Error: "The form could not be read."})
		return
	}
	d := loginData{Next: localPath(r.PostFormValue("next")), User: r.PostFormValue("user")}
	value, p, err := h.opts.Auth.Login(r.Context(), d.User, r.PostFormValue("password"), r.RemoteAddr)
	var rl *auth.RateLimitError
	switch {
	case errors.As(err, &rl):
		secs := int(rl.RetryAfter.Round(time.Second).Seconds())
		w.Header().Set("Retry-After", strconv.Itoa(max(secs, 1)))
		d.Error = "Too many failed logins. Try again in " + rl.RetryAfter.Round(time.Second).String() + "."
		h.audit(r, "login", d.User, "rate limited", http.StatusTooManyRequests)
		h.render(w, r, http.StatusTooManyRequests, "login", "Log in", "", d)
		return
	case errors.Is(err, auth.ErrBadCredentials):
		d.Error = "Wrong user name or password."
		h.audit(r, "login", d.User, "bad credentials", http.StatusUnauthorized)
		h.render(w, r, http.StatusUnauthorized, "login", "Log in", "", d)
		return
	case err != nil:
		h.internal(w, r, "login", err)
		return
	}
	h.opts.Auth.SetSessionCookie(w, r, value)
	r = r.WithContext(auth.WithPrincipal(r.Context(), p))
	h.audit(r, "login", p.Name, "", http.StatusSeeOther)
	if p.MustChangePassword {
		http.Redirect(w, r, "/account/password", http.StatusSeeOther)
		return
	}
	http.Redirect(w, r, d.Next, http.StatusSeeOther)
}

func (h *handler) logoutPost(w http.ResponseWriter, r *http.Request) {
	p := auth.FromContext(r.Context())
	if err := h.opts.Auth.Logout(r.Context(), p); err != nil {
		h.internal(w, r, "logout", err)
		return
	}
	auth.ClearSessionCookie(w, r)
	h.audit(r, "logout", p.Name, "", http.StatusSeeOther)
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}

// passwordData fills the password form; Current asks for the old
// password unless the user is changing a bootstrap or reset one.
type passwordData struct {
	Forced bool
	Error  string
}

func (h *handler) passwordPage(w http.ResponseWriter, r *http.Request) {
	p := auth.FromContext(r.Context())
	h.render(w, r, http.StatusOK, "password", "Change password", "", passwordData{Forced: p.MustChangePassword})
}

func (h *handler) passwordPost(w http.ResponseWriter, r *http.Request) {
	p := auth.FromContext(r.Context())
	d := passwordData{Forced: p.MustChangePassword}
	if p.UserID == 0 {
		h.fail(w, r, http.StatusForbidden, "API tokens have no password.")
		return
	}
	pw, pw2 := r.PostFormValue("password"), r.PostFormValue("password2")
	if !d.Forced {
		if err := h.opts.Auth.CheckPassword(r.Context(), p.UserID, r.PostFormValue("current")); err != nil {
			if !errors.Is(err, auth.ErrMismatch) {
				h.internal(w, r, "check password", err)
				return
			}
			d.Error = "The current password is wrong."
		}
	}
	if d.Error == "" && pw != pw2 {
		d.Error = "The two new passwords differ."
	}
	if d.Error == "" {
		if err := auth.CheckPasswordPolicy(pw); err != nil {
			d.Error = err.Error()
		}
	}
	if d.Error != "" {
		h.audit(r, "password.change", p.Name, d.Error, http.StatusBadRequest)
		h.render(w, r, http.StatusBadRequest, "password", "Change password", "", d)
		return
	}
	if err := h.opts.Auth.SetPassword(r.Context(), p.UserID, pw); err != nil {
		h.internal(w, r, "set password", err)
		return
	}
	h.audit(r, "password.change", p.Name, "", http.StatusSeeOther)
	h.writes.Add(1)
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

// audit records one write (or login attempt) in the audit log.
func (h *handler) audit(r *http.Request, action, object, detail string, status int) {
	auth.Audit(r.Context(), h.opts.Store, h.log, r, "web."+action, object, detail, status)
}
