package web

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/portwatch/portwatch/internal/alert"
	"github.com/portwatch/portwatch/internal/auth"
	"github.com/portwatch/portwatch/internal/config"
	"github.com/portwatch/portwatch/internal/store"
)

// silencesData is the silences page and its create form.
type silencesData struct {
	Silences []store.Silence
	Matchers string
	Duration string
	Comment  string
	Error    string
}

// maxSilence bounds a silence made through the dashboard.
const maxSilence = 90 * 24 * time.Hour

func (h *handler) silencesPage(w http.ResponseWriter, r *http.Request) {
	h.renderSilences(w, r, http.StatusOK, silencesData{Duration: "2h"})
}

func (h *handler) renderSilences(w http.ResponseWriter, r *http.Request, status int, d silencesData) {
	var err error
	if d.Silences, err = h.opts.Store.ListSilences(r.Context(), h.opts.Now().UTC()); err != nil {
		h.internal(w, r, "read the silences", err)
		return
	}
	h.render(w, r, status, "silences", "Silences", "silences", d)
}

func (h *handler) silenceCreatePost(w http.ResponseWriter, r *http.Request) {
	p := auth.FromContext(r.Context())
	d := silencesData{Matchers: r.PostFormValue("matchers"), Duration: r.PostFormValue("duration"), Comment: strings.TrimSpace(r.PostFormValue("comment"))}
	ms, err := parseMatchers(d.Matchers)
	if err != nil {
		d.Error = err.Error()
	}
	dur, derr := time.ParseDuration(strings.TrimSpace(d.Duration))
	if d.Error == "" && (derr != nil || dur <= 0 || dur > maxSilence) {
		d.Error = "duration " + strconv.Quote(d.Duration) + ": want a Go duration such as 30m, 2h or 72h, at most 90 days (2160h)"
	}
	if d.Error == "" && d.Comment == "" {
		d.Error = "a comment is required: say why notifications are muted"
	}
	if d.Error != "" {
		h.audit(r, "silence.create", "silence", d.Error, http.StatusBadRequest)
		h.renderSilences(w, r, http.StatusBadRequest, d)
		return
	}
	now := h.opts.Now().UTC()
	id, err := h.opts.Store.AddSilence(r.Context(), store.Silence{Matchers: ms, Starts: now, Ends: now.Add(dur), CreatedBy: p.Name, Comment: d.Comment, Created: now})
	if err != nil {
		h.audit(r, "silence.create", "silence", err.Error(), http.StatusInternalServerError)
		h.internal(w, r, "store the silence", err)
		return
	}
	h.audit(r, "silence.create", "silence/"+strconv.FormatInt(id, 10), d.Matchers+" for "+dur.String()+": "+d.Comment, http.StatusSeeOther)
	h.writes.Add(1)
	http.Redirect(w, r, "/silences", http.StatusSeeOther)
}

// parseMatchers reads matchers separated by commas or new lines, each
// as the configuration writes them (host=198.18.0.11, group=~db.*).
func parseMatchers(s string) ([]store.Matcher, error) {
	var cms []config.Matcher
	for _, part := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == '\n' || r == '\r' }) {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		m, err := config.ParseMatcher(part)
		if err != nil {
			return nil, err
		}
		cms = append(cms, m)
	}
	if len(cms) == 0 {
		return nil, errors.New("at least one matcher is required, e.g. host=198.18.0.11")
	}
	return alert.StoreMatchers(cms), nil
}

func (h *handler) silenceExpirePost(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		h.fail(w, r, http.StatusNotFound, "No such silence.")
		return
	}
	object := "silence/" + strconv.FormatInt(id, 10)
	err = h.opts.Store.ExpireSilence(r.Context(), id, h.opts.Now().UTC())
	if errors.Is(err, store.ErrNotFound) {
		h.audit(r, "silence.expire", object, "not found", http.StatusNotFound)
		h.fail(w, r, http.StatusNotFound, "No such silence.")
		return
	}
	if err != nil {
		h.audit(r, "silence.expire", object, err.Error(), http.StatusInternalServerError)
		h.internal(w, r, "expire the silence", err)
		return
	}
	h.audit(r, "silence.expire", object, "", http.StatusSeeOther)
	h.writes.Add(1)
	http.Redirect(w, r, "/silences", http.StatusSeeOther)
}
