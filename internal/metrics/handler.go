package metrics

import (
	"fmt"
	"net/http"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Handler serves the Prometheus exposition of src plus the Go runtime and
// process metrics. Each scrape reads one snapshot, bounded by the
// request's context and Options.Timeout. When the snapshot fails the
// scrape still answers 200 with portwatch_metrics_snapshot_ok 0 and the
// runtime metrics (the daemon is up; what it knows could not be read),
// and the error is logged. Authentication is the caller's: wrap the
// handler.
func Handler(src Source, opts Options) http.Handler {
	opts = opts.withDefaults()
	runtime := prometheus.NewRegistry()
	runtime.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// A registry per scrape binds the collector to this request's
		// context; it holds nothing between scrapes.
		reg := prometheus.NewRegistry()
		reg.MustRegister(newCollector(r.Context(), src, opts))
		h := promhttp.HandlerFor(prometheus.Gatherers{runtime, reg}, promhttp.HandlerOpts{
			ErrorLog:      slogAdapter{opts},
			ErrorHandling: promhttp.ContinueOnError,
		})
		w.Header().Set("Cache-Control", "no-store")
		h.ServeHTTP(w, r)
	})
}

// slogAdapter lets promhttp log exposition errors through slog.
type slogAdapter struct{ opts Options }

func (a slogAdapter) Println(v ...any) {
	a.opts.Logger.Error("metrics exposition", "err", fmtArgs(v))
}

func fmtArgs(v []any) string { return fmt.Sprint(v...) }
