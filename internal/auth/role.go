package auth

import "fmt"

// Role is what a principal may do. Higher roles include lower ones.
type Role int

// Roles, least to most privileged.
const (
	RoleNone Role = iota
	RoleViewer
	RoleOperator
	RoleAdmin
)

// String names the role as the API and the store spell it.
func (r Role) String() string {
	switch r {
	case RoleViewer:
		return "viewer"
	case RoleOperator:
		return "operator"
	case RoleAdmin:
		return "admin"
	}
	return "none"
}

// Allows reports whether r includes min.
func (r Role) Allows(min Role) bool { return r >= min && r > RoleNone }

// ParseRole parses "viewer", "operator" or "admin".
func ParseRole(s string) (Role, error) {
	switch s {
	case "viewer":
		return RoleViewer, nil
	case "operator":
		return RoleOperator, nil
	case "admin":
		return RoleAdmin, nil
	}
	return RoleNone, fmt.Errorf("role %q: want viewer, operator or admin", s)
}

// MarshalText renders the role's name.
func (r Role) MarshalText() ([]byte, error) { return []byte(r.String()), nil }
