package api

import (
	"context"
	"log/slog"
	"net/http"

	"github.com/portwatch/portwatch/internal/auth"
	"github.com/portwatch/portwatch/internal/daemon"
	"github.com/portwatch/portwatch/internal/model"
	"github.com/portwatch/portwatch/internal/store"
	"github.com/portwatch/portwatch/internal/view"
)

// Daemon is what the API needs of the running daemon (*daemon.Daemon
// implements it).
type Daemon interface {
	view.Source
	AckFinding(ctx context.Context, id int64, by string) (model.Finding, error)
	ResolveFinding(ctx context.Context, id int64, by string) (model.Finding, error)
	StartScan(job, by string) (daemon.RunningScan, error)
	RunningScans() []daemon.RunningScan
	AddMonitor(ctx context.Context, spec []byte, by string) (daemon.MonitorInfo, error)
	DeleteMonitor(ctx context.Context, name string) error
	Ready() bool
	Healthy(ctx context.Context) error
}

var _ Daemon = (*daemon.Daemon)(nil)

// Store is the backend the API reads history, alerting state and
// accounts from (the SQLite store implements it).
type Store = store.Backend

// Options configure the API handler.
type Options struct {
	Daemon  Daemon
	Store   Store
	Auth    *auth.Service
	Logger  *slog.Logger
	Version string
}

// server is the handler's shared state: read-only after New.
type server struct {
	d   Daemon
	st  Store
	au  *auth.Service
	log *slog.Logger
	ver string
}

// Prefix is where the lead mounts the handler; routes see full paths.
const Prefix = "/api/v1"

// New returns the API handler for paths under /api/v1/.
func New(opts Options) http.Handler {
	s := &server{d: opts.Daemon, st: opts.Store, au: opts.Auth, log: opts.Logger, ver: opts.Version}
	if s.log == nil {
		s.log = slog.Default()
	}
	mux := http.NewServeMux()
	for _, rt := range Routes() {
		mux.Handle(rt.Method+" "+rt.Pattern, s.wrap(rt))
	}
	mux.HandleFunc(Prefix+"/", func(w http.ResponseWriter, r *http.Request) {
		// Unknown paths need authentication too: they tell nothing
		// about what exists to a caller without a credential.
		if _, err := s.au.Authenticate(r); err != nil {
			unauthorized(w)
			return
		}
		writeError(w, errNotFound("no such route: %s %s", r.Method, r.URL.Path))
	})
	return mux
}
