package web

import (
	"bytes"
	"embed"
	"html/template"
	"io/fs"
	"net/http"
	"strings"
	"time"

	"github.com/portwatch/portwatch/internal/auth"
)

//go:embed templates
var templateFS embed.FS

// parsePages parses every page template with the layout and partials:
// one template set per page, each defining "content".
func parsePages(funcs template.FuncMap) (map[string]*template.Template, error) {
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		return nil, err
	}
	pages := map[string]*template.Template{}
	for _, n := range names {
		base := strings.TrimSuffix(strings.TrimPrefix(n, "templates/"), ".html")
		if base == "layout" || base == "partials" {
			continue
		}
		t, err := template.New(base).Funcs(funcs).ParseFS(templateFS, "templates/layout.html", "templates/partials.html", n)
		if err != nil {
			return nil, err
		}
		pages[base] = t
	}
	return pages, nil
}

// page is what every template gets: the layout's fields and the page's
// own Data.
type page struct {
	Title    string
	Nav      string
	User     *auth.Principal
	CanWrite bool // operator or admin: write buttons are shown
	CSRF     string
	CSS, JS  string
	Version  string
	Path     string // this page's path and query, for "back" fields
	Now      time.Time
	Data     any
}

// render executes a page into a buffer first, so a template error is a
// clean 500 and not half a page.
func (h *handler) render(w http.ResponseWriter, r *http.Request, status int, name, title, nav string, data any) {
	p := auth.FromContext(r.Context())
	pg := page{Title: title, Nav: nav, User: p, CSS: h.static.URL("app.css"), JS: h.static.URL("app.js"),
		Version: h.opts.Version, Path: localPath(r.URL.RequestURI()), Now: h.opts.Now().UTC(), Data: data}
	if p != nil {
		pg.CSRF = p.CSRF
		pg.CanWrite = p.Role.Allows(auth.RoleOperator)
	}
	t, ok := h.pages[name]
	if !ok {
		h.log.Error("no such template", "name", name)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", pg); err != nil {
		h.log.Error("render", "page", name, "err", err)
		http.Error(w, "internal error rendering the page", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// fail renders the error page with a status and a message for people.
func (h *handler) fail(w http.ResponseWriter, r *http.Request, status int, msg string) {
	h.render(w, r, status, "error", http.StatusText(status), "", struct {
		Status int
		Text   string
		Msg    string
	}{status, http.StatusText(status), msg})
}

// internal logs err and renders a 500 naming what failed.
func (h *handler) internal(w http.ResponseWriter, r *http.Request, what string, err error) {
	h.log.Error("dashboard", "what", what, "path", r.URL.Path, "err", err)
	h.fail(w, r, http.StatusInternalServerError, what+" failed: "+err.Error())
}
