package web

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"

	"github.com/portwatch/portwatch/internal/auth"
	"github.com/portwatch/portwatch/internal/daemon"
	"github.com/portwatch/portwatch/internal/model"
	"github.com/portwatch/portwatch/internal/scan"
	"github.com/portwatch/portwatch/internal/store"
	"github.com/portwatch/portwatch/internal/view"
)

// scansData is the scans page: the discovery jobs (with "run now") and
// the stored scans, newest first.
type scansData struct {
	Jobs    []daemon.JobInfo
	Running map[string]daemon.RunningScan
	Scans   []model.ScanRecord
	List    listing
	Notice  string
}

func (h *handler) scansPage(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	p, err := view.ParsePage(q)
	if err != nil {
		h.fail(w, r, http.StatusBadRequest, err.Error())
		return
	}
	d := scansData{Jobs: h.opts.Daemon.Current().Jobs, Running: map[string]daemon.RunningScan{}, Notice: q.Get("started")}
	for _, rs := range h.opts.Daemon.RunningScans() {
		d.Running[rs.Job] = rs
	}
	recs, err := h.opts.Store.ListScans(r.Context(), store.ScanFilter{Job: q.Get("job"), Page: p.Probe()})
	if err != nil {
		h.internal(w, r, "read the scans", err)
		return
	}
	var more bool
	d.Scans, more = view.Trim(p, recs)
	d.List = newListing("/scans", q, nil, p, -1, len(d.Scans))
	d.List.HasNext = more
	h.render(w, r, http.StatusOK, "scans", "Scans", "scans", d)
}

// scanRow is one port of a stored scan's result.
type scanRow struct {
	Host scan.HostResult
	Port scan.PortResult
}

// maxScanRows bounds the result table of one scan page.
const maxScanRows = 5000

func (h *handler) scanPage(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		h.fail(w, r, http.StatusNotFound, "No such scan.")
		return
	}
	rec, err := h.opts.Store.GetScan(r.Context(), id)
	if errors.Is(err, store.ErrNotFound) {
		h.fail(w, r, http.StatusNotFound, "No such scan.")
		return
	}
	if err != nil {
		h.internal(w, r, "read the scan", err)
		return
	}
	var rows []scanRow
	total := 0
	if rec.Result != nil {
		for _, hr := range rec.Result.Hosts {
			for _, pr := range hr.Ports {
				total++
				if len(rows) < maxScanRows {
					rows = append(rows, scanRow{Host: hr, Port: pr})
				}
			}
		}
	}
	h.render(w, r, http.StatusOK, "scan", "Scan "+strconv.FormatInt(id, 10), "scans", struct {
		Scan  model.ScanRecord
		Rows  []scanRow
		Total int
	}{rec, rows, total})
}

func (h *handler) scanRunPost(w http.ResponseWriter, r *http.Request) {
	p := auth.FromContext(r.Context())
	job := r.PostFormValue("job")
	_, err := h.opts.Daemon.StartScan(job, p.Name)
	switch {
	case errors.Is(err, daemon.ErrNotFound):
		h.audit(r, "scan.start", "job/"+job, "not found", http.StatusNotFound)
		h.fail(w, r, http.StatusNotFound, "No discovery job named "+job+".")
		return
	case errors.Is(err, daemon.ErrBusy):
		h.audit(r, "scan.start", "job/"+job, "busy", http.StatusConflict)
		h.fail(w, r, http.StatusConflict, "The job "+job+" is already running.")
		return
	case err != nil:
		h.audit(r, "scan.start", "job/"+job, err.Error(), http.StatusInternalServerError)
		h.internal(w, r, "start the scan", err)
		return
	}
	h.audit(r, "scan.start", "job/"+job, "", http.StatusSeeOther)
	h.writes.Add(1)
	http.Redirect(w, r, "/scans?started="+url.QueryEscape(job), http.StatusSeeOther)
}
