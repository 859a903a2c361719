// Package daemon is `portwatch serve`: it compiles the configuration into
// scheduler jobs (one per monitor, one per discovery job), turns what each
// run sees into observations, and records them through the tracker, the
// store's single writer and the policy engine. Reload swaps in a new
// configuration only once it has compiled completely.
package daemon

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/portwatch/portwatch/internal/alert"
	"github.com/portwatch/portwatch/internal/config"
	"github.com/portwatch/portwatch/internal/fingerprint/engine"
	"github.com/portwatch/portwatch/internal/monitor/probe"
	"github.com/portwatch/portwatch/internal/monitor/schedule"
	"github.com/portwatch/portwatch/internal/scan"
	"github.com/portwatch/portwatch/internal/store"
	"github.com/portwatch/portwatch/internal/target"
)

// Options tunes a Daemon. Zero fields take the defaults.
type Options struct {
	// Version is recorded as the scanner of discovery scans.
	Version string
	// Logger receives the daemon's log (default slog.Default()).
	Logger *slog.Logger
	// Resolver resolves hostnames of monitors, groups and jobs (default
	// net.DefaultResolver).
	Resolver target.Resolver
	// MaxConcurrent bounds the scheduler's runs in progress (default from
	// the open-file limit: a quarter of it, at most 4096).
	MaxConcurrent int
	// Writer tunes the store's batching writer.
	Writer store.WriterOptions
	// PruneEvery is how often retention is applied (default 1 h).
	PruneEvery time.Duration
}

// Daemon runs one configuration at a time against one store.
type Daemon struct {
	opts        Options
	log         *slog.Logger
	st          store.Store
	writer      *store.Writer
	rec         *recorder
	sched       *schedule.Scheduler
	prober      *probe.Prober
	engine      *engine.Engine
	concurrency int // of discovery connect scans

	mu     sync.Mutex // guards plan, alerts, runCtx
	plan   *plan
	alerts *alert.Engine
	runCtx context.Context // Run's context, for scans started on request

	// reloadMu serialises reloads (file changes, SIGHUP, monitors added
	// through the API); base is the files' configuration, without the
	// runtime monitors.
	reloadMu sync.Mutex
	base     *config.Config
	manual   manualScans

	alertStore alertStore
	dispatcher *alert.Dispatcher
	scans      scanStats // discovery scans, for /metrics

	started     time.Time
	checks      atomic.Uint64 // monitor checks recorded
	checkErrors atomic.Uint64 // checks that failed locally (not recorded)
	// checkErrLogged is when (Unix ns) a local check failure was last logged.
	checkErrLogged atomic.Int64
	ready          atomic.Bool
}

// New restores the daemon's state from st and compiles cfg. It does not
// start anything; Run does.
func New(ctx context.Context, cfg *config.Config, st store.Store, opts Options) (*Daemon, error) {
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.Resolver == nil {
		opts.Resolver = net.DefaultResolver
	}
	if opts.PruneEvery <= 0 {
		opts.PruneEvery = time.Hour
	}
	if opts.Writer.Retries == 0 {
		// A store that goes away (disk full, file locked, a database
		// server restarting) is waited for, about 40 s with a linear
		// back-off, before a batch counts as failed. Meanwhile the queue
		// fills and checks wait for it: lag, visible in the stats, instead
		// of observations dropped.
		opts.Writer.Retries = 40
	}
	limit, err := scan.RaiseFileLimit()
	if err != nil {
		opts.Logger.Warn("open-file limit", "err", err)
		limit = 1024
	}
	if opts.MaxConcurrent <= 0 {
		opts.MaxConcurrent = int(min(max(limit/4, 16), 4096))
	}
	d := &Daemon{
		opts:        opts,
		log:         opts.Logger,
		st:          st,
		prober:      &probe.Prober{},
		engine:      engine.New(engine.Options{}),
		concurrency: max(scan.ConcurrencyForFileLimit(limit)/2, 16),
		sched:       schedule.New(schedule.Options{MaxConcurrent: opts.MaxConcurrent}),
	}
	as, ok := st.(alertStore)
	if !ok {
		return nil, fmt.Errorf("store %T has no alerting tables", st)
	}
	d.alertStore = as
	d.base = cfg
	eff, err := d.effective(ctx, cfg)
	if err != nil {
		return nil, err
	}
	p, err := compile(ctx, eff, opts.Resolver)
	if err != nil {
		return nil, err
	}
	d.plan = p
	d.dispatcher = alert.NewDispatcher(as, p.alert.notifiers, alert.DispatchOptions{Logger: d.log,
		BaseDelay: cfg.Alerting.RetryBase, MaxDelay: cfg.Alerting.RetryMax, MaxAge: cfg.Alerting.RetryFor})
	if d.alerts, err = d.startAlerting(ctx, p); err != nil {
		return nil, err
	}
	d.writer = store.NewWriter(st, opts.Writer)
	d.rec, err = newRecorder(ctx, st, d.writer, d.log)
	if err != nil {
		d.writer.Close()
		return nil, fmt.Errorf("restore state: %w", err)
	}
	d.rec.onFindings = d.onFindings
	return d, nil
}

