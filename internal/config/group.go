package config

import "gopkg.in/yaml.v3"

// groupSrc is a decoded group with where its targets were written.
type groupSrc struct {
	g       Group
	entity  string
	targets []located
}

func decodeGroup(d *decoder, n *yaml.Node, index int) groupSrc {
	name, entity := d.entityName(n, "group", "name", index)
	src := groupSrc{g: Group{Name: name, Pos: d.pos(n)}, entity: entity}
	ok := d.fields(n, entity, map[string]func(*yaml.Node){
		"name": func(v *yaml.Node) { d.str(v, entity, "name") },
		"targets": func(v *yaml.Node) {
			src.targets = d.locatedList(v, entity, "targets")
		},
		"labels":          func(v *yaml.Node) { src.g.Labels = d.labels(v, entity, "labels") },
		"internet_facing": func(v *yaml.Node) { src.g.InternetFacing = d.boolean(v, entity, "internet_facing") },
	})
	if !ok {
		return src
	}
	if name == "" {
		d.errorf(n, entity, "name is required")
	}
	if len(src.targets) == 0 {
		d.errorf(n, entity, "targets: at least one target is required")
	}
	for _, t := range src.targets {
		src.g.Targets = append(src.g.Targets, t.value)
	}
	return src
}

// locatedList is strList keeping each item's position.
func (d *decoder) locatedList(n *yaml.Node, entity, key string) []located {
	items := []*yaml.Node{n}
	if n.Kind == yaml.SequenceNode {
		items = n.Content
	} else if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
		return nil
	}
	var out []located
	for _, item := range items {
		if s, ok := d.str(item, entity, key); ok {
			out = append(out, located{s, d.pos(item)})
		}
	}
	return out
}
