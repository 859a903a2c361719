package api

import (
	"errors"
	"fmt"
	"net/http"
	"net/netip"
	"slices"

	"github.com/portwatch/portwatch/internal/daemon"
	"github.com/portwatch/portwatch/internal/model"
	"github.com/portwatch/portwatch/internal/store"
	"github.com/portwatch/portwatch/internal/view"
)

// hostParam reads ?host= as an address.
func hostParam(c *call) (netip.Addr, error) {
	h := c.r.URL.Query().Get("host")
	if h == "" {
		return netip.Addr{}, nil
	}
	a, err := view.ParseHost(h)
	if err != nil {
		return a, errParam(err)
	}
	return a, nil
}

var changeKinds = []model.ChangeKind{model.ChangeOpened, model.ChangeClosed, model.ChangeFiltered,
	model.ChangeServiceChanged, model.ChangeVersionChanged, model.ChangeCertChanged}

func (s *server) listChanges(c *call) error {
	q := c.r.URL.Query()
	p, err := page(q)
	if err != nil {
		return err
	}
	order, err := fixedSort(q, "-time", "time")
	if err != nil {
		return err
	}
	f := store.ChangeFilter{Desc: order == 0, Location: model.Location(q.Get("location")), Page: p.Probe()}
	if f.Addr, err = hostParam(c); err != nil {
		return err
	}
	if k := q.Get("kind"); k != "" {
		if !slices.Contains(changeKinds, model.ChangeKind(k)) {
			return errBadRequest("kind %q: want one of %v", k, changeKinds)
		}
		f.Kind = model.ChangeKind(k)
	}
	if f.From, err = timeParam(q, "since"); err != nil {
		return err
	}
	if f.To, err = timeParam(q, "until"); err != nil {
		return err
	}
	cs, err := s.st.ListChanges(c.r.Context(), f)
	if err != nil {
		return fmt.Errorf("list changes: %w", err)
	}
	writeJSON(c.w, http.StatusOK, storeList(c.r, cs, p))
	return nil
}

var findingKinds = []model.FindingKind{model.FindingForbiddenPort, model.FindingUnexpectedPort, model.FindingExpectedOpenDown,
	model.FindingExpectedClosedOpen, model.FindingUnexpectedService, model.FindingSlowResponse}

var severities = []model.Severity{model.SeverityCritical, model.SeverityMajor, model.SeverityWarning, model.SeverityInfo}

func (s *server) listFindings(c *call) error {
	q := c.r.URL.Query()
	p, err := page(q)
	if err != nil {
		return err
	}
	if _, err := fixedSort(q, "-opened"); err != nil {
		return err
	}
	f := store.FindingFilter{Location: model.Location(q.Get("location")), Page: p.Probe()}
	if f.Addr, err = hostParam(c); err != nil {
		return err
	}
	open, err := boolParam(q, "open")
	if err != nil {
		return err
	}
	if open != nil {
		f.OpenOnly, f.ResolvedOnly = *open, !*open
	}
	acked, err := boolParam(q, "acked")
	if err != nil {
		return err
	}
	if acked != nil {
		f.Acked = store.AckedNo
		if *acked {
			f.Acked = store.AckedYes
		}
	}
	if k := q.Get("kind"); k != "" {
		if !slices.Contains(findingKinds, model.FindingKind(k)) {
			return errBadRequest("kind %q: want one of %v", k, findingKinds)
		}
		f.Kind = model.FindingKind(k)
	}
	if v := q.Get("severity"); v != "" {
		if !slices.Contains(severities, model.Severity(v)) {
			return errBadRequest("severity %q: want critical, major, warning or info", v)
		}
		f.Severity = model.Severity(v)
	}
	fs, err := s.st.ListFindings(c.r.Context(), f)
	if err != nil {
		return fmt.Errorf("list findings: %w", err)
	}
	writeJSON(c.w, http.StatusOK, storeList(c.r, fs, p))
	return nil
}

func (s *server) finding(c *call) (model.Finding, error) {
	id, err := idParam(c, "id")
	if err != nil {
		return model.Finding{}, err
	}
	c.object = fmt.Sprintf("finding/%d", id)
	fs, err := s.st.ListFindings(c.r.Context(), store.FindingFilter{ID: id})
	if err != nil {
		return model.Finding{}, fmt.Errorf("finding %d: %w", id, err)
	}
	if len(fs) == 0 {
		return model.Finding{}, errNotFound("finding %d: not found", id)
	}
	return fs[0], nil
}

func (s *server) getFinding(c *call) error {
	f, err := s.finding(c)
	if err != nil {
		return err
	}
	writeJSON(c.w, http.StatusOK, f)
	return nil
}

func (s *server) ackFinding(c *call) error {
	f, err := s.finding(c)
	if err != nil {
		return err
	}
	id := f.ID
	f, err = s.d.AckFinding(c.r.Context(), id, c.p.Actor())
	if errors.Is(err, daemon.ErrNotFound) {
		return errNotFound("finding %d: not found", id)
	}
	if err != nil {
		return err
	}
	writeJSON(c.w, http.StatusOK, f)
	return nil
}

func (s *server) resolveFinding(c *call) error {
	f, err := s.finding(c)
	if err != nil {
		return err
	}
	if !f.Open() {
		return errConflict("finding %d: already resolved at %s", f.ID, f.Resolved.Format("2006-01-02T15:04:05Z07:00"))
	}
	id := f.ID
	f, err = s.d.ResolveFinding(c.r.Context(), id, c.p.Actor())
	if errors.Is(err, daemon.ErrNotFound) {
		return errNotFound("finding %d: not found", id)
	}
	if err != nil {
		return err
	}
	writeJSON(c.w, http.StatusOK, f)
	return nil
}
