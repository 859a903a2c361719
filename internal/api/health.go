package api

import (
	"context"
	"net/http"
	"time"
)

// HealthChecker is what the health endpoints ask (*daemon.Daemon is
// one).
type HealthChecker interface {
	Ready() bool
	Healthy(ctx context.Context) error
}

// Health serves GET /healthz (200 while the store answers) and GET
// /readyz (200 only while the daemon schedules), without
// authentication. Bodies are JSON: {"status": "ok"} or
// {"status": "unavailable", "error": "..."} with 503.
func Health(d HealthChecker) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		if err := d.Healthy(ctx); err != nil {
			writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "unavailable", "error": "store: " + err.Error()})
			return
		}
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		if !d.Ready() {
			writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "unavailable", "error": "not scheduling"})
			return
		}
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	return mux
}
