package web

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"net/http"
	"strings"
	"time"

	"github.com/portwatch/portwatch/internal/web/chart"
)

//go:embed static
var staticFS embed.FS

// staticFiles are the stylesheet (the dashboard's own rules plus the
// charts') and the script, each served under a URL holding a hash of its
// content, so browsers may cache them for good.
type staticFiles struct {
	files map[string]staticFile // by name
}

type staticFile struct {
	body        []byte
	contentType string
	hash        string
}

func newStaticFiles() (*staticFiles, error) {
	css, err := staticFS.ReadFile("static/app.css")
	if err != nil {
		return nil, err
	}
	css = append(css, "\n/* charts */\n"+chart.CSS()...)
	js, err := staticFS.ReadFile("static/app.js")
	if err != nil {
		return nil, err
	}
	s := &staticFiles{files: map[string]staticFile{}}
	s.add("app.css", "text/css; charset=utf-8", css)
	s.add("app.js", "text/javascript; charset=utf-8", js)
	return s, nil
}

func (s *staticFiles) add(name, ctype string, body []byte) {
	sum := sha256.Sum256(body)
	s.files[name] = staticFile{body: body, contentType: ctype, hash: hex.EncodeToString(sum[:6])}
}

// URL is the cacheable address of a static file.
func (s *staticFiles) URL(name string) string {
	return "/static/" + s.files[name].hash + "/" + name
}

func (h *handler) serveStatic(w http.ResponseWriter, r *http.Request) {
	f, ok := h.static.files[r.PathValue("name")]
	if !ok || f.hash != r.PathValue("hash") {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", f.contentType)
	w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	w.Header().Set("ETag", `"`+f.hash+`"`)
	http.ServeContent(w, r, "", time.Time{}, strings.NewReader(string(f.body)))
}
