package daemon

import (
	"context"
	"time"

	"github.com/portwatch/portwatch/internal/model"
	"github.com/portwatch/portwatch/internal/monitor/schedule"
)

// monitorJob is the scheduler job of one monitor: each run checks every
// endpoint the monitor's host resolved to and records what it saw.
func (d *Daemon) monitorJob(p *plan, m monitorPlan) schedule.Job {
	return schedule.Job{
		ID:     monitorJobID(m.cfg),
		Timing: schedule.Every(m.cfg.Interval),
		Run: func(ctx context.Context, run schedule.Run) {
			obs := make([]model.Observation, 0, len(m.endpoints))
			// A check that has begun runs to its answer or its own timeout
			// even when shutdown begins meanwhile, so that every run the
			// scheduler started is recorded; shutdown waits at most the
			// longest monitor timeout. Further endpoints of the same
			// monitor are not begun once shutdown has started.
			checkCtx := context.WithoutCancel(ctx)
			for _, ep := range m.endpoints {
				if ctx.Err() != nil && len(obs) > 0 {
					break
				}
				res := d.prober.Check(checkCtx, ep, m.cfg.Timeout)
				if res.Err != nil {
					d.checkFailed(m.cfg.Name, ep, res.Err)
					continue
				}
				d.checks.Add(1)
				obs = append(obs, model.Observation{
					Endpoint: ep,
					Location: p.location,
					Time:     time.Now().UTC(),
					State:    res.State,
					Reason:   res.Reason,
					RTT:      res.RTT,
					Source:   model.SourceMonitor,
					Origin:   m.cfg.Name,
				})
			}
			// What was measured is recorded even when shutdown began
			// meanwhile: the writer outlives the scheduler.
			d.rec.record(context.WithoutCancel(ctx), p.policy, obs)
		},
	}
}

// checkErrorLogEvery bounds how often a failing local check is logged: a
// daemon out of file descriptors fails thousands of checks a second.
const checkErrorLogEvery = 10 * time.Second

// checkFailed counts a check that failed for a local reason and logs it,
// at most once per checkErrorLogEvery with the number of failures since.
func (d *Daemon) checkFailed(monitor string, ep model.Endpoint, err error) {
	n := d.checkErrors.Add(1)
	now := time.Now().UnixNano()
	last := d.checkErrLogged.Load()
	if now-last < int64(checkErrorLogEvery) || !d.checkErrLogged.CompareAndSwap(last, now) {
		return
	}
	d.log.Warn("check failed locally; not recorded as the endpoint's state", "monitor", monitor,
		"endpoint", ep.String(), "err", err, "check_errors_total", n)
}