// jobs returns the scheduler jobs of p.
func (d *Daemon) jobs(p *plan) []schedule.Job {
	var jobs []schedule.Job
	for _, m := range p.monitors {
		jobs = append(jobs, d.monitorJob(p, m))
	}
	for _, j := range p.discovery {
		jobs = append(jobs, d.discoveryJob(p, j))
	}
	return jobs
}

// Run schedules until ctx ends, then stops the scheduler (runs in
// progress end, what they measured is recorded), flushes the writer and
// returns. The store stays open; the caller closes it.
func (d *Daemon) Run(ctx context.Context) error {
	d.started = time.Now()
	d.mu.Lock()
	d.runCtx = ctx
	d.mu.Unlock()
	schedCtx, stopSched := context.WithCancel(ctx)
	defer stopSched()
	schedDone := make(chan error, 1)
	go func() { schedDone <- d.sched.Run(schedCtx) }()
	d.mu.Lock()
	p := d.plan
	d.mu.Unlock()
	if err := d.sched.Set(ctx, d.jobs(p)); err != nil {
		stopSched()
		<-schedDone
		d.writer.Close()
		return err
	}
	alertCtx, stopAlerting := context.WithCancel(context.WithoutCancel(ctx))
	alertDone := make(chan struct{})
	go func() {
		d.runAlerting(alertCtx)
		close(alertDone)
	}()
	defer func() {
		stopAlerting()
		<-alertDone
	}()
	d.rec.reevaluate(ctx, p.policy)
	d.ready.Store(true)
	d.log.Info("monitoring", "monitors", len(p.monitors), "discovery_jobs", len(p.discovery),
		"location", p.location, "max_concurrent", d.opts.MaxConcurrent)

	prune := time.NewTicker(d.opts.PruneEvery)
	defer prune.Stop()
	d.prune(ctx)
	for {
		select {
		case <-ctx.Done():
			d.ready.Store(false)
			<-schedDone
			d.manual.wg.Wait()
			err := d.writer.Close()
			ws := d.writer.Stats()
			d.log.Info("stopped", "observations", d.rec.observations.Load(), "committed", ws.Committed, "failed", ws.Failed)
			if err != nil {
				return fmt.Errorf("flush on shutdown: %w", err)
			}
			return nil
		case err := <-schedDone:
			d.writer.Close()
			return err
		case <-prune.C:
			d.prune(ctx)
		}
	}
}

// Reload compiles cfg and, only if that succeeds completely, replaces the
// running configuration: monitors and jobs whose name and timing are
// unchanged keep their schedule. Settings that need a restart (listen
// address, database) are reported as a warning and otherwise ignored.
func (d *Daemon) Reload(ctx context.Context, cfg *config.Config) error {
	d.reloadMu.Lock()
	defer d.reloadMu.Unlock()
	return d.reloadLocked(ctx, cfg)
}

