package api

import (
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/portwatch/portwatch/internal/view"
)

// listing is the envelope of every list response.
type listing struct {
	Items  any     `json:"items"`
	Total  *int    `json:"total,omitempty"`
	Limit  int     `json:"limit"`
	Offset int     `json:"offset"`
	Next   *string `json:"next"`
}

// nextLink is the request's URL with the next page's offset.
func nextLink(r *http.Request, p view.Page) *string {
	q := r.URL.Query()
	q.Set("offset", strconv.Itoa(p.Offset+p.Limit))
	q.Set("limit", strconv.Itoa(p.Limit))
	s := r.URL.EscapedPath() + "?" + q.Encode()
	return &s
}

// memList pages rows held in memory; the total is known.
func memList[T any](r *http.Request, all []T, p view.Page) listing {
	items := view.Slice(p, all)
	n := len(all)
	l := listing{Items: items, Total: &n, Limit: p.Limit, Offset: p.Offset}
	if p.Offset+p.Limit < n {
		l.Next = nextLink(r, p)
	}
	return l
}

// pagedList wraps one page of rows the caller already sliced, with the
// total when known.
func pagedList[T any](r *http.Request, items []T, total int, p view.Page) listing {
	l := listing{Items: items, Total: &total, Limit: p.Limit, Offset: p.Offset}
	if p.Offset+p.Limit < total {
		l.Next = nextLink(r, p)
	}
	if items == nil {
		l.Items = []T{}
	}
	return l
}

// storeList wraps rows fetched from the store with limit+1: one more
// than the page means there is a next page. The total is not counted.
func storeList[T any](r *http.Request, got []T, p view.Page) listing {
	items, more := view.Trim(p, got)
	l := listing{Items: items, Limit: p.Limit, Offset: p.Offset}
	if more {
		l.Next = nextLink(r, p)
	}
	if got == nil {
		l.Items = []T{}
	}
	return l
}

// page reads limit and offset.
func page(q url.Values) (view.Page, error) {
	p, err := view.ParsePage(q)
	if err != nil {
		return p, errParam(err)
	}
	return p, nil
}

// timeParam reads an RFC 3339 time; zero when absent.
func timeParam(q url.Values, name string) (time.Time, error) {
	s := q.Get(name)
	if s == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return t, errBadRequest("%s %q: want an RFC 3339 time like 2025-01-02T15:04:05Z", name, s)
	}
	return t.UTC(), nil
}

// boolParam reads true/false; nil when absent.
func boolParam(q url.Values, name string) (*bool, error) {
	s := q.Get(name)
	if s == "" {
		return nil, nil
	}
	b, err := strconv.ParseBool(s)
	if err != nil {
		return nil, errBadRequest("%s %q: want true or false", name, s)
	}
	return &b, nil
}

// fixedSort accepts only the orders a store listing offers; it returns
// whether the first (default) one was chosen.
func fixedSort(q url.Values, orders ...string) (int, error) {
	s := q.Get("sort")
	if s == "" {
		return 0, nil
	}
	for i, o := range orders {
		if s == o {
			return i, nil
		}
	}
	return 0, errBadRequest("sort %q: this listing sorts by %v only", s, orders)
}

// idParam reads a positive integer path parameter.
func idParam(c *call, name string) (int64, error) {
	s := c.r.PathValue(name)
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil || id <= 0 {
		return 0, errBadRequest("%s %q: want a positive integer", name, s)
	}
	return id, nil
}

// parseSort reads sort against allowed keys.
func parseSort(q url.Values, allowed []string, def string) (view.Sort, error) {
	s, err := view.ParseSort(q.Get("sort"), allowed, def)
	if err != nil {
		return nil, errParam(err)
	}
	return s, nil
}

// filterParams reads the shared view filter.
func filterParams(q url.Values) (view.Filter, error) {
	f, err := view.ParseFilter(q)
	if err != nil {
		return f, errParam(err)
	}
	return f, nil
}
