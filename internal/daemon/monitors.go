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
			for _, ep := range m.endpoints {
				res := d.prober.Check(ctx, ep, m.cfg.Timeout)
				if res.Err != nil {
					if ctx.Err() != nil {
						return // shutting down: what this check saw is not about the endpoint
					}
					d.checkErrors.Add(1)
					d.log.Warn("check failed locally", "monitor", m.cfg.Name, "endpoint", ep.String(), "err", res.Err)
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
