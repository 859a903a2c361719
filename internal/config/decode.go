package config

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// decoder walks the yaml.Node tree of one file, expanding ${ENV} in every
// scalar and recording problems with their file:line.
type decoder struct {
	file   string
	lookup LookupFunc
	c      *collector
}

func (d *decoder) pos(n *yaml.Node) Pos { return Pos{File: d.file, Line: n.Line} }

func (d *decoder) errorf(n *yaml.Node, entity, format string, a ...any) {
	d.c.add(d.pos(n), entity, format, a...)
}

// kindName names a node kind for error messages.
func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.AliasNode:
		return "an alias"
	}
	return "a scalar"
}

// fields calls handle for each key of the mapping n, rejecting unknown and
// repeated keys. It reports false when n is not a mapping.
func (d *decoder) fields(n *yaml.Node, entity string, handle map[string]func(v *yaml.Node)) bool {
	if n.Kind != yaml.MappingNode {
		d.errorf(n, entity, "want a mapping, got %s", kindName(n))
		return false
	}
	seen := make(map[string]int)
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		h, ok := handle[k.Value]
		switch {
		case k.Kind != yaml.ScalarNode || !ok:
			d.errorf(k, entity, "unknown key %q", k.Value)
		case seen[k.Value] != 0:
			d.errorf(k, entity, "key %q repeated (first at line %d)", k.Value, seen[k.Value])
		default:
			seen[k.Value] = k.Line
			if v.Kind == yaml.AliasNode {
				d.errorf(v, entity, "%s: YAML aliases are not supported", k.Value)
				continue
			}
			h(v)
		}
	}
	return true
}

// mapValue returns the value of key in mapping n, or nil.
func mapValue(n *yaml.Node, key string) *yaml.Node {
	if n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}

// str returns the scalar n with ${ENV} expanded.
func (d *decoder) str(n *yaml.Node, entity, key string) (string, bool) {
	if n.Kind != yaml.ScalarNode {
		d.errorf(n, entity, "%s: want a scalar, got %s", key, kindName(n))
		return "", false
	}
	s, err := expandEnv(n.Value, d.lookup)
	if err != nil {
		d.errorf(n, entity, "%s: %v", key, err)
		return "", false
	}
	return s, true
}

// strList accepts a list of scalars, or one scalar as a list of one.
func (d *decoder) strList(n *yaml.Node, entity, key string) []string {
	if n.Kind == yaml.ScalarNode {
		if n.Tag == "!!null" {
			return nil
		}
		s, ok := d.str(n, entity, key)
		if !ok {
			return nil
		}
		return []string{s}
	}
	if n.Kind != yaml.SequenceNode {
		d.errorf(n, entity, "%s: want a list, got %s", key, kindName(n))
		return nil
	}
	var out []string
	for _, item := range n.Content {
		if s, ok := d.str(item, entity, key); ok {
			out = append(out, s)
		}
	}
	return out
}

// portSpec accepts a port specification string or a list of ports/ranges.
func (d *decoder) portSpec(n *yaml.Node, entity, key string) string {
	return strings.Join(d.strList(n, entity, key), ",")
}

func (d *decoder) integer(n *yaml.Node, entity, key string, lo, hi int) (int, bool) {
	s, ok := d.str(n, entity, key)
	if !ok {
		return 0, false
	}
	v, err := strconv.Atoi(s)
	if err != nil {
		d.errorf(n, entity, "%s: %q is not an integer", key, s)
		return 0, false
	}
	if v < lo || v > hi {
		d.errorf(n, entity, "%s: %d out of range %d-%d", key, v, lo, hi)
		return 0, false
	}
	return v, true
}

func (d *decoder) boolean(n *yaml.Node, entity, key string) bool {
	s, ok := d.str(n, entity, key)
	if !ok {
		return false
	}
	switch s {
	case "true":
		return true
	case "false":
		return false
	}
	d.errorf(n, entity, "%s: %q is not true or false", key, s)
	return false
}

// duration parses a positive duration.
func (d *decoder) duration(n *yaml.Node, entity, key string) (time.Duration, bool) {
	s, ok := d.str(n, entity, key)
	if !ok {
		return 0, false
	}
	v, err := parseDuration(s)
	if err != nil {
		d.errorf(n, entity, "%s: %v", key, err)
		return 0, false
	}
	if v <= 0 {
		d.errorf(n, entity, "%s: %s must be positive", key, s)
		return 0, false
	}
	return v, true
}

// oneOf accepts one of the allowed words.
func (d *decoder) oneOf(n *yaml.Node, entity, key string, allowed ...string) (string, bool) {
	s, ok := d.str(n, entity, key)
	if !ok {
		return "", false
	}
	for _, a := range allowed {
		if s == a {
			return s, true
		}
	}
	d.errorf(n, entity, "%s: %q is not one of %s", key, s, strings.Join(allowed, ", "))
	return "", false
}

func (d *decoder) labels(n *yaml.Node, entity, key string) map[string]string {
	if n.Kind != yaml.MappingNode {
		d.errorf(n, entity, "%s: want a mapping, got %s", key, kindName(n))
		return nil
	}
	out := make(map[string]string)
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind != yaml.ScalarNode || k.Value == "" {
			d.errorf(k, entity, "%s: label names must be non-empty scalars", key)
			continue
		}
		if _, dup := out[k.Value]; dup {
			d.errorf(k, entity, "%s: label %q repeated", key, k.Value)
			continue
		}
		if s, ok := d.str(v, entity, fmt.Sprintf("%s.%s", key, k.Value)); ok {
			out[k.Value] = s
		}
	}
	return out
}

// entityName reads the identifying key of a list item for error messages:
// `monitor "db-primary"`, or `monitor #3` when it has none.
func (d *decoder) entityName(n *yaml.Node, kind, key string, index int) (string, string) {
	if v := mapValue(n, key); v != nil && v.Kind == yaml.ScalarNode && v.Value != "" {
		if s, err := expandEnv(v.Value, d.lookup); err == nil {
			return s, fmt.Sprintf("%s %q", kind, s)
		}
	}
	return "", fmt.Sprintf("%s #%d", kind, index+1)
}

// items returns the entries of a top-level list section.
func (d *decoder) items(n *yaml.Node, section string) []*yaml.Node {
	if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
		return nil
	}
	if n.Kind != yaml.SequenceNode {
		d.errorf(n, "", "%s: want a list, got %s", section, kindName(n))
		return nil
	}
	return n.Content
}
