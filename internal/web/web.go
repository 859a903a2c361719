package web

import (
	"context"
	"errors"
	"fmt"
	"html/template"
	"log/slog"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/portwatch/portwatch/internal/auth"
	"github.com/portwatch/portwatch/internal/daemon"
	"github.com/portwatch/portwatch/internal/model"
	"github.com/portwatch/portwatch/internal/store"
)

// Daemon is what the dashboard needs from the running daemon.
type Daemon interface {
	Current() *daemon.Snapshot
	States() []model.EndpointState
	OpenFindings() []model.Finding
	AckFinding(ctx context.Context, id int64, by string) (model.Finding, error)
	ResolveFinding(ctx context.Context, id int64, by string) (model.Finding, error)
	StartScan(job, by string) (daemon.RunningScan, error)
	RunningScans() []daemon.RunningScan
	Stats() daemon.Stats
}

// Store is the backend the dashboard reads history from and writes
// silences and audit entries to.
type Store = store.Backend

// Options configures the dashboard.
type Options struct {
	Daemon  Daemon
	Store   Store
	Auth    *auth.Service
	Logger  *slog.Logger
	Version string
	// EventPoll is how often /events looks for a change in the daemon
	// (default 1 s); EventHeartbeat how often it sends a comment to keep
	// the connection open (default 15 s).
	EventPoll      time.Duration
	EventHeartbeat time.Duration
	// Now is the clock (default time.Now).
	Now func() time.Time
}

// handler serves the dashboard.
type handler struct {
	opts   Options
	log    *slog.Logger
	pages  map[string]*template.Template
	static *staticFiles
	// writes counts successful writes through the dashboard, so /events
	// also reports changes that move none of the daemon's counters (an
	// acknowledgement, a silence).
	writes atomic.Uint64
}

// New builds the dashboard handler, to be mounted at "/".
func New(opts Options) (http.Handler, error) {
	if opts.Daemon == nil || opts.Store == nil || opts.Auth == nil {
		return nil, errors.New("web: Daemon, Store and Auth are required")
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.EventPoll <= 0 {
		opts.EventPoll = time.Second
	}
	if opts.EventHeartbeat <= 0 {
		opts.EventHeartbeat = 15 * time.Second
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	h := &handler{opts: opts, log: opts.Logger}
	var err error
	if h.static, err = newStaticFiles(); err != nil {
		return nil, fmt.Errorf("web: static files: %w", err)
	}
	if h.pages, err = parsePages(h.funcs()); err != nil {
		return nil, fmt.Errorf("web: templates: %w", err)
	}
	return h.routes(), nil
}

// routes registers every page; authentication, CSRF and roles are
// applied by the wrappers.
func (h *handler) routes() http.Handler {
	mux := http.NewServeMux()
	pub := func(pattern string, fn http.HandlerFunc) { mux.Handle(pattern, fn) }
	view := func(pattern string, fn http.HandlerFunc) { mux.Handle(pattern, h.authed(auth.RoleViewer, fn)) }
	write := func(pattern string, role auth.Role, fn http.HandlerFunc) { mux.Handle(pattern, h.authed(role, fn)) }

	pub("GET /static/{hash}/{name}", h.serveStatic)
	pub("GET /login", h.loginPage)
	pub("POST /login", h.loginPost)
	write("POST /logout", auth.RoleViewer, h.logoutPost)
	view("GET /account/password", h.passwordPage)
	write("POST /account/password", auth.RoleViewer, h.passwordPost)

	view("GET /{$}", h.overviewPage)
	view("GET /hosts", h.hostsPage)
	view("GET /hosts/{addr}", h.hostPage)
	view("GET /endpoints", h.endpointsPage)
	view("GET /endpoints/{addr}/{proto}/{port}", h.endpointPage)
	view("GET /changes", h.changesPage)
	view("GET /findings", h.findingsPage)
	write("POST /findings/{id}/ack", auth.RoleOperator, h.ackPost)
	write("POST /findings/{id}/resolve", auth.RoleOperator, h.resolvePost)
	view("GET /scans", h.scansPage)
	view("GET /scans/{id}", h.scanPage)
	write("POST /scans/run", auth.RoleOperator, h.scanRunPost)
	view("GET /silences", h.silencesPage)
	write("POST /silences", auth.RoleOperator, h.silenceCreatePost)
	write("POST /silences/{id}/expire", auth.RoleOperator, h.silenceExpirePost)
	view("GET /events", h.events)
	mux.Handle("/", h.authed(auth.RoleViewer, func(w http.ResponseWriter, r *http.Request) {
		h.fail(w, r, http.StatusNotFound, "No such page.")
	}))
	return securityHeaders(mux)
}
