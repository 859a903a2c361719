package daemon

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/portwatch/portwatch/internal/alert"
	"github.com/portwatch/portwatch/internal/alert/notify"
	"github.com/portwatch/portwatch/internal/alert/provider"
	"github.com/portwatch/portwatch/internal/config"
	"github.com/portwatch/portwatch/internal/model"
	"github.com/portwatch/portwatch/internal/store"
)

// alertPlan is the alerting part of a configuration, built and checked.
type alertPlan struct {
	notifiers map[string]notify.Notifier
	opts      alert.Options
}

// compileAlerting builds every notifier and the engine's options.
func compileAlerting(cfg *config.Config, log *slog.Logger) (*alertPlan, error) {
	ap := &alertPlan{notifiers: map[string]notify.Notifier{}}
	var errs []error
	ungrouped := map[string]bool{}
	for _, n := range cfg.Notifiers {
		built, err := provider.Build(n)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		ap.notifiers[n.Name] = built
		ungrouped[n.Name] = provider.Ungrouped(n.Type)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	opts, err := alert.OptionsFromConfig(cfg)
	if err != nil {
		return nil, err
	}
	opts.Ungrouped, opts.Logger = ungrouped, log
	ap.opts = opts
	// A configuration check: the engine refuses what the config package
	// cannot see (regular expressions are compiled again there).
	if _, err := alert.NewEngine(nil, ap.opts); err != nil {
		return nil, err
	}
	return ap, nil
}

// alertStore is what alerting needs of the backend.
type alertStore interface {
	store.Store
	store.Alerting
}

// startAlerting builds the engine of p and restores what a previous run
// (or the previous configuration) left: open findings, recent resolves.
func (d *Daemon) startAlerting(ctx context.Context, p *plan) (*alert.Engine, error) {
	opts := p.alert.opts
	opts.Logger = d.log
	eng, err := alert.NewEngine(d.alertStore, opts)
	if err != nil {
		return nil, err
	}
	eng.Enqueued = d.dispatcher.Wake
	recent, err := d.st.ListFindings(ctx, store.FindingFilter{Page: store.Page{Limit: 2000}})
	if err != nil {
		return nil, fmt.Errorf("restore alerting: %w", err)
	}
	if err := eng.Restore(ctx, recent); err != nil {
		return nil, fmt.Errorf("restore alerting: %w", err)
	}
	return eng, nil
}

// onFindings hands what one recording opened and resolved to the engine.
func (d *Daemon) onFindings(ctx context.Context, opened, resolved []model.Finding, states []model.EndpointState) {
	d.mu.Lock()
	eng := d.alerts
	d.mu.Unlock()
	if eng == nil {
		return
	}
	if err := eng.Handle(ctx, alert.Event{Opened: opened, Resolved: resolved, States: states}); err != nil {
		d.log.Error("alerting", "err", err)
	}
}

// runAlerting flushes grouped notifications, sends reminders and
// escalations, and runs the dispatcher until ctx ends; then it writes
// what is still grouped and makes one last delivery pass.
func (d *Daemon) runAlerting(ctx context.Context) {
	done := make(chan struct{})
	go func() {
		d.dispatcher.Run(ctx)
		close(done)
	}()
	flush := time.NewTicker(200 * time.Millisecond)
	defer flush.Stop()
	tick := time.NewTicker(5 * time.Second)
	defer tick.Stop()
	current := func() *alert.Engine {
		d.mu.Lock()
		defer d.mu.Unlock()
		return d.alerts
	}
	for {
		select {
		case <-ctx.Done():
			<-done
			final, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
			defer cancel()
			if err := current().Flush(final, true); err != nil {
				d.log.Error("alerting flush", "err", err)
			}
			d.dispatcher.Drain(final)
			return
		case <-flush.C:
			if err := current().Flush(ctx, false); err != nil {
				d.log.Error("alerting flush", "err", err)
			}
		case <-tick.C:
			if err := current().Tick(ctx); err != nil {
				d.log.Error("alerting reminders", "err", err)
			}
		}
	}
}
