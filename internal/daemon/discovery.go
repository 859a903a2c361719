package daemon

import (
	"context"
	"math/rand/v2"
	"net/netip"
	"time"

	"github.com/portwatch/portwatch/internal/config"
	"github.com/portwatch/portwatch/internal/fingerprint"
	"github.com/portwatch/portwatch/internal/fingerprint/engine"
	"github.com/portwatch/portwatch/internal/model"
	"github.com/portwatch/portwatch/internal/monitor/schedule"
	"github.com/portwatch/portwatch/internal/rawnet"
	"github.com/portwatch/portwatch/internal/scan"
	"github.com/portwatch/portwatch/internal/scan/syn"
	"github.com/portwatch/portwatch/internal/scan/udp"
	"github.com/portwatch/portwatch/internal/store"
)

// discoveryJob is the scheduler job of one discovery job: a scan of its
// targets × ports, stored whole as a scan record, then turned into
// observations.
//
// Which ports become observations: every open port, and every port the
// tracker already knows (so that a port that closes is seen closing).
// Closed and filtered ports never seen open are not stored one by one (a
// top-1000 sweep of a /24 every few minutes would otherwise store a
// quarter of a million rows per run to say nothing changed); the scan
// record keeps their counts. A wildcard host (SYN proxy, tarpit) only
// updates endpoints already known: its thousands of "open" ports are not
// news.
func (d *Daemon) discoveryJob(p *plan, j discoveryPlan) schedule.Job {
	var timing schedule.Timing
	if j.cfg.Schedule != nil {
		timing = schedule.Cron(j.cfg.Schedule)
	} else {
		timing = schedule.Every(j.cfg.Interval)
	}
	return schedule.Job{
		ID:          discoveryJobID(j.cfg),
		Timing:      timing,
		Immediately: d.overdue(j.cfg),
		Run: func(ctx context.Context, run schedule.Run) {
			d.runDiscovery(ctx, p, j)
		},
	}
}

// overdue reports whether a discovery job should run at once rather than
// wait for its schedule: it never ran, or (interval jobs) its last scan
// started more than an interval ago.
func (d *Daemon) overdue(j config.DiscoveryJob) bool {
	scans, err := d.st.ListScans(context.Background(), store.ScanFilter{Job: j.Name, Page: store.Page{Limit: 1}})
	if err != nil || len(scans) == 0 {
		return true
	}
	return j.Schedule == nil && time.Since(scans[0].Started) > j.Interval
}

