package view

import (
	"fmt"
	"net/netip"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/portwatch/portwatch/internal/model"
	"github.com/portwatch/portwatch/internal/scan"
	"github.com/portwatch/portwatch/internal/store"
)

// Filter selects rows. Zero fields match anything. Every listing of the
// API and dashboard takes the same query parameters:
//
//	q=TEXT        text anywhere: address, port, service, group, monitor, location
//	group=NAME    members of a group
//	label=K=V     rows whose labels have K=V (repeatable: all must hold)
//	state=S       open, closed, filtered, open|filtered
//	protocol=P    tcp or udp
//	location=L    one vantage point
//	host=ADDR     one address
//	severity=S    rows with an open finding of at least this severity
//	failing=true  endpoints a monitor says are not as expected
type Filter struct {
	Q        string
	Group    string
	Labels   map[string]string
	State    scan.PortState
	Protocol scan.Protocol
	Location model.Location
	Host     netip.Addr
	Severity model.Severity
	Failing  bool
}

// ParseFilter reads a Filter from query parameters; unknown values are
// errors naming the parameter.
func ParseFilter(q url.Values) (Filter, error) {
	f := Filter{Q: strings.ToLower(strings.TrimSpace(q.Get("q"))), Group: q.Get("group"), Location: model.Location(q.Get("location"))}
	for _, l := range q["label"] {
		k, v, ok := strings.Cut(l, "=")
		if !ok || k == "" {
			return f, fmt.Errorf("label %q: want key=value", l)
		}
		if f.Labels == nil {
			f.Labels = map[string]string{}
		}
		f.Labels[k] = v
	}
	if s := q.Get("state"); s != "" {
		st := scan.PortState(s)
		if !slices.Contains([]scan.PortState{scan.Open, scan.Closed, scan.Filtered, scan.OpenFiltered}, st) {
			return f, fmt.Errorf("state %q: want open, closed, filtered or open|filtered", s)
		}
		f.State = st
	}
	if p := q.Get("protocol"); p != "" {
		if p != "tcp" && p != "udp" {
			return f, fmt.Errorf("protocol %q: want tcp or udp", p)
		}
		f.Protocol = scan.Protocol(p)
	}
	if h := q.Get("host"); h != "" {
		a, err := ParseHost(h)
		if err != nil {
			return f, err
		}
		f.Host = a
	}
	if s := q.Get("severity"); s != "" {
		sev := model.Severity(s)
		if SeverityRank(sev) > 3 {
			return f, fmt.Errorf("severity %q: want critical, major, warning or info", s)
		}
		f.Severity = sev
	}
	if v := q.Get("failing"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return f, fmt.Errorf("failing %q: want true or false", v)
		}
		f.Failing = b
	}
	return f, nil
}

// Values renders f back as query parameters (for links and pagination).
func (f Filter) Values() url.Values {
	q := url.Values{}
	set := func(k, v string) {
		if v != "" {
			q.Set(k, v)
		}
	}
	set("q", f.Q)
	set("group", f.Group)
	for _, k := range slices.Sorted(func(yield func(string) bool) {
		for k := range f.Labels {
			if !yield(k) {
				return
			}
		}
	}) {
		q.Add("label", k+"="+f.Labels[k])
	}
	set("state", string(f.State))
	set("protocol", string(f.Protocol))
	set("location", string(f.Location))
	if f.Host.IsValid() {
		q.Set("host", f.Host.String())
	}
	set("severity", string(f.Severity))
	if f.Failing {
		q.Set("failing", "true")
	}
	return q
}

// MatchEndpoint reports whether a row passes the filter.
func (f *Filter) MatchEndpoint(r *EndpointRow) bool {
	if f.State != "" && r.State != f.State {
		return false
	}
	if f.Protocol != "" && r.Endpoint.Protocol != f.Protocol {
		return false
	}
	if f.Location != "" && r.Location != f.Location {
		return false
	}
	if f.Host.IsValid() && r.Endpoint.Addr != f.Host {
		return false
	}
	if f.Group != "" && !slices.Contains(r.Groups, f.Group) {
		return false
	}
	for k, v := range f.Labels {
		if r.Labels[k] != v {
			return false
		}
	}
	if f.Severity != "" && (r.Worst == "" || SeverityRank(r.Worst) > SeverityRank(f.Severity)) {
		return false
	}
	if f.Failing && !r.Failing {
		return false
	}
	if f.Q != "" && !strings.Contains(searchText(r), f.Q) {
		return false
	}
	return true
}

// SortKey is one sort criterion.
type SortKey struct {
	Key  string
	Desc bool
}

// Sort is a list of criteria, most significant first; every listing adds
// its own unique tie-breaker, so pages are stable.
type Sort []SortKey

// ParseSort parses "key,-key" against the allowed keys; "" gives def.
func ParseSort(s string, allowed []string, def string) (Sort, error) {
	if s == "" {
		s = def
	}
	var out Sort
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		k := SortKey{Key: strings.TrimPrefix(part, "-"), Desc: strings.HasPrefix(part, "-")}
		if !slices.Contains(allowed, k.Key) {
			return nil, fmt.Errorf("sort %q: want one of %s (prefix - for descending)", k.Key, strings.Join(allowed, ", "))
		}
		out = append(out, k)
	}
	return out, nil
}

// String renders the sort as ParseSort reads it.
func (s Sort) String() string {
	parts := make([]string, len(s))
	for i, k := range s {
		parts[i] = k.Key
		if k.Desc {
			parts[i] = "-" + k.Key
		}
	}
	return strings.Join(parts, ",")
}

// Page is a window of a listing.
type Page struct {
	Limit  int `json:"limit"`
	Offset int `json:"offset"`
}

// Page limits.
const (
	DefaultLimit = 50
	MaxLimit     = 1000
)

// ParsePage reads limit and offset (default 50, at most 1000).
func ParsePage(q url.Values) (Page, error) {
	p := Page{Limit: DefaultLimit}
	if s := q.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > MaxLimit {
			return p, fmt.Errorf("limit %q: want 1 to %d", s, MaxLimit)
		}
		p.Limit = n
	}
	if s := q.Get("offset"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 0 {
			return p, fmt.Errorf("offset %q: want 0 or more", s)
		}
		p.Offset = n
	}
	return p, nil
}

// Slice returns the page's part of rows.
func Slice[T any](p Page, rows []T) []T {
	if p.Offset >= len(rows) {
		return []T{}
	}
	end := len(rows)
	if p.Limit > 0 {
		end = min(end, p.Offset+p.Limit)
	}
	return rows[p.Offset:end]
}

// Slice returns the page's part of endpoint rows.
func (p Page) Slice(rows []EndpointRow) []EndpointRow { return Slice(p, rows) }

// Probe is the store page that fetches one row more than p, so that Trim
// can tell whether a next page exists without counting.
func (p Page) Probe() store.Page { return store.Page{Limit: p.Limit + 1, Offset: p.Offset} }

// Trim cuts the extra row Probe asked for and reports whether it was
// there (a next page exists).
func Trim[T any](p Page, rows []T) ([]T, bool) {
	if len(rows) > p.Limit {
		return rows[:p.Limit], true
	}
	return rows, false
}

// ParseHost reads a host parameter: an IPv4 or IPv6 address, mapped
// IPv4 unmapped.
func ParseHost(s string) (netip.Addr, error) {
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Addr{}, fmt.Errorf("host %q: not an IP address", s)
	}
	return a.Unmap(), nil
}
