package config

import (
	"strings"
	"time"

	"github.com/portwatch/portwatch/internal/target"
	"gopkg.in/yaml.v3"
)

// DefaultDiscoveryInterval is a discovery job's interval when it gives
// neither interval nor schedule.
const DefaultDiscoveryInterval = time.Hour

// discoverySrc is a decoded discovery job with the positions cross-checks need.
type discoverySrc struct {
	j       DiscoveryJob
	entity  string
	targets []located
	groups  []located
}

func decodeDiscovery(d *decoder, n *yaml.Node, index int) discoverySrc {
	name, entity := d.entityName(n, "discovery job", "name", index)
	j := DiscoveryJob{Name: name, ScanType: ScanConnect, Pos: d.pos(n)}
	src := discoverySrc{entity: entity}
	var portsNode, topNode, intervalNode, scheduleNode *yaml.Node
	ok := d.fields(n, entity, map[string]func(*yaml.Node){
		"name":    func(v *yaml.Node) { d.str(v, entity, "name") },
		"targets": func(v *yaml.Node) { src.targets = d.locatedList(v, entity, "targets") },
		"groups":  func(v *yaml.Node) { src.groups = d.locatedList(v, entity, "groups") },
		"ports": func(v *yaml.Node) {
			portsNode = v
			j.PortSpec = d.portSpec(v, entity, "ports")
		},
		"top_ports": func(v *yaml.Node) {
			topNode = v
			j.TopPorts, _ = d.integer(v, entity, "top_ports", 1, 65535)
		},
		"scan": func(v *yaml.Node) {
			if s, ok := d.oneOf(v, entity, "scan", ScanConnect, ScanSYN, ScanUDP); ok {
				j.ScanType = s
			}
		},
		"service_detection": func(v *yaml.Node) { j.ServiceDetection = d.boolean(v, entity, "service_detection") },
		"interval": func(v *yaml.Node) {
			intervalNode = v
			j.Interval, _ = d.duration(v, entity, "interval")
		},
		"schedule": func(v *yaml.Node) {
			scheduleNode = v
			s, ok := d.str(v, entity, "schedule")
			if !ok {
				return
			}
			sch, err := ParseSchedule(s)
			if err != nil {
				d.errorf(v, entity, "%v", err)
				return
			}
			j.Schedule = sch
		},
		"rate": func(v *yaml.Node) { j.Rate, _ = d.integer(v, entity, "rate", 0, 10_000_000) },
	})
	src.j = j
	if !ok {
		return src
	}
	if name == "" {
		d.errorf(n, entity, "name is required")
	}
	if len(src.targets) == 0 && len(src.groups) == 0 {
		d.errorf(n, entity, "targets or groups: at least one is required")
	}
	switch {
	case intervalNode != nil && scheduleNode != nil:
		d.errorf(scheduleNode, entity, "interval and schedule cannot both be set")
	case intervalNode == nil && scheduleNode == nil:
		j.Interval = DefaultDiscoveryInterval
	}
	proto := "tcp"
	if j.ScanType == ScanUDP {
		proto = "udp"
	}
	switch {
	case portsNode != nil && topNode != nil:
		d.errorf(topNode, entity, "ports and top_ports cannot both be set")
	case portsNode != nil:
		if j.PortSpec == "" {
			break // already reported, or an empty list
		}
		p, err := target.ParsePorts(j.PortSpec, []string{proto})
		_, errBoth := target.ParsePorts(j.PortSpec, bothProtocols)
		switch {
		case err != nil && errBoth == nil: // a T:/U: prefix for the other protocol
			d.errorf(portsNode, entity, "ports: %q names ports of another protocol; a %s scan probes %s only", j.PortSpec, j.ScanType, strings.ToUpper(proto))
		case err != nil:
			d.errorf(portsNode, entity, "ports: %v", err)
		case len(p.TCP)+len(p.UDP) == 0:
			d.errorf(portsNode, entity, "ports: %q has no %s ports", j.PortSpec, proto)
		default:
			j.Ports = p
		}
	default:
		if j.TopPorts == 0 {
			if topNode != nil {
				break // already reported
			}
			j.TopPorts = DefaultTopPorts
		}
		list, err := target.TopPorts(proto, j.TopPorts)
		if err != nil {
			d.errorf(n, entity, "top_ports: %v", err)
			break
		}
		if proto == "udp" {
			j.Ports.UDP = list
		} else {
			j.Ports.TCP = list
		}
	}
	src.j = j
	return src
}
