package web

import (
	"net/http"
	"slices"

	"github.com/portwatch/portwatch/internal/model"
	"github.com/portwatch/portwatch/internal/store"
	"github.com/portwatch/portwatch/internal/view"
)

// changeKinds are the kinds the changes feed filters by.
var changeKinds = []model.ChangeKind{model.ChangeOpened, model.ChangeClosed, model.ChangeFiltered,
	model.ChangeServiceChanged, model.ChangeVersionChanged, model.ChangeCertChanged}

// changesData is the changes feed.
type changesData struct {
	Kinds   []model.ChangeKind
	Kind    string
	Host    string
	Changes []model.Change
	List    listing
}

func (h *handler) changesPage(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	p, err := view.ParsePage(q)
	if err != nil {
		h.fail(w, r, http.StatusBadRequest, err.Error())
		return
	}
	s, err := view.ParseSort(q.Get("sort"), []string{"time"}, "-time")
	if err != nil {
		h.fail(w, r, http.StatusBadRequest, err.Error())
		return
	}
	d := changesData{Kinds: changeKinds, Kind: q.Get("kind"), Host: q.Get("host")}
	f := store.ChangeFilter{Desc: s[0].Desc, Page: p.Probe()}
	if d.Kind != "" {
		if !slices.Contains(changeKinds, model.ChangeKind(d.Kind)) {
			h.fail(w, r, http.StatusBadRequest, "kind "+d.Kind+": unknown change kind")
			return
		}
		f.Kind = model.ChangeKind(d.Kind)
	}
	if d.Host != "" {
		a, err := view.ParseHost(d.Host)
		if err != nil {
			h.fail(w, r, http.StatusBadRequest, err.Error())
			return
		}
		f.Addr = a
	}
	cs, err := h.opts.Store.ListChanges(r.Context(), f)
	if err != nil {
		h.internal(w, r, "read the changes", err)
		return
	}
	var more bool
	d.Changes, more = view.Trim(p, cs)
	d.List = newListing("/changes", q, s, p, -1, len(d.Changes))
	d.List.HasNext = more
	h.render(w, r, http.StatusOK, "changes", "Changes", "changes", d)
}