// reloadLocked is Reload with reloadMu held: cfg becomes the base, the
// runtime monitors are added to it.
func (d *Daemon) reloadLocked(ctx context.Context, base *config.Config) error {
	cfg, err := d.effective(ctx, base)
	if err != nil {
		return err
	}
	p, err := compile(ctx, cfg, d.opts.Resolver)
	if err != nil {
		return err
	}
	d.mu.Lock()
	old := d.plan
	d.mu.Unlock()
	if cfg.Server.Listen != old.cfg.Server.Listen || cfg.Server.DB != old.cfg.Server.DB {
		d.log.Warn("server.listen and server.db take effect at the next restart")
	}
	if err := d.sched.Set(ctx, d.jobs(p)); err != nil {
		return err
	}
	d.mu.Lock()
	oldEngine := d.alerts
	d.mu.Unlock()
	if err := oldEngine.Flush(ctx, true); err != nil {
		d.log.Error("alerting flush before reload", "err", err)
	}
	eng, err := d.startAlerting(ctx, p)
	if err != nil {
		return err
	}
	d.dispatcher.SetNotifiers(p.alert.notifiers)
	d.mu.Lock()
	d.plan, d.alerts = p, eng
	d.mu.Unlock()
	d.base = base
	d.rec.reevaluate(ctx, p.policy)
	d.log.Info("configuration reloaded", "monitors", len(p.monitors), "discovery_jobs", len(p.discovery), "files", cfg.Files)
	return nil
}

// prune applies the retention windows of the current configuration.
func (d *Daemon) prune(ctx context.Context) {
	d.mu.Lock()
	r := d.plan.cfg.Retention
	d.mu.Unlock()
	res, err := d.st.Prune(ctx, time.Now(), store.RetentionPolicy{Raw: r.Observations, Minute: r.MinuteRollups, Hour: r.HourRollups})
	if err != nil {
		if !errors.Is(err, context.Canceled) {
			d.log.Error("prune", "err", err)
		}
		return
	}
	if res.Observations+res.MinuteRollups+res.HourRollups > 0 {
		d.log.Info("pruned", "observations", res.Observations, "minute_rollups", res.MinuteRollups, "hour_rollups", res.HourRollups)
	}
}

// Stats is the daemon's live counters (GET /debug/stats).
type Stats struct {
	Uptime       string             `json:"uptime"`
	Ready        bool               `json:"ready"`
	Scheduler    schedule.Snapshot  `json:"scheduler"`
	Writer       WriterStats        `json:"writer"`
	Observations uint64             `json:"observations"` // handed to the writer since start
	Checks       uint64             `json:"checks"`       // monitor checks recorded
	CheckErrors  uint64             `json:"check_errors"` // checks that failed locally, not recorded
	Changes      uint64             `json:"changes"`
	OpenFindings int64              `json:"open_findings"`
	StoreErrors  uint64             `json:"store_errors"`
	Endpoints    int                `json:"endpoints"` // tracked endpoint states
	Config       map[string]any     `json:"config"`
	Lag          map[string]float64 `json:"lag_seconds"`
}

// WriterStats is store.WriterStats with JSON names.
type WriterStats struct {
	Committed int64 `json:"committed"`
	Failed    int64 `json:"failed"`
	Batches   int64 `json:"batches"`
	// Observations and Changes count committed observations and changes
	// (Committed also counts states).
	Observations int64 `json:"observations"`
	Changes      int64 `json:"changes"`
}

// Stats returns a snapshot of the counters.
func (d *Daemon) Stats() Stats {
	d.mu.Lock()
	p := d.plan
	d.mu.Unlock()
	ws := d.writer.Stats()
	sn := d.sched.Stats().Snapshot()
	return Stats{
		Uptime:       time.Since(d.started).Round(time.Second).String(),
		Ready:        d.ready.Load(),
		Scheduler:    sn,
		Writer:       WriterStats{Committed: ws.Committed, Failed: ws.Failed, Batches: ws.Batches, Observations: ws.Observations, Changes: ws.Changes},
		Observations: d.rec.observations.Load(),
		Checks:       d.checks.Load(),
		CheckErrors:  d.checkErrors.Load(),
		Changes:      d.rec.changes.Load(),
		OpenFindings: d.rec.findingsOpen.Load(),
		StoreErrors:  d.rec.storeErrors.Load(),
		Endpoints:    d.rec.tracker.Len(),
		Config:       map[string]any{"monitors": len(p.monitors), "discovery_jobs": len(p.discovery), "files": p.cfg.Files},
		Lag: map[string]float64{
			"p50": sn.LagP50.Seconds(), "p99": sn.LagP99.Seconds(), "max": sn.LagMax.Seconds(),
		},
	}
}

// Ready reports whether the daemon is scheduling.
func (d *Daemon) Ready() bool { return d.ready.Load() }

// Healthy checks that the store answers.
func (d *Daemon) Healthy(ctx context.Context) error {
	_, err := d.st.ListScans(ctx, store.ScanFilter{Page: store.Page{Limit: 1}})
	return err
}
