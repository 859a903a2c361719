package daemon

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/portwatch/portwatch/internal/config"
	"github.com/portwatch/portwatch/internal/model"
	"github.com/portwatch/portwatch/internal/store"
)

// ErrNotFound is returned for an unknown monitor, job or finding.
var ErrNotFound = errors.New("not found")

// ErrBusy is returned when a job asked to run is already running.
var ErrBusy = errors.New("already running")

// RunningScan is a discovery scan started through the API.
type RunningScan struct {
	Job     string    `json:"job"`
	Started time.Time `json:"started"`
	By      string    `json:"started_by"`
}

// manualScans tracks scans started on request.
type manualScans struct {
	mu      sync.Mutex
	running map[string]RunningScan
	wg      sync.WaitGroup
}

// StartScan runs a discovery job of the configuration now, in the
// background; its scan is stored like a scheduled one. It returns
// ErrNotFound for an unknown job and ErrBusy while one started on
// request for that job still runs.
func (d *Daemon) StartScan(job, by string) (RunningScan, error) {
	d.mu.Lock()
	p, ctx := d.plan, d.runCtx
	d.mu.Unlock()
	if ctx == nil {
		return RunningScan{}, errors.New("the daemon is not running")
	}
	i := slices.IndexFunc(p.discovery, func(j discoveryPlan) bool { return j.cfg.Name == job })
	if i < 0 {
		return RunningScan{}, fmt.Errorf("discovery job %q: %w", job, ErrNotFound)
	}
	d.manual.mu.Lock()
	defer d.manual.mu.Unlock()
	if _, busy := d.manual.running[job]; busy {
		return RunningScan{}, fmt.Errorf("discovery job %q: %w", job, ErrBusy)
	}
	rs := RunningScan{Job: job, Started: time.Now().UTC(), By: by}
	if d.manual.running == nil {
		d.manual.running = map[string]RunningScan{}
	}
	d.manual.running[job] = rs
	d.manual.wg.Add(1)
	go func() {
		defer d.manual.wg.Done()
		d.log.Info("discovery started on request", "job", job, "by", by)
		d.runDiscovery(ctx, p, p.discovery[i])
		d.manual.mu.Lock()
		delete(d.manual.running, job)
		d.manual.mu.Unlock()
	}()
	return rs, nil
}

// RunningScans lists the scans started on request that still run.
func (d *Daemon) RunningScans() []RunningScan {
	d.manual.mu.Lock()
	defer d.manual.mu.Unlock()
	out := make([]RunningScan, 0, len(d.manual.running))
	for _, r := range d.manual.running {
		out = append(out, r)
	}
	slices.SortFunc(out, func(a, b RunningScan) int { return a.Started.Compare(b.Started) })
	return out
}

// AckFinding acknowledges a finding: reminders and escalation stop.
func (d *Daemon) AckFinding(ctx context.Context, id int64, by string) (model.Finding, error) {
	if err := d.alertStore.AckFinding(ctx, id, by, time.Now().UTC()); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return model.Finding{}, fmt.Errorf("finding %d: %w", id, ErrNotFound)
		}
		return model.Finding{}, err
	}
	return d.finding(ctx, id)
}

func (d *Daemon) finding(ctx context.Context, id int64) (model.Finding, error) {
	fs, err := d.st.ListFindings(ctx, store.FindingFilter{ID: id})
	if err != nil {
		return model.Finding{}, err
	}
	if len(fs) == 0 {
		return model.Finding{}, fmt.Errorf("finding %d: %w", id, ErrNotFound)
	}
	return fs[0], nil
}

