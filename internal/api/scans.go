package api

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/portwatch/portwatch/internal/daemon"
	"github.com/portwatch/portwatch/internal/store"
)

func (s *server) listScans(c *call) error {
	q := c.r.URL.Query()
	p, err := page(q)
	if err != nil {
		return err
	}
	if _, err := fixedSort(q, "-started"); err != nil {
		return err
	}
	scans, err := s.st.ListScans(c.r.Context(), store.ScanFilter{Job: q.Get("job"), Page: p.Probe()})
	if err != nil {
		return fmt.Errorf("list scans: %w", err)
	}
	writeJSON(c.w, http.StatusOK, storeList(c.r, scans, p))
	return nil
}

func (s *server) getScan(c *call) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	rec, err := s.st.GetScan(c.r.Context(), id)
	if errors.Is(err, store.ErrNotFound) {
		return errNotFound("scan %d: not found", id)
	}
	if err != nil {
		return fmt.Errorf("scan %d: %w", id, err)
	}
	writeJSON(c.w, http.StatusOK, rec)
	return nil
}

func (s *server) runningScans(c *call) error {
	rs := s.d.RunningScans()
	if rs == nil {
		rs = []daemon.RunningScan{}
	}
	n := len(rs)
	writeJSON(c.w, http.StatusOK, listing{Items: rs, Total: &n, Limit: n, Offset: 0})
	return nil
}

// scanRequest starts a discovery job.
type scanRequest struct {
	Job string `json:"job"`
}

func (s *server) startScan(c *call) error {
	var req scanRequest
	if err := decode(c, &req); err != nil {
		return err
	}
	if req.Job == "" {
		return errBadRequest("job: required (the name of a discovery job; GET %s/targets lists them)", Prefix)
	}
	c.object = "job/" + req.Job
	rs, err := s.d.StartScan(req.Job, c.p.Actor())
	switch {
	case errors.Is(err, daemon.ErrNotFound):
		return errNotFound("discovery job %q: not in the configuration", req.Job)
	case errors.Is(err, daemon.ErrBusy):
		return errConflict("discovery job %q: already running", req.Job)
	case err != nil:
		return newError(http.StatusServiceUnavailable, "unavailable", "discovery job %q: %v", req.Job, err)
	}
	writeJSON(c.w, http.StatusAccepted, rs)
	return nil
}
