package shoutrrr

import (
	"net/url"
	"sort"
	"strings"
)

// minSecret is the shortest URL part treated as a secret: shorter parts
// ("v2", "api") are path words, and hiding them would garble messages.
const minSecret = 4

// secrets lists the parts of a service URL that may carry credentials
// (user, password, path segments, query values, fragment), raw and
// escaped, longest first. The host is not secret and stays readable.
func secrets(u *url.URL) []string {
	var parts []string
	if u.User != nil {
		parts = append(parts, u.User.Username())
		if p, ok := u.User.Password(); ok {
			parts = append(parts, p)
		}
	}
	parts = append(parts, strings.Split(u.Path, "/")...)
	for _, vs := range u.Query() {
		parts = append(parts, vs...)
	}
	parts = append(parts, u.Fragment)
	seen := map[string]bool{}
	var out []string
	for _, p := range parts {
		for _, s := range []string{p, url.PathEscape(p), url.QueryEscape(p)} {
			if len(s) >= minSecret && !seen[s] {
				seen[s] = true
				out = append(out, s)
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return len(out[i]) > len(out[j]) })
	return out
}

// redact replaces the URL's secrets in s (a library's error message may
// quote the URL) with "…".
func (n *Notifier) redact(s string) string {
	for _, sec := range n.secrets {
		s = strings.ReplaceAll(s, sec, "…")
	}
	return s
}