// ResolveFinding resolves an open finding by hand ("it is fixed"). The
// rules still apply: if the endpoint still breaks one at its next
// observation, a new finding opens. Resolving a resolved finding is a
// no-op.
func (d *Daemon) ResolveFinding(ctx context.Context, id int64, by string) (model.Finding, error) {
	f, err := d.finding(ctx, id)
	if err != nil || !f.Open() {
		return f, err
	}
	now := time.Now().UTC()
	if _, err := d.st.ResolveFinding(ctx, f.Key(), now); err != nil {
		return model.Finding{}, err
	}
	d.rec.fmu.Lock()
	d.rec.unindex(f.Key())
	d.rec.fmu.Unlock()
	f.Resolved = &now
	d.log.Info("finding resolved by hand", "id", f.ID, "by", by, "endpoint", f.Endpoint.String(), "kind", f.Kind)
	if d.rec.onFindings != nil {
		d.rec.onFindings(ctx, nil, []model.Finding{f}, nil)
	}
	return f, nil
}

// accounts returns the store's runtime-monitor tables, if it has them.
func (d *Daemon) accounts() (store.Accounts, bool) {
	a, ok := d.st.(store.Accounts)
	return a, ok
}

// effective adds the monitors created through the API to the files'
// configuration. A stored monitor that no longer fits (its name now
// taken by a file's monitor, its host out of scope) is skipped with a
// warning, not fatal: the files win.
func (d *Daemon) effective(ctx context.Context, base *config.Config) (*config.Config, error) {
	acc, ok := d.accounts()
	if !ok {
		return base, nil
	}
	stored, err := acc.ListRuntimeMonitors(ctx)
	if err != nil {
		return nil, fmt.Errorf("runtime monitors: %w", err)
	}
	cfg := base
	for _, rm := range stored {
		m, err := cfg.ParseRuntimeMonitor(rm.Spec)
		if err != nil {
			d.log.Warn("runtime monitor skipped", "name", rm.Name, "err", err)
			continue
		}
		cfg = cfg.WithMonitors([]config.Monitor{m})
	}
	return cfg, nil
}

// AddMonitor validates a monitor spec (the configuration file's keys, as
// JSON) against the running configuration, stores it and reloads. The
// monitor is checked from then on like one from a file.
func (d *Daemon) AddMonitor(ctx context.Context, spec []byte, by string) (MonitorInfo, error) {
	acc, ok := d.accounts()
	if !ok {
		return MonitorInfo{}, errors.New("this store cannot hold runtime monitors")
	}
	d.reloadMu.Lock()
	defer d.reloadMu.Unlock()
	d.mu.Lock()
	cur := d.plan.cfg
	d.mu.Unlock()
	m, err := cur.ParseRuntimeMonitor(spec)
	if err != nil {
		return MonitorInfo{}, &InvalidError{err}
	}
	canon, err := json.Marshal(json.RawMessage(spec))
	if err != nil {
		return MonitorInfo{}, &InvalidError{err}
	}
	if _, err := acc.AddRuntimeMonitor(ctx, store.RuntimeMonitor{Name: m.Name, Spec: canon, CreatedBy: by, Created: time.Now().UTC()}); err != nil {
		return MonitorInfo{}, err
	}
	if err := d.reloadLocked(ctx, d.base); err != nil {
		_ = acc.DeleteRuntimeMonitor(context.WithoutCancel(ctx), m.Name)
		return MonitorInfo{}, &InvalidError{err}
	}
	for _, mi := range d.Current().Monitors {
		if mi.Name == m.Name {
			return mi, nil
		}
	}
	return MonitorInfo{}, fmt.Errorf("monitor %q missing after reload", m.Name)
}

// DeleteMonitor removes a monitor created through the API and reloads.
// Monitors from the configuration files cannot be deleted this way.
func (d *Daemon) DeleteMonitor(ctx context.Context, name string) error {
	acc, ok := d.accounts()
	if !ok {
		return fmt.Errorf("monitor %q: %w", name, ErrNotFound)
	}
	d.reloadMu.Lock()
	defer d.reloadMu.Unlock()
	if err := acc.DeleteRuntimeMonitor(ctx, name); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("runtime monitor %q: %w", name, ErrNotFound)
		}
		return err
	}
	return d.reloadLocked(ctx, d.base)
}

// InvalidError is a request the configuration rules refuse.
type InvalidError struct{ Err error }

func (e *InvalidError) Error() string { return e.Err.Error() }

// Unwrap returns the validation error.
func (e *InvalidError) Unwrap() error { return e.Err }
