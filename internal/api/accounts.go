package api

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/portwatch/portwatch/internal/auth"
	"github.com/portwatch/portwatch/internal/store"
)

func (s *server) me(c *call) error {
	writeJSON(c.w, http.StatusOK, struct {
		*auth.Principal
		Version string `json:"version,omitempty"`
	}{c.p, s.ver})
	return nil
}

// passwordRequest changes the caller's own password.
type passwordRequest struct {
	Current string `json:"current"`
	New     string `json:"new"`
}

func (s *server) changePassword(c *call) error {
	c.object = "user/" + c.p.Name
	if c.p.Kind != "user" || c.p.UserID == 0 {
		return errBadRequest("only a user has a password; %s is a token", c.p.Actor())
	}
	var req passwordRequest
	if err := decode(c, &req); err != nil {
		return err
	}
	err := s.au.CheckPassword(c.r.Context(), c.p.UserID, req.Current)
	if errors.Is(err, auth.ErrMismatch) {
		return newError(http.StatusBadRequest, "wrong_password", "current: wrong password")
	}
	if err != nil {
		return fmt.Errorf("check password: %w", err)
	}
	if err := auth.CheckPasswordPolicy(req.New); err != nil {
		return errBadRequest("new: %v", err)
	}
	if req.New == req.Current {
		return errBadRequest("new: same as the current password")
	}
	if err := s.au.SetPassword(c.r.Context(), c.p.UserID, req.New); err != nil {
		return fmt.Errorf("set password: %w", err)
	}
	c.w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *server) listUsers(c *call) error {
	p, err := page(c.r.URL.Query())
	if err != nil {
		return err
	}
	if _, err := fixedSort(c.r.URL.Query(), "name"); err != nil {
		return err
	}
	us, err := s.st.ListUsers(c.r.Context())
	if err != nil {
		return fmt.Errorf("list users: %w", err)
	}
	writeJSON(c.w, http.StatusOK, memList(c.r, us, p))
	return nil
}

// userRequest creates a user.
type userRequest struct {
	Name     string `json:"name"`
	Password string `json:"password"`
	Role     string `json:"role"`
}

func (s *server) createUser(c *call) error {
	var req userRequest
	if err := decode(c, &req); err != nil {
		return err
	}
	c.object = "user/" + req.Name
	if err := auth.CheckUserName(req.Name); err != nil {
		return errBadRequest("name: %v", err)
	}
	role, err := auth.ParseRole(req.Role)
	if err != nil {
		return errBadRequest("role: %v", err)
	}
	if err := auth.CheckPasswordPolicy(req.Password); err != nil {
		return errBadRequest("password: %v", err)
	}
	u, err := s.au.AddUser(c.r.Context(), req.Name, req.Password, role)
	if errors.Is(err, store.ErrConflict) {
		return errConflict("user %q: name taken", req.Name)
	}
	if err != nil {
		return fmt.Errorf("add user %s: %w", req.Name, err)
	}
	c.detail = "role " + u.Role
	writeJSON(c.w, http.StatusCreated, u)
	return nil
}

// userUpdate changes a user; absent fields stay as they are.
type userUpdate struct {
	Role     *string `json:"role"`
	Password *string `json:"password"`
	Disabled *bool   `json:"disabled"`
}

func (s *server) user(c *call) (store.User, error) {
	name := c.r.PathValue("name")
	c.object = "user/" + name
	u, err := s.st.GetUser(c.r.Context(), name)
	if errors.Is(err, store.ErrNotFound) {
		return u, errNotFound("user %q: not found", name)
	}
	if err != nil {
		return u, fmt.Errorf("user %s: %w", name, err)
	}
	return u, nil
}

// lastAdmin reports whether u is the only enabled admin.
func (s *server) lastAdmin(c *call, u store.User) (bool, error) {
	if u.Role != auth.RoleAdmin.String() || u.Disabled {
		return false, nil
	}
	us, err := s.st.ListUsers(c.r.Context())
	if err != nil {
		return false, fmt.Errorf("list users: %w", err)
	}
	for _, o := range us {
		if o.ID != u.ID && o.Role == auth.RoleAdmin.String() && !o.Disabled {
			return false, nil
		}
	}
	return true, nil
}

