package config

import (
	"strings"
	"testing"
)

func TestParseRuntimeMonitor(t *testing.T) {
	cfg, err := Parse("base.yaml", []byte(`
scope: [198.18.0.0/24]
groups:
  - name: web
    targets: [198.18.0.10]
monitors:
  - name: existing
    endpoint: 198.18.0.10:22
`), nil)
	if err != nil {
		t.Fatal(err)
	}
	m, err := cfg.ParseRuntimeMonitor([]byte(`{"name":"https","endpoint":"198.18.0.11:443","interval":"10s","group":"web","labels":{"team":"a"}}`))
	if err != nil {
		t.Fatal(err)
	}
	if m.Host != "198.18.0.11" || m.Port != 443 || m.Expect != "open" || m.Interval.Seconds() != 10 || m.Pos.File != RuntimeFile || m.Labels["team"] != "a" {
		t.Fatalf("monitor %+v", m)
	}
	for spec, want := range map[string]string{
		`{"name":"x","endpoint":"192.0.2.1:443"}`:                  "outside scope",
		`{"name":"existing","endpoint":"198.18.0.1:22"}`:           "taken",
		`{"name":"x","endpoint":"198.18.0.1:22","group":"nope"}`:   "unknown group",
		`{"name":"x","endpoint":"198.18.0.1:22","bogus":1}`:        "bogus",
		`{"name":"x","endpoint":"198.18.0.1:22","interval":"1ms"}`: "minimum",
		`{"name":"x",`: "api:",
		`[1,2]`:        "object",
		``:             "empty",
	} {
		_, err := cfg.ParseRuntimeMonitor([]byte(spec))
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: err = %v, want %q", spec, err, want)
		}
	}
	if got := cfg.WithMonitors([]Monitor{m}); len(got.Monitors) != 2 || len(cfg.Monitors) != 1 {
		t.Fatal("WithMonitors")
	}
}
