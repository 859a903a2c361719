package daemon

import (
	"context"
	"fmt"
	"net/netip"
	"time"

	"github.com/portwatch/portwatch/internal/config"
	"github.com/portwatch/portwatch/internal/model"
	"github.com/portwatch/portwatch/internal/policy"
	"github.com/portwatch/portwatch/internal/scan"
	"github.com/portwatch/portwatch/internal/target"
)

// plan is one configuration compiled for running: hostnames resolved,
// monitors as endpoints, groups as address sets, the policy engine built.
// A reload compiles a complete new plan before it replaces the old one.
type plan struct {
	cfg       *config.Config
	location  model.Location
	monitors  []monitorPlan
	discovery []discoveryPlan
	policy    *policy.Engine
	alert     *alertPlan
	snapshot  *Snapshot
}

// monitorPlan is one monitor: the endpoints its host resolved to.
type monitorPlan struct {
	cfg       config.Monitor
	endpoints []model.Endpoint
}

// discoveryPlan is one discovery job with its targets parsed.
type discoveryPlan struct {
	cfg     config.DiscoveryJob
	targets *target.Set
}

// compile resolves and builds everything cfg describes. Hostnames go
// through resolver; a name that does not resolve fails the plan, so a
// reload with a typo keeps the old configuration running.
func compile(ctx context.Context, cfg *config.Config, resolver target.Resolver) (*plan, error) {
	p := &plan{cfg: cfg, location: model.Location(cfg.Server.Location)}
	if p.location == "" {
		p.location = model.LocalLocation
	}
	groupSets := map[string]*target.Set{}
	var groups []policy.Group
	for _, g := range cfg.Groups {
		set, err := parseTargets(ctx, g.Targets, resolver)
		if err != nil {
			return nil, fmt.Errorf("group %q (%s): %w", g.Name, g.Pos, err)
		}
		groupSets[g.Name] = set
		pg := policy.Group{Name: g.Name, Labels: g.Labels, MemberSets: []policy.AddrSet{set}, InternetFacing: g.InternetFacing}
		groups = append(groups, pg)
	}
	for _, pol := range cfg.Policies {
		for i := range groups {
			if groups[i].Name != pol.Group {
				continue
			}
			g := &groups[i]
			g.AllowedPorts = policy.Ports{TCP: pol.Allowed.TCP, UDP: pol.Allowed.UDP}
			g.ForbiddenPorts = policy.Ports{TCP: pol.Forbidden.TCP, UDP: pol.Forbidden.UDP}
			if len(pol.ExpectedServices) > 0 {
				g.ExpectedServices = map[uint16]string{}
				for sp, name := range pol.ExpectedServices {
					g.ExpectedServices[sp.Port] = name
				}
			}
		}
	}
	var monitors []policy.Monitor
	for _, m := range cfg.Monitors {
		addrs, err := resolve(ctx, m.Host, resolver)
		if err != nil {
			return nil, fmt.Errorf("monitor %q (%s): %w", m.Name, m.Pos, err)
		}
		mp := monitorPlan{cfg: m}
		proto := scan.TCP
		if m.Protocol == "udp" {
			proto = scan.UDP
		}
		for _, a := range addrs {
			ep := model.Endpoint{Addr: a, Protocol: proto, Port: m.Port}
			mp.endpoints = append(mp.endpoints, ep)
			monitors = append(monitors, policy.Monitor{
				Name: m.Name, Group: m.Group, Endpoint: ep,
				Expect: policy.Expect(m.Expect), FailureThreshold: m.FailureThreshold, SuccessThreshold: m.SuccessThreshold,
				LatencyWarn: m.LatencyWarn, LatencyCrit: m.LatencyCrit,
			})
		}
		p.monitors = append(p.monitors, mp)
	}
	for _, j := range cfg.Discovery {
		set, err := parseTargets(ctx, j.Targets, resolver)
		if err != nil {
			return nil, fmt.Errorf("discovery %q (%s): %w", j.Name, j.Pos, err)
		}
		p.discovery = append(p.discovery, discoveryPlan{cfg: j, targets: set})
	}
	p.policy = policy.NewEngine(groups, monitors)
	ap, err := compileAlerting(cfg, nil)
	if err != nil {
		return nil, err
	}
	p.alert = ap
	p.snapshot = snapshotOf(p)
	return p, nil
}

// parseTargets parses targets in the scan command's syntax, resolving
// hostnames (every address).
func parseTargets(ctx context.Context, targets []string, resolver target.Resolver) (*target.Set, error) {
	if len(targets) == 0 {
		return target.Parse(ctx, nil, target.Options{Resolver: resolver})
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	set, err := target.Parse(ctx, target.ArgTokens(targets), target.Options{Resolver: resolver, AllowLarge: true})
	if err != nil {
		return nil, err
	}
	if fs := set.Failures(); len(fs) > 0 {
		return nil, fmt.Errorf("%s: %w", fs[0].Target, fs[0].Err)
	}
	return set, nil
}

// resolve returns the addresses of a monitor's host: itself when it is an
// address, every address of a hostname otherwise.
func resolve(ctx context.Context, host string, resolver target.Resolver) ([]netip.Addr, error) {
	if a, err := netip.ParseAddr(host); err == nil {
		return []netip.Addr{a.Unmap()}, nil
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	addrs, err := resolver.LookupNetIP(ctx, "ip", host)
	if err != nil {
		return nil, fmt.Errorf("resolve %s: %w", host, err)
	}
	if len(addrs) == 0 {
		return nil, fmt.Errorf("resolve %s: no addresses", host)
	}
	out := make([]netip.Addr, len(addrs))
	for i, a := range addrs {
		out[i] = a.Unmap()
	}
	return out, nil
}

// monitorJobID names a monitor's scheduler job. A reload that keeps the
// name and interval keeps the job's phase; the new run function carries
// any other change (timeout, endpoint, thresholds).
func monitorJobID(m config.Monitor) string { return "monitor/" + m.Name }

// discoveryJobID names a discovery job's scheduler job.
func discoveryJobID(j config.DiscoveryJob) string { return "discovery/" + j.Name }

// portKey is an endpoint's identity within one scan.
type portKey struct {
	addr  netip.Addr
	proto scan.Protocol
	port  uint16
}
