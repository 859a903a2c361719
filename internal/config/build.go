package config

import (
	"slices"

	"github.com/portwatch/portwatch/internal/target"
)

// build runs the cross-entity checks (unique names, references, scope,
// group policies) and assembles the Config.
func (dr *draft) build(c *collector) *Config {
	cfg := &Config{Files: dr.files}
	cfg.Server = Server{Listen: DefaultListen, DB: DefaultDB, Location: DefaultLocation}
	if dr.server != nil {
		cfg.Server = *dr.server
	}
	cfg.Retention = Retention{Observations: DefaultObservations, MinuteRollups: DefaultMinuteRollups, HourRollups: DefaultHourRollups}
	if dr.retention != nil {
		cfg.Retention = *dr.retention
	}
	for _, s := range dr.scope {
		cfg.Scope = append(cfg.Scope, s.value)
	}
	sc := buildScope(dr.scope, c)

	groups := make(map[string]*groupSrc)
	seen := make(map[string]Pos)
	for i := range dr.groups {
		g := &dr.groups[i]
		if !unique(seen, g.g.Name, g.g.Pos, g.entity, c) {
			continue
		}
		groups[g.g.Name] = g
		for _, t := range g.targets {
			sc.check(t, g.entity, c)
		}
		cfg.Groups = append(cfg.Groups, g.g)
	}

	clear(seen)
	for _, j := range dr.discovery {
		if !unique(seen, j.j.Name, j.j.Pos, j.entity, c) {
			continue
		}
		for _, t := range j.targets {
			sc.check(t, j.entity, c)
			j.j.Targets = append(j.j.Targets, t.value)
		}
		for _, ref := range j.groups {
			g, ok := groups[ref.value]
			if !ok {
				c.add(ref.pos, j.entity, "unknown group %q", ref.value)
				continue
			}
			j.j.Groups = append(j.j.Groups, ref.value)
			j.j.Targets = append(j.j.Targets, g.g.Targets...)
		}
		cfg.Discovery = append(cfg.Discovery, j.j)
	}

	clear(seen)
	for _, m := range dr.monitors {
		if !unique(seen, m.m.Name, m.m.Pos, m.entity, c) {
			continue
		}
		if m.m.Host != "" {
			sc.check(located{m.m.Host, m.hostPos}, m.entity, c)
		}
		if m.m.Group != "" && groups[m.m.Group] == nil {
			c.add(m.groupPos, m.entity, "unknown group %q", m.m.Group)
		}
		cfg.Monitors = append(cfg.Monitors, m.m)
	}

	cfg.Policies = buildPolicies(dr.policies, groups, dr.groups, c)
	dr.buildAlerting(cfg, c)
	return cfg
}

// unique records name in seen, reporting a duplicate with both places.
func unique(seen map[string]Pos, name string, pos Pos, entity string, c *collector) bool {
	if name == "" {
		return true // reported as missing already
	}
	if first, dup := seen[name]; dup {
		c.add(pos, entity, "duplicate name, first defined at %s", first)
		return false
	}
	seen[name] = pos
	return true
}

// buildPolicies checks each policy against its group, applies the default
// forbidden list of internet-facing groups, and gives an internet-facing
// group without a policy one with that default list.
func buildPolicies(srcs []policySrc, groups map[string]*groupSrc, order []groupSrc, c *collector) []Policy {
	var out []Policy
	seen := make(map[string]Pos)
	for _, p := range srcs {
		if !unique(seen, p.p.Group, p.p.Pos, p.entity, c) {
			continue
		}
		g, ok := groups[p.p.Group]
		if !ok {
			if p.p.Group != "" {
				c.add(p.groupPos, p.entity, "unknown group %q", p.p.Group)
			}
			continue
		}
		defaulted := false
		if !p.forbiddenSet && g.g.InternetFacing {
			p.p.Forbidden = defaultForbidden()
			defaulted = true
		}
		if p.allowedSet {
			for _, sp := range overlap(p.p.Allowed, p.p.Forbidden) {
				if defaulted {
					c.add(p.allowedPos, p.entity, "port %d/%s is both allowed and forbidden (by the default forbidden list of internet-facing groups; set forbidden_ports to override it)", sp.Port, sp.Protocol)
				} else {
					c.add(p.allowedPos, p.entity, "port %d/%s is both allowed and forbidden", sp.Port, sp.Protocol)
				}
			}
		}
		out = append(out, p.p)
	}
	for i := range order {
		g := &order[i]
		if _, has := seen[g.g.Name]; !has && g.g.InternetFacing && groups[g.g.Name] == g {
			out = append(out, Policy{Group: g.g.Name, Forbidden: defaultForbidden(), Pos: g.g.Pos})
		}
	}
	return out
}

func defaultForbidden() target.Ports {
	p, _ := target.ParsePorts(DefaultForbiddenPorts, bothProtocols)
	return p
}

// overlap lists the ports present in both a and b, TCP first.
func overlap(a, b target.Ports) []ServicePort {
	var out []ServicePort
	for _, x := range a.TCP {
		if _, ok := slices.BinarySearch(b.TCP, x); ok {
			out = append(out, ServicePort{"tcp", x})
		}
	}
	for _, x := range a.UDP {
		if _, ok := slices.BinarySearch(b.UDP, x); ok {
			out = append(out, ServicePort{"udp", x})
		}
	}
	return out
}
