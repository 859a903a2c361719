package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/portwatch/portwatch/internal/auth"
	"github.com/portwatch/portwatch/internal/config"
	"github.com/portwatch/portwatch/internal/daemon"
	"github.com/portwatch/portwatch/internal/server"
	"github.com/portwatch/portwatch/internal/store/sqlite"
)

type serveFlags struct {
	config    string
	db        string
	listen    string
	logFormat string
	logLevel  string
	watch     time.Duration
}

// newServeCmd builds `portwatch serve`.
func newServeCmd(a *app) *cobra.Command {
	f := &serveFlags{}
	cmd := &cobra.Command{
		Use:   "serve [--config FILE|DIR]",
		Short: "Run the monitoring daemon: scheduled discovery and checks, history, findings",
		Long: `Serve runs the monitoring daemon. It schedules the configuration's discovery
jobs and monitors, records every observation, state change and policy finding
in its store, and serves the dashboard (/), the JSON API (/api/v1), Prometheus
metrics (/metrics) and health checks (/healthz, /readyz). Everything but the
health checks needs a login or an API token; the first start prints a one-time
password for the user admin. A listen address other than loopback requires TLS
(server.tls_cert/tls_key, or a generated self-signed certificate).

Without --config it monitors this machine's loopback addresses (the top 1000
TCP ports of 127.0.0.1 and ::1 every minute) into portwatch.db in the working
directory and listens on http://127.0.0.1:7070.

SIGHUP, or any change to the configuration files (checked every --watch
interval), reloads the configuration: the new one is validated and compiled
completely first; if it is refused, the error is logged and the running one
stays. SIGTERM or SIGINT stops cleanly: checks in progress finish, every
result is written, then the process exits 0.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runServe(cmd.Context(), a, f, cmd) },
	}
	fl := cmd.Flags()
	fl.StringVarP(&f.config, "config", "c", "", "configuration file or directory (default: monitor loopback)")
	fl.StringVar(&f.db, "db", "", "SQLite database file (overrides server.db; default portwatch.db)")
	fl.StringVar(&f.listen, "listen", "", "HTTP listen address (overrides server.listen; default 127.0.0.1:7070)")
	fl.StringVar(&f.logFormat, "log-format", "text", "log format: text or json")
	fl.StringVar(&f.logLevel, "log-level", "info", "log level: debug, info, warn or error")
	fl.DurationVar(&f.watch, "watch", 2*time.Second, "how often to check the configuration files for changes (0 disables; SIGHUP still works)")
	return cmd
}

func newLogger(w io.Writer, format, level string) (*slog.Logger, error) {
	var lv slog.Level
	if err := lv.UnmarshalText([]byte(level)); err != nil {
		return nil, usagef("--log-level %q: want debug, info, warn or error", level)
	}
	opts := &slog.HandlerOptions{Level: lv}
	switch strings.ToLower(format) {
	case "text":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	}
	return nil, usagef("--log-format %q: want text or json", format)
}

// loadServeConfig loads --config (or the default) and applies the flags
// that override it.
func loadServeConfig(f *serveFlags) (*config.Config, error) {
	cfg := config.Default()
	if f.config != "" {
		var err error
		if cfg, err = config.Load(f.config); err != nil {
			return nil, err
		}
	}
	if f.db != "" {
		cfg.Server.DB = f.db
	}
	if f.listen != "" {
		cfg.Server.Listen = f.listen
	}
	return cfg, nil
}

func runServe(ctx context.Context, a *app, f *serveFlags, cmd *cobra.Command) error {
	log, err := newLogger(a.io.Err, f.logFormat, f.logLevel)
	if err != nil {
		return err
	}
	cfg, err := loadServeConfig(f)
	if err != nil {
		var errs config.Errors
		if errors.As(err, &errs) {
			for _, e := range errs {
				fmt.Fprintln(a.io.Err, e)
			}
			return exitError{code: ExitUsage, err: fmt.Errorf("%s: %d error(s); not starting", f.config, len(errs))}
		}
		return usageError{err}
	}
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()

	st, err := sqlite.Open(ctx, cfg.Server.DB)
	if err != nil {
		return usagef("open store %s: %w", cfg.Server.DB, err)
	}
	defer st.Close()
	d, err := daemon.New(ctx, cfg, st, daemon.Options{Version: a.version, Logger: log})
	if err != nil {
		return usagef("%w", err)
	}
	authSvc, err := auth.NewService(st, auth.Options{Logger: log})
	if err != nil {
		return err
	}
	ln, err := server.Listen(ctx, cfg.Server.Listen, server.TLSFiles{Cert: cfg.Server.TLSCert, Key: cfg.Server.TLSKey}, filepath.Dir(cfg.Server.DB))
	if err != nil {
		return usagef("%w", err)
	}
	if ln.Generated != "" {
		log.Warn("listening beyond loopback requires TLS: a SELF-SIGNED certificate was generated; browsers will warn. Set server.tls_cert and server.tls_key to your own certificate",
			"certificate", ln.Generated)
	}
	handler, err := server.Handler(server.Options{Daemon: d, Store: st, Auth: authSvc, Logger: log, Version: a.version, MetricsPublic: cfg.Server.MetricsPublic})
	if err != nil {
		ln.Close()
		return err
	}
	// Requests (live-refresh streams especially) end when shutdown begins.
	httpCtx, stopHTTP := context.WithCancel(context.WithoutCancel(ctx))
	defer stopHTTP()
	srv := &http.Server{Handler: handler, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 2 * time.Minute,
		ErrorLog:    slog.NewLogLogger(log.Handler(), slog.LevelWarn),
		BaseContext: func(net.Listener) context.Context { return httpCtx }}
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("http server", "err", err)
		}
	}()
	log.Info("serving", "listen", ln.URL, "db", cfg.Server.DB, "config", configName(f.config), "version", a.version)
	lines, err := server.Bootstrap(ctx, authSvc, ln.URL)
	if err != nil {
		return fmt.Errorf("bootstrap admin: %w", err)
	}
	if len(lines) > 0 {
		fmt.Fprintln(a.io.Err, strings.Join(lines, "\n"))
	}

	reload := make(chan string, 1)
	ask := func(why string) {
		select {
		case reload <- why:
		default: // one pending reload covers this one too
		}
	}
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	go func() {
		for {
			select {
			case <-ctx.Done():
				return
			case <-hup:
				ask("SIGHUP")
			}
		}
	}()
	if f.config != "" && f.watch > 0 {
		go config.Watch(ctx, f.config, f.watch, func() { ask("file change") })
	}
	go func() {
		for {
			select {
			case <-ctx.Done():
				return
			case why := <-reload:
				reloadConfig(ctx, d, f, log, why)
			}
		}
	}()

	runErr := d.Run(ctx)
	shutCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	stopHTTP()
	_ = srv.Shutdown(shutCtx)
	if runErr != nil && !errors.Is(runErr, context.Canceled) {
		return exitError{code: ExitPartial, err: runErr}
	}
	log.Info("bye")
	return nil
}

// reloadConfig loads and applies the configuration, or logs why not.
func reloadConfig(ctx context.Context, d *daemon.Daemon, f *serveFlags, log *slog.Logger, why string) {
	if f.config == "" {
		log.Info("reload requested but no --config given; nothing to reload", "trigger", why)
		return
	}
	cfg, err := loadServeConfig(f)
	if err == nil {
		err = d.Reload(ctx, cfg)
	}
	if err != nil {
		var errs config.Errors
		if errors.As(err, &errs) {
			for _, e := range errs {
				log.Error("configuration refused", "trigger", why, "error", e.Error())
			}
		} else {
			log.Error("configuration refused", "trigger", why, "error", err.Error())
		}
		log.Error("the running configuration stays in force", "trigger", why)
		return
	}
	log.Info("configuration applied", "trigger", why)
}

func configName(path string) string {
	if path == "" {
		return "(built-in default: loopback)"
	}
	return path
}
