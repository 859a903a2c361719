package config

import (
	"net"
	"strconv"

	"gopkg.in/yaml.v3"
)

// monitorSrc is a decoded monitor with the positions cross-checks need.
type monitorSrc struct {
	m        Monitor
	entity   string
	hostPos  Pos
	groupPos Pos
}

func decodeMonitor(d *decoder, n *yaml.Node, index int) monitorSrc {
	name, entity := d.entityName(n, "monitor", "name", index)
	m := Monitor{
		Name: name, Protocol: "tcp", Expect: "open", Interval: DefaultMonitorInterval,
		FailureThreshold: DefaultFailureThreshold, SuccessThreshold: 1, Pos: d.pos(n),
	}
	src := monitorSrc{entity: entity}
	var timeoutSet bool
	var intervalNode, timeoutNode, critNode *yaml.Node
	ok := d.fields(n, entity, map[string]func(*yaml.Node){
		"name": func(v *yaml.Node) { d.str(v, entity, "name") },
		"endpoint": func(v *yaml.Node) {
			s, ok := d.str(v, entity, "endpoint")
			if !ok {
				return
			}
			src.hostPos = d.pos(v)
			host, port, err := net.SplitHostPort(s)
			if err != nil || host == "" {
				d.errorf(v, entity, "endpoint %q is not host:port", s)
				return
			}
			p, err := strconv.Atoi(port)
			if err != nil {
				d.errorf(v, entity, "endpoint %q: port %q is not a number", s, port)
				return
			}
			if p < 1 || p > 65535 {
				d.errorf(v, entity, "port %d out of range 1-65535", p)
				return
			}
			m.Host, m.Port = host, uint16(p)
		},
		"protocol": func(v *yaml.Node) {
			if s, ok := d.oneOf(v, entity, "protocol", "tcp", "udp"); ok {
				m.Protocol = s
			}
		},
		"expect": func(v *yaml.Node) {
			if s, ok := d.oneOf(v, entity, "expect", "open", "closed"); ok {
				m.Expect = s
			}
		},
		"interval": func(v *yaml.Node) {
			intervalNode = v
			if x, ok := d.duration(v, entity, "interval"); ok {
				m.Interval = x
			}
		},
		"timeout": func(v *yaml.Node) {
			timeoutNode, timeoutSet = v, true
			if x, ok := d.duration(v, entity, "timeout"); ok {
				m.Timeout = x
			}
		},
		"latency_warn": func(v *yaml.Node) {
			if x, ok := d.duration(v, entity, "latency_warn"); ok {
				m.LatencyWarn = x
			}
		},
		"latency_crit": func(v *yaml.Node) {
			critNode = v
			if x, ok := d.duration(v, entity, "latency_crit"); ok {
				m.LatencyCrit = x
			}
		},
		"failure_threshold": func(v *yaml.Node) {
			if x, ok := d.integer(v, entity, "failure_threshold", 1, 1000); ok {
				m.FailureThreshold = x
			}
		},
		"success_threshold": func(v *yaml.Node) {
			if x, ok := d.integer(v, entity, "success_threshold", 1, 1000); ok {
				m.SuccessThreshold = x
			}
		},
		"group": func(v *yaml.Node) {
			if s, ok := d.str(v, entity, "group"); ok {
				m.Group, src.groupPos = s, d.pos(v)
			}
		},
		"labels": func(v *yaml.Node) { m.Labels = d.labels(v, entity, "labels") },
	})
	src.m = m
	if !ok {
		return src
	}
	if name == "" {
		d.errorf(n, entity, "name is required")
	}
	if mapValue(n, "endpoint") == nil {
		d.errorf(n, entity, "endpoint is required")
	}
	if m.Interval < MinMonitorInterval {
		d.errorf(intervalNode, entity, "interval %s is below the minimum of %s", m.Interval, MinMonitorInterval)
	}
	if !timeoutSet {
		m.Timeout = min(DefaultMonitorTimeout, m.Interval)
	} else if m.Timeout > m.Interval {
		d.errorf(timeoutNode, entity, "timeout %s is longer than the interval %s", m.Timeout, m.Interval)
	}
	if m.LatencyWarn > 0 && m.LatencyCrit > 0 && m.LatencyCrit < m.LatencyWarn {
		d.errorf(critNode, entity, "latency_crit %s is below latency_warn %s", m.LatencyCrit, m.LatencyWarn)
	}
	src.m = m
	return src
}
