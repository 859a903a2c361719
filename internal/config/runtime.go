package config

import (
	"bytes"
	"errors"
	"io"

	"gopkg.in/yaml.v3"
)

// RuntimeFile is the Pos.File of monitors created through the API.
const RuntimeFile = "api"

// ParseRuntimeMonitor decodes one monitor created through the API (JSON
// or YAML with the configuration file's monitor keys) and validates it
// against c: the same defaults and checks as a monitor in a file, its
// host inside c's scope, its group known, its name not taken by another
// monitor of c. Errors carry the position "api:LINE".
func (c *Config) ParseRuntimeMonitor(spec []byte) (Monitor, error) {
	col := &collector{}
	d := &decoder{file: RuntimeFile, lookup: func(string) (string, bool) { return "", false }, c: col}
	var root yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(spec))
	if err := dec.Decode(&root); err != nil {
		if errors.Is(err, io.EOF) {
			return Monitor{}, errors.New("api: empty monitor")
		}
		l := &loader{}
		l.yamlError(RuntimeFile, err)
		return Monitor{}, l.c.err()
	}
	if len(root.Content) == 0 || root.Content[0].Kind != yaml.MappingNode {
		return Monitor{}, errors.New("api:1: a monitor is an object")
	}
	src := decodeMonitor(d, root.Content[0], len(c.Monitors))
	if err := col.err(); err != nil {
		return Monitor{}, err
	}
	m := src.m
	for _, o := range c.Monitors {
		if o.Name == m.Name {
			col.add(src.m.Pos, src.entity, "name %q is taken by the monitor at %s", m.Name, o.Pos)
		}
	}
	entries := make([]located, len(c.Scope))
	for i, s := range c.Scope {
		entries[i] = located{value: s, pos: Pos{RuntimeFile, 0}}
	}
	sc := buildScope(entries, &collector{})
	if m.Host != "" {
		sc.check(located{m.Host, src.hostPos}, src.entity, col)
	}
	if m.Group != "" {
		known := false
		for _, g := range c.Groups {
			known = known || g.Name == m.Group
		}
		if !known {
			col.add(src.groupPos, src.entity, "unknown group %q", m.Group)
		}
	}
	if err := col.err(); err != nil {
		return Monitor{}, err
	}
	return m, nil
}

// WithMonitors returns a copy of c with extra monitors appended (c itself
// is not changed).
func (c *Config) WithMonitors(extra []Monitor) *Config {
	cp := *c
	cp.Monitors = append(append([]Monitor(nil), c.Monitors...), extra...)
	return &cp
}
