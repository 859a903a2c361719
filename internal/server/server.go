// Package server puts the daemon's HTTP surface together: health
// endpoints without authentication, /metrics and /debug/stats behind a
// viewer token (or public when configured), the JSON API under /api/v1/
// and the dashboard at /, all behind cross-origin protection; and opens
// the listener (TLS required off loopback).
package server

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"

	"github.com/portwatch/portwatch/internal/api"
	"github.com/portwatch/portwatch/internal/auth"
	"github.com/portwatch/portwatch/internal/daemon"
	"github.com/portwatch/portwatch/internal/metrics"
	"github.com/portwatch/portwatch/internal/store"
	"github.com/portwatch/portwatch/internal/web"
)

// Backend is the store the server reads and writes.
type Backend = store.Backend

// Options say what to serve.
type Options struct {
	Daemon  *daemon.Daemon
	Store   Backend
	Auth    *auth.Service
	Logger  *slog.Logger
	Version string
	// MetricsPublic serves /metrics without authentication.
	MetricsPublic bool
}

// Handler returns the whole HTTP surface.
func Handler(opts Options) (http.Handler, error) {
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	dash, err := web.New(web.Options{Daemon: opts.Daemon, Store: opts.Store, Auth: opts.Auth, Logger: opts.Logger, Version: opts.Version})
	if err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	health := api.Health(opts.Daemon)
	mux.Handle("GET /healthz", health)
	mux.Handle("GET /readyz", health)
	mh := metrics.Handler(opts.Daemon, metrics.Options{})
	if !opts.MetricsPublic {
		mh = requireViewer(opts.Auth, mh)
	}
	mux.Handle("GET /metrics", mh)
	mux.Handle("GET /debug/stats", requireViewer(opts.Auth, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-store")
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		_ = enc.Encode(opts.Daemon.Stats())
	})))
	mux.Handle("/api/", api.New(api.Options{Daemon: opts.Daemon, Store: opts.Store, Auth: opts.Auth, Logger: opts.Logger, Version: opts.Version}))
	mux.Handle("/", dash)
	cop := http.NewCrossOriginProtection()
	return cop.Handler(mux), nil
}

// requireViewer lets through requests authenticated with any role; the
// others get 401 with a bearer challenge.
func requireViewer(a *auth.Service, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, err := a.Authenticate(r)
		if err != nil || !p.Role.Allows(auth.RoleViewer) || p.MustChangePassword {
			w.Header().Set("WWW-Authenticate", `Bearer realm="portwatch"`)
			http.Error(w, "authentication required: Authorization: Bearer <token> (portwatch token create)", http.StatusUnauthorized)
			return
		}
		next.ServeHTTP(w, r.WithContext(auth.WithPrincipal(r.Context(), p)))
	})
}

// Bootstrap creates the first admin when there is no user and returns
// the lines to print (none when there is nothing to say).
func Bootstrap(ctx context.Context, a *auth.Service, url string) ([]string, error) {
	user, secret, err := a.Bootstrap(ctx)
	if err != nil || secret == "" {
		return nil, err
	}
	return []string{
		"================================================================",
		" portwatch has no users yet. Log in at " + url + "/login",
		"   user:     " + user,
		"   password: " + secret,
		" This password works once: you will choose your own at the first",
		" login. Until then every start prints a new one.",
		" (Or create users with: portwatch user add NAME --role admin)",
		"================================================================",
	}, nil
}
