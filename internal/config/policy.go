package config

import (
	"strconv"
	"strings"

	"github.com/portwatch/portwatch/internal/target"
	"gopkg.in/yaml.v3"
)

// policySrc is a decoded policy with the positions cross-checks need.
type policySrc struct {
	p            Policy
	entity       string
	groupPos     Pos
	allowedSet   bool
	forbiddenSet bool
	allowedPos   Pos
}

// bothProtocols is what an unprefixed port in a policy applies to.
var bothProtocols = []string{"tcp", "udp"}

func decodePolicy(d *decoder, n *yaml.Node, index int) policySrc {
	group, entity := d.entityName(n, "policy", "group", index)
	src := policySrc{p: Policy{Group: group, Pos: d.pos(n)}, entity: entity, groupPos: d.pos(n)}
	ok := d.fields(n, entity, map[string]func(*yaml.Node){
		"group": func(v *yaml.Node) {
			d.str(v, entity, "group")
			src.groupPos = d.pos(v)
		},
		"allowed_ports": func(v *yaml.Node) {
			src.allowedSet, src.allowedPos = true, d.pos(v)
			src.p.Allowed = d.policyPorts(v, entity, "allowed_ports")
		},
		"forbidden_ports": func(v *yaml.Node) {
			src.forbiddenSet = true
			src.p.Forbidden = d.policyPorts(v, entity, "forbidden_ports")
		},
		"expected_services": func(v *yaml.Node) { src.p.ExpectedServices = d.expectedServices(v, entity) },
	})
	if ok && group == "" {
		d.errorf(n, entity, "group is required")
	}
	return src
}

// policyPorts parses a port list in which unprefixed ports mean TCP and
// UDP; an empty list is allowed and means no ports.
func (d *decoder) policyPorts(n *yaml.Node, entity, key string) target.Ports {
	spec := d.portSpec(n, entity, key)
	if spec == "" {
		return target.Ports{TCP: []uint16{}, UDP: []uint16{}}
	}
	p, err := target.ParsePorts(spec, bothProtocols)
	if err != nil {
		d.errorf(n, entity, "%s: %v", key, err)
	}
	return p
}

// expectedServices decodes `port: service` pairs; a port is "5432"
// (TCP), "5432/tcp" or "53/udp".
func (d *decoder) expectedServices(n *yaml.Node, entity string) map[ServicePort]string {
	const key = "expected_services"
	if n.Kind != yaml.MappingNode {
		d.errorf(n, entity, "%s: want a mapping, got %s", key, kindName(n))
		return nil
	}
	out := make(map[ServicePort]string)
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		sp, ok := parseServicePort(k.Value)
		if k.Kind != yaml.ScalarNode || !ok {
			d.errorf(k, entity, "%s: %q is not a port (want 5432, 5432/tcp or 53/udp)", key, k.Value)
			continue
		}
		if _, dup := out[sp]; dup {
			d.errorf(k, entity, "%s: port %d/%s repeated", key, sp.Port, sp.Protocol)
			continue
		}
		name, ok := d.str(v, entity, key)
		if !ok {
			continue
		}
		if name == "" {
			d.errorf(v, entity, "%s: port %d/%s: service name is empty", key, sp.Port, sp.Protocol)
			continue
		}
		out[sp] = name
	}
	return out
}

func parseServicePort(s string) (ServicePort, bool) {
	num, proto, hasProto := strings.Cut(s, "/")
	if !hasProto {
		proto = "tcp"
	}
	if proto != "tcp" && proto != "udp" {
		return ServicePort{}, false
	}
	p, err := strconv.Atoi(num)
	if err != nil || p < 1 || p > 65535 {
		return ServicePort{}, false
	}
	return ServicePort{Protocol: proto, Port: uint16(p)}, true
}