func (s *server) updateUser(c *call) error {
	var req userUpdate
	if err := decode(c, &req); err != nil {
		return err
	}
	u, err := s.user(c)
	if err != nil {
		return err
	}
	var what []string
	if req.Role != nil {
		role, err := auth.ParseRole(*req.Role)
		if err != nil {
			return errBadRequest("role: %v", err)
		}
		u.Role = role.String()
		what = append(what, "role "+u.Role)
	}
	if req.Disabled != nil {
		u.Disabled = *req.Disabled
		what = append(what, fmt.Sprintf("disabled %t", u.Disabled))
	}
	if req.Password != nil {
		h, err := s.au.HashPassword(*req.Password)
		if err != nil {
			return errBadRequest("password: %v", err)
		}
		u.PasswordHash = h
		what = append(what, "password")
	}
	if len(what) == 0 {
		return errBadRequest("request body: give role, password or disabled")
	}
	if u.Role != auth.RoleAdmin.String() || u.Disabled {
		old, err := s.user(c)
		if err != nil {
			return err
		}
		if last, err := s.lastAdmin(c, old); err != nil || last {
			if err != nil {
				return err
			}
			return errConflict("user %q is the last enabled admin; make another admin first", u.Name)
		}
	}
	if err := s.st.UpdateUser(c.r.Context(), u); err != nil {
		return fmt.Errorf("update user %s: %w", u.Name, err)
	}
	c.detail = strings.Join(what, ", ")
	writeJSON(c.w, http.StatusOK, u)
	return nil
}

func (s *server) deleteUser(c *call) error {
	u, err := s.user(c)
	if err != nil {
		return err
	}
	if u.ID == c.p.UserID && c.p.Kind == "user" {
		return errConflict("user %q: you cannot delete yourself", u.Name)
	}
	if last, err := s.lastAdmin(c, u); err != nil || last {
		if err != nil {
			return err
		}
		return errConflict("user %q is the last enabled admin; make another admin first", u.Name)
	}
	if err := s.st.DeleteUser(c.r.Context(), u.ID); err != nil {
		return fmt.Errorf("delete user %s: %w", u.Name, err)
	}
	c.w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *server) listTokens(c *call) error {
	q := c.r.URL.Query()
	p, err := page(q)
	if err != nil {
		return err
	}
	if _, err := fixedSort(q, "-id"); err != nil {
		return err
	}
	ts, err := s.st.ListTokens(c.r.Context())
	if err != nil {
		return fmt.Errorf("list tokens: %w", err)
	}
	writeJSON(c.w, http.StatusOK, memList(c.r, ts, p))
	return nil
}

// tokenRequest creates a token; ExpiresIn is a Go duration ("720h"),
// empty for no expiry.
type tokenRequest struct {
	Name      string `json:"name"`
	Role      string `json:"role"`
	ExpiresIn string `json:"expires_in"`
}

// createdToken is a new token with its secret, shown this once.
type createdToken struct {
	store.Token
	Secret string `json:"secret"`
}

func (s *server) createToken(c *call) error {
	var req tokenRequest
	if err := decode(c, &req); err != nil {
		return err
	}
	c.object = "token/" + req.Name
	role, err := auth.ParseRole(req.Role)
	if err != nil {
		return errBadRequest("role: %v", err)
	}
	var ttl time.Duration
	if req.ExpiresIn != "" {
		if ttl, err = time.ParseDuration(req.ExpiresIn); err != nil || ttl <= 0 {
			return errBadRequest("expires_in %q: want a positive Go duration like 720h", req.ExpiresIn)
		}
	}
	if req.Name == "" || len(req.Name) > 100 {
		return errBadRequest("name: 1 to 100 characters")
	}
	secret, t, err := s.au.CreateToken(c.r.Context(), req.Name, role, ttl, c.p.Actor())
	if err != nil {
		return fmt.Errorf("create token: %w", err)
	}
	c.object = fmt.Sprintf("token/%d", t.ID)
	c.detail = req.Name + " role " + t.Role
	writeJSON(c.w, http.StatusCreated, createdToken{Token: t, Secret: secret})
	return nil
}

func (s *server) revokeToken(c *call) error {
	return endByID(c, "token", "revoke", s.st.RevokeToken)
}

func (s *server) listAudit(c *call) error {
	q := c.r.URL.Query()
	p, err := page(q)
	if err != nil {
		return err
	}
	if _, err := fixedSort(q, "-time"); err != nil {
		return err
	}
	f := store.AuditFilter{Actor: q.Get("actor"), Page: p.Probe()}
	if f.From, err = timeParam(q, "since"); err != nil {
		return err
	}
	if f.To, err = timeParam(q, "until"); err != nil {
		return err
	}
	es, err := s.st.ListAudit(c.r.Context(), f)
	if err != nil {
		return fmt.Errorf("list audit: %w", err)
	}
	writeJSON(c.w, http.StatusOK, storeList(c.r, es, p))
	return nil
}
