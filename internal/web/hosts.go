package web

import (
	"net/http"
	"net/netip"

	"github.com/portwatch/portwatch/internal/model"
	"github.com/portwatch/portwatch/internal/store"
	"github.com/portwatch/portwatch/internal/view"
)

// hostsData is the hosts listing.
type hostsData struct {
	Filter view.Filter
	Rows   []view.HostRow
	List   listing
}

func (h *handler) hostsPage(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f, s, p, ok := h.listParams(w, r, view.HostSorts, "address")
	if !ok {
		return
	}
	rows, total := view.New(h.opts.Daemon).Hosts(f, s, p)
	h.render(w, r, http.StatusOK, "hosts", "Hosts", "hosts", hostsData{Filter: f, Rows: rows, List: newListing("/hosts", q, s, p, total, len(rows))})
}

// listParams reads the filter, sort and page of an in-memory listing,
// answering 400 itself when one is wrong.
func (h *handler) listParams(w http.ResponseWriter, r *http.Request, sorts []string, def string) (view.Filter, view.Sort, view.Page, bool) {
	q := r.URL.Query()
	f, err := view.ParseFilter(q)
	if err != nil {
		h.fail(w, r, http.StatusBadRequest, err.Error())
		return f, nil, view.Page{}, false
	}
	s, err := view.ParseSort(q.Get("sort"), sorts, def)
	if err != nil {
		h.fail(w, r, http.StatusBadRequest, err.Error())
		return f, nil, view.Page{}, false
	}
	p, err := view.ParsePage(q)
	if err != nil {
		h.fail(w, r, http.StatusBadRequest, err.Error())
		return f, nil, view.Page{}, false
	}
	return f, s, p, true
}

// maxTimelineLanes bounds the host page's timeline; the rest is one link
// away.
const maxTimelineLanes = 20

// hostData is one host's page.
type hostData struct {
	Host      view.HostRow
	Rows      []view.EndpointRow
	List      listing
	Timeline  any
	Lanes     int
	MoreLanes int
	Changes   []model.Change
	Findings  []model.Finding
}

func (h *handler) hostPage(w http.ResponseWriter, r *http.Request) {
	addr, err := netip.ParseAddr(r.PathValue("addr"))
	if err != nil {
		h.fail(w, r, http.StatusNotFound, "Not an IP address: "+r.PathValue("addr"))
		return
	}
	addr = addr.Unmap()
	p, err := view.ParsePage(r.URL.Query())
	if err != nil {
		h.fail(w, r, http.StatusBadRequest, err.Error())
		return
	}
	host, rows, ok := view.New(h.opts.Daemon).Host(addr)
	if !ok {
		h.fail(w, r, http.StatusNotFound, "No endpoint of "+addr.String()+" is known.")
		return
	}
	ctx := r.Context()
	d := hostData{Host: host, Rows: view.Slice(p, rows), Lanes: min(len(rows), maxTimelineLanes), MoreLanes: max(0, len(rows)-maxTimelineLanes)}
	d.List = newListing(r.URL.Path, r.URL.Query(), nil, p, len(rows), len(d.Rows))
	now := h.opts.Now().UTC()
	if d.Timeline, err = h.hostTimeline(ctx, addr, rows[:d.Lanes], now); err != nil {
		h.internal(w, r, "read the host's changes", err)
		return
	}
	if d.Changes, err = h.opts.Store.ListChanges(ctx, store.ChangeFilter{Addr: addr, Desc: true, Page: store.Page{Limit: 20}}); err != nil {
		h.internal(w, r, "read the host's changes", err)
		return
	}
	if d.Findings, err = h.opts.Store.ListFindings(ctx, store.FindingFilter{Addr: addr, OpenOnly: true, Page: store.Page{Limit: 50}}); err != nil {
		h.internal(w, r, "read the host's findings", err)
		return
	}
	h.render(w, r, http.StatusOK, "host", addr.String(), "hosts", d)
}
