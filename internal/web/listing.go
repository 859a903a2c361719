package web

import (
	"maps"
	"net/url"
	"slices"
	"strconv"

	"github.com/portwatch/portwatch/internal/store"
	"github.com/portwatch/portwatch/internal/view"
)

type storeMatcher = store.Matcher

// listing is one page of a table: where it lives, its query, sort and
// page, for the sortable headers and the pager.
type listing struct {
	Path    string
	Query   url.Values // the filter and sort, without offset
	Sort    view.Sort
	Page    view.Page
	Total   int // -1 when unknown (store listings)
	Shown   int
	HasNext bool
}

func newListing(path string, q url.Values, s view.Sort, p view.Page, total, shown int) listing {
	q = cloneValues(q)
	q.Del("offset")
	l := listing{Path: path, Query: q, Sort: s, Page: p, Total: total, Shown: shown}
	if total >= 0 {
		l.HasNext = p.Offset+shown < total
	}
	return l
}

func cloneValues(q url.Values) url.Values {
	out := url.Values{}
	for k, v := range q {
		out[k] = slices.Clone(v)
	}
	return out
}

func (l listing) url(q url.Values) string {
	if len(q) == 0 {
		return l.Path
	}
	return l.Path + "?" + q.Encode()
}

// SortURL sorts by key, ascending, or descending when the listing is
// already sorted by key ascending; the page goes back to the first.
func (l listing) SortURL(key string) string {
	q := cloneValues(l.Query)
	s := key
	if len(l.Sort) > 0 && l.Sort[0].Key == key && !l.Sort[0].Desc {
		s = "-" + key
	}
	q.Set("sort", s)
	return l.url(q)
}

// SortMark is the arrow shown beside the header the listing is sorted by.
func (l listing) SortMark(key string) string {
	if len(l.Sort) == 0 || l.Sort[0].Key != key {
		return ""
	}
	if l.Sort[0].Desc {
		return "▼"
	}
	return "▲"
}

// PrevURL is the previous page ("" on the first).
func (l listing) PrevURL() string {
	if l.Page.Offset == 0 {
		return ""
	}
	q := cloneValues(l.Query)
	if off := max(0, l.Page.Offset-l.Page.Limit); off > 0 {
		q.Set("offset", strconv.Itoa(off))
	}
	return l.url(q)
}

// NextURL is the next page ("" on the last).
func (l listing) NextURL() string {
	if !l.HasNext {
		return ""
	}
	q := cloneValues(l.Query)
	q.Set("offset", strconv.Itoa(l.Page.Offset+l.Page.Limit))
	return l.url(q)
}

// From and To number the rows shown (1-based).
func (l listing) From() int { return min(l.Page.Offset+1, l.Page.Offset+l.Shown) }

// To is the number of the last row shown.
func (l listing) To() int { return l.Page.Offset + l.Shown }

func sortedKeys(m map[string]string) []string {
	return slices.Sorted(maps.Keys(m))
}
