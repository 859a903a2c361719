package web

import (
	"net/http"

	"github.com/portwatch/portwatch/internal/daemon"
	"github.com/portwatch/portwatch/internal/view"
)

// overviewData is the first page: exposure, violations, failing
// monitors, recent changes and running scans.
type overviewData struct {
	view.Overview
	Severities []severityCount
	Scans      []daemon.RunningScan
}

type severityCount struct {
	Severity string
	Count    int
}

func (h *handler) overviewPage(w http.ResponseWriter, r *http.Request) {
	v := view.New(h.opts.Daemon)
	o, err := v.Overview(r.Context(), h.opts.Store)
	if err != nil {
		h.internal(w, r, "read the overview", err)
		return
	}
	d := overviewData{Overview: o, Scans: h.opts.Daemon.RunningScans()}
	for _, s := range []string{"critical", "major", "warning", "info"} {
		d.Severities = append(d.Severities, severityCount{s, o.BySeverity[s]})
	}
	h.render(w, r, http.StatusOK, "overview", "Overview", "overview", d)
}
