package web

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strconv"

	"github.com/portwatch/portwatch/internal/auth"
	"github.com/portwatch/portwatch/internal/daemon"
	"github.com/portwatch/portwatch/internal/model"
	"github.com/portwatch/portwatch/internal/store"
	"github.com/portwatch/portwatch/internal/view"
)

// findingKinds are the kinds the findings page filters by.
var findingKinds = []model.FindingKind{model.FindingForbiddenPort, model.FindingUnexpectedPort, model.FindingExpectedOpenDown,
	model.FindingExpectedClosedOpen, model.FindingUnexpectedService, model.FindingSlowResponse}

// findingsData is the findings page. Each finding is one incident: the
// alert engine keys its notifications by finding (portwatch/finding/ID),
// so the page shows findings and names the incident key.
type findingsData struct {
	Status, Severity, Kind, Acked, Host string
	Kinds                               []model.FindingKind
	Findings                            []model.Finding
	List                                listing
}

func (h *handler) findingsPage(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	p, err := view.ParsePage(q)
	if err != nil {
		h.fail(w, r, http.StatusBadRequest, err.Error())
		return
	}
	d := findingsData{Status: q.Get("status"), Severity: q.Get("severity"), Kind: q.Get("kind"), Acked: q.Get("acked"), Host: q.Get("host"), Kinds: findingKinds}
	f := store.FindingFilter{Page: p.Probe()}
	switch d.Status {
	case "", "open":
		d.Status, f.OpenOnly = "open", true
	case "resolved":
		f.ResolvedOnly = true
	case "all":
	default:
		h.fail(w, r, http.StatusBadRequest, "status "+d.Status+": want open, resolved or all")
		return
	}
	if d.Severity != "" {
		if view.SeverityRank(model.Severity(d.Severity)) > 3 {
			h.fail(w, r, http.StatusBadRequest, "severity "+d.Severity+": want critical, major, warning or info")
			return
		}
		f.Severity = model.Severity(d.Severity)
	}
	if d.Kind != "" {
		if !slices.Contains(findingKinds, model.FindingKind(d.Kind)) {
			h.fail(w, r, http.StatusBadRequest, "kind "+d.Kind+": unknown finding kind")
			return
		}
		f.Kind = model.FindingKind(d.Kind)
	}
	switch d.Acked {
	case "":
	case "yes":
		f.Acked = store.AckedYes
	case "no":
		f.Acked = store.AckedNo
	default:
		h.fail(w, r, http.StatusBadRequest, "acked "+d.Acked+": want yes or no")
		return
	}
	if d.Host != "" {
		a, err := view.ParseHost(d.Host)
		if err != nil {
			h.fail(w, r, http.StatusBadRequest, err.Error())
			return
		}
		f.Addr = a
	}
	fs, err := h.opts.Store.ListFindings(r.Context(), f)
	if err != nil {
		h.internal(w, r, "read the findings", err)
		return
	}
	var more bool
	d.Findings, more = view.Trim(p, fs)
	d.List = newListing("/findings", q, nil, p, -1, len(d.Findings))
	d.List.HasNext = more
	h.render(w, r, http.StatusOK, "findings", "Findings", "findings", d)
}

func (h *handler) ackPost(w http.ResponseWriter, r *http.Request) {
	h.findingAction(w, r, "finding.ack", h.opts.Daemon.AckFinding)
}

func (h *handler) resolvePost(w http.ResponseWriter, r *http.Request) {
	h.findingAction(w, r, "finding.resolve", h.opts.Daemon.ResolveFinding)
}

// findingAction acknowledges or resolves one finding, audits it and goes
// back to the page the form was on.
func (h *handler) findingAction(w http.ResponseWriter, r *http.Request, action string, do func(ctx context.Context, id int64, by string) (model.Finding, error)) {
	p := auth.FromContext(r.Context())
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		h.fail(w, r, http.StatusNotFound, "No such finding.")
		return
	}
	object := "finding/" + strconv.FormatInt(id, 10)
	if _, err := do(r.Context(), id, p.Name); err != nil {
		if errors.Is(err, daemon.ErrNotFound) {
			h.audit(r, action, object, "not found", http.StatusNotFound)
			h.fail(w, r, http.StatusNotFound, "No such finding.")
			return
		}
		h.audit(r, action, object, err.Error(), http.StatusInternalServerError)
		h.internal(w, r, action, err)
		return
	}
	h.audit(r, action, object, "", http.StatusSeeOther)
	h.writes.Add(1)
	http.Redirect(w, r, back(r, "/findings"), http.StatusSeeOther)
}

// back is the local page a form asked to return to, or def.
func back(r *http.Request, def string) string {
	if b := r.PostFormValue("back"); b != "" {
		return localPath(b)
	}
	return def
}