func (d *Daemon) runDiscovery(ctx context.Context, p *plan, j discoveryPlan) {
	if j.targets.Len() == 0 || len(j.cfg.Ports.TCP)+len(j.cfg.Ports.UDP) == 0 {
		return
	}
	scanner, scanType := d.scannerFor(j.cfg)
	ports := j.cfg.Ports.TCP
	proto := scan.TCP
	if scanType == config.ScanUDP {
		ports, proto = j.cfg.Ports.UDP, scan.UDP
	}
	res := &scan.Result{
		Args:    []string{"portwatch", "serve", "discovery", j.cfg.Name},
		Scanner: "portwatch " + d.opts.Version,
		Started: time.Now().UTC(),
		Scanned: []scan.ScanInfo{{Protocol: proto, Type: scanType, Count: len(ports), Ports: ports}},
	}
	events, err := scanner.Scan(ctx, scan.Job{Targets: j.targets, Ports: ports, Seed: rand.Uint64()})
	if err != nil {
		d.log.Error("discovery scan failed to start", "job", j.cfg.Name, "err", err)
		return
	}
	var eng *engine.Engine
	if j.cfg.ServiceDetection && proto == scan.TCP {
		eng = d.engine
	}
	col := scan.NewCollector()
	type seen struct {
		port scan.PortResult
		at   time.Time
	}
	var order []model.Endpoint
	found := map[model.Endpoint]*seen{}
	services := map[model.Endpoint]*fingerprint.Service{}
	var down []scan.HostVerdict
	eng.Stream(ctx, events, j.targets.Hostnames, func(ev scan.Event) {
		col.Add(ev)
		switch ev.Kind {
		case scan.PortEvent:
			pr := ev.Port
			ep := model.Endpoint{Addr: pr.Addr, Protocol: pr.Protocol, Port: pr.Port}
			if pr.State == scan.Open || d.rec.known(ep, p.location) {
				if _, dup := found[ep]; !dup {
					order = append(order, ep)
				}
				found[ep] = &seen{port: pr, at: time.Now().UTC()}
			}
		case scan.ServiceEvent:
			ep := model.Endpoint{Addr: ev.Port.Addr, Protocol: ev.Port.Protocol, Port: ev.Port.Port}
			services[ep] = ev.Port.Service
		case scan.HostEvent:
			if ev.Host.Status == scan.HostDown {
				down = append(down, ev.Host)
			}
		}
	})
	if ctx.Err() != nil {
		d.log.Info("discovery interrupted by shutdown; partial results discarded", "job", j.cfg.Name)
		return
	}
	res.Finished = time.Now().UTC()
	res.Hosts = col.Hosts(j.targets.Hostnames, false)
	wildcard := map[netip.Addr]bool{}
	for _, h := range res.Hosts {
		if h.Wildcard {
			wildcard[h.Address] = true
			d.log.Warn("wildcard host: only known endpoints updated", "job", j.cfg.Name, "host", h.Address, "note", h.Note)
		}
	}
	rec := model.ScanRecord{Job: j.cfg.Name, Started: res.Started, Finished: res.Finished, Result: res}
	scanID, err := d.st.AddScan(context.WithoutCancel(ctx), rec)
	if err != nil {
		d.log.Error("store discovery scan", "job", j.cfg.Name, "err", err)
	}
	d.scans.record(j.cfg.Name, res, err)
	var obs []model.Observation
	add := func(ep model.Endpoint, at time.Time, state scan.PortState, reason scan.Reason, rtt time.Duration, svc *fingerprint.Service) {
		obs = append(obs, model.Observation{Endpoint: ep, Location: p.location, Time: at, State: state, Reason: reason,
			RTT: rtt, Service: svc, Source: model.SourceDiscovery, Origin: j.cfg.Name, ScanID: scanID})
	}
	for _, ep := range order {
		s := found[ep]
		if wildcard[ep.Addr] && !d.rec.known(ep, p.location) {
			continue
		}
		add(ep, s.at, s.port.State, s.port.Reason, s.port.RTT, services[ep])
	}
	// A host found down takes its known endpoints of this job's ports with it.
	inJob := map[uint16]bool{}
	for _, port := range ports {
		inJob[port] = true
	}
	for _, h := range down {
		for _, st := range d.rec.tracker.States() {
			ep := st.Endpoint
			if ep.Addr == h.Addr && ep.Protocol == proto && inJob[ep.Port] && st.Location == p.location && found[ep] == nil {
				add(ep, res.Finished, scan.Filtered, h.Reason, 0, nil)
			}
		}
	}
	d.rec.record(context.WithoutCancel(ctx), p.policy, obs)
	d.log.Info("discovery done", "job", j.cfg.Name, "scan_id", scanID, "hosts", len(res.Hosts),
		"observations", len(obs), "took", res.Finished.Sub(res.Started).Round(time.Millisecond))
}

// scannerFor builds the scanner of a job's type. A SYN job without raw
// socket privileges falls back to connect scanning (logged once per run).
func (d *Daemon) scannerFor(j config.DiscoveryJob) (scan.Scanner, string) {
	timing := scan.DefaultTiming()
	rate := float64(j.Rate)
	switch j.ScanType {
	case config.ScanUDP:
		return &udp.Scanner{Timing: timing, Rate: rate, ServiceDetection: j.ServiceDetection}, config.ScanUDP
	case config.ScanSYN:
		if ok, why := rawnet.CanRaw(); ok {
			return &syn.Scanner{Timing: timing, Rate: rate, Logger: d.log}, config.ScanSYN
		} else {
			d.log.Warn("SYN discovery without raw sockets; using a connect scan", "job", j.Name, "why", why)
		}
	}
	return &scan.ConnectScanner{Timing: timing, Concurrency: d.concurrency, Rate: rate}, config.ScanConnect
}
