package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// Load reads the configuration at path, a YAML file or a directory whose
// *.yaml and *.yml files are merged (docs/config.md), with ${ENV} expanded
// from the process environment. A refused configuration returns Errors,
// every problem with its file:line.
func Load(path string) (*Config, error) {
	return LoadWith(path, os.LookupEnv)
}

// LoadWith is Load with the environment looked up through lookup.
func LoadWith(path string, lookup LookupFunc) (*Config, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("load config: %w", err)
	}
	files := []string{path}
	if st.IsDir() {
		if files, err = configFiles(path); err != nil {
			return nil, err
		}
	}
	l := newLoader(lookup)
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return nil, fmt.Errorf("load config: %w", err)
		}
		l.addFile(filepath.Base(f), data)
	}
	l.d.files = files
	return l.finish()
}

// Parse decodes and validates one configuration file's contents; name is
// the file name used in errors.
func Parse(name string, data []byte, lookup LookupFunc) (*Config, error) {
	l := newLoader(lookup)
	l.addFile(name, data)
	l.d.files = []string{name}
	return l.finish()
}

// configFiles lists a directory's *.yaml and *.yml files, sorted by name.
func configFiles(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("load config: %w", err)
	}
	var files []string
	for _, e := range entries {
		ext := filepath.Ext(e.Name())
		if !e.IsDir() && (ext == ".yaml" || ext == ".yml") && !strings.HasPrefix(e.Name(), ".") {
			files = append(files, filepath.Join(dir, e.Name()))
		}
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("load config: no *.yaml or *.yml files in %s", dir)
	}
	slices.Sort(files)
	return files, nil
}

// loader accumulates the files of one configuration.
type loader struct {
	lookup LookupFunc
	c      collector
	d      draft
}

func newLoader(lookup LookupFunc) *loader {
	if lookup == nil {
		lookup = func(string) (string, bool) { return "", false }
	}
	return &loader{lookup: lookup}
}

var yamlLine = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// addFile decodes one file into the draft.
func (l *loader) addFile(name string, data []byte) {
	d := &decoder{file: name, lookup: l.lookup, c: &l.c}
	var root yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&root); err != nil {
		if errors.Is(err, io.EOF) {
			return // an empty file configures nothing
		}
		l.yamlError(name, err)
		return
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		l.c.add(Pos{name, max(extra.Line, 1)}, "", "more than one YAML document in a file")
		return
	}
	if len(root.Content) == 0 {
		return
	}
	doc := root.Content[0]
	if doc.Kind == yaml.ScalarNode && doc.Tag == "!!null" {
		return
	}
	d.fields(doc, "", map[string]func(*yaml.Node){
		"server":    func(v *yaml.Node) { l.d.addServer(d, v) },
		"retention": func(v *yaml.Node) { l.d.addRetention(d, v) },
		"scope": func(v *yaml.Node) {
			for _, item := range d.items(v, "scope") {
				if s, ok := d.str(item, "", "scope"); ok {
					l.d.scope = append(l.d.scope, located{s, d.pos(item)})
				}
			}
		},
		"groups": func(v *yaml.Node) {
			for _, item := range d.items(v, "groups") {
				l.d.groups = append(l.d.groups, decodeGroup(d, item, len(l.d.groups)))
			}
		},
		"discovery": func(v *yaml.Node) {
			for _, item := range d.items(v, "discovery") {
				l.d.discovery = append(l.d.discovery, decodeDiscovery(d, item, len(l.d.discovery)))
			}
		},
		"monitors": func(v *yaml.Node) {
			for _, item := range d.items(v, "monitors") {
				l.d.monitors = append(l.d.monitors, decodeMonitor(d, item, len(l.d.monitors)))
			}
		},
		"policies": func(v *yaml.Node) {
			for _, item := range d.items(v, "policies") {
				l.d.policies = append(l.d.policies, decodePolicy(d, item, len(l.d.policies)))
			}
		},
		"notifiers": func(v *yaml.Node) {
			for _, item := range d.items(v, "notifiers") {
				l.d.notifiers = append(l.d.notifiers, decodeNotifier(d, item, len(l.d.notifiers)))
			}
		},
		"routes": func(v *yaml.Node) {
			for _, item := range d.items(v, "routes") {
				l.d.routes = append(l.d.routes, decodeRoute(d, item, len(l.d.routes)))
			}
		},
		"alerting": func(v *yaml.Node) { l.d.addAlerting(d, v) },
		"maintenance": func(v *yaml.Node) {
			for _, item := range d.items(v, "maintenance") {
				l.d.maintenance = append(l.d.maintenance, decodeMaintenance(d, item, len(l.d.maintenance)))
			}
		},
	})
}

// yamlError turns a YAML syntax error into Errors with lines.
func (l *loader) yamlError(name string, err error) {
	var te *yaml.TypeError
	msgs := []string{err.Error()}
	if errors.As(err, &te) {
		msgs = te.Errors
	}
	for _, m := range msgs {
		line := 1
		if g := yamlLine.FindStringSubmatch(m); g != nil {
			line, _ = strconv.Atoi(g[1])
			m = g[2]
		} else {
			m = strings.TrimPrefix(m, "yaml: ")
		}
		l.c.add(Pos{name, line}, "", "YAML: %s", m)
	}
}

// finish applies cross-entity defaults and validation.
func (l *loader) finish() (*Config, error) {
	cfg := l.d.build(&l.c)
	if err := l.c.err(); err != nil {
		return nil, err
	}
	return cfg, nil
}
