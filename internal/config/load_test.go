package config

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/portwatch/portwatch/internal/target"
)

func noEnv(string) (string, bool) { return "", false }

func TestExampleLoads(t *testing.T) {
	cfg, err := LoadWith(filepath.Join("..", "..", "examples", "portwatch.yaml"), noEnv)
	if err != nil {
		t.Fatalf("examples/portwatch.yaml: %v", err)
	}
	if len(cfg.Monitors) == 0 || len(cfg.Discovery) == 0 || len(cfg.Groups) == 0 || len(cfg.Policies) == 0 {
		t.Fatalf("example is not complete: %+v", cfg)
	}
	var web *Policy
	for i := range cfg.Policies {
		if cfg.Policies[i].Group == "web" {
			web = &cfg.Policies[i]
		}
	}
	if web == nil || !slices.Equal(web.Forbidden.TCP, mustPorts(t, DefaultForbiddenPorts).TCP) {
		t.Errorf("web policy did not get the default forbidden list: %+v", web)
	}
	if web.ExpectedServices[ServicePort{"tcp", 443}] != "https" {
		t.Errorf("expected_services: %v", web.ExpectedServices)
	}
	for _, m := range cfg.Monitors {
		if m.Name == "local-api" && m.Host != "127.0.0.1" {
			t.Errorf("local-api host %q, want the ${...:-default} 127.0.0.1", m.Host)
		}
	}
}

func mustPorts(t *testing.T, spec string) target.Ports {
	t.Helper()
	p, err := target.ParsePorts(spec, []string{"tcp", "udp"})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestDefaultsApplied(t *testing.T) {
	cfg, err := LoadWith("testdata/valid-minimal.yaml", noEnv)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Server.Listen != DefaultListen || cfg.Server.DB != DefaultDB || cfg.Server.Location != DefaultLocation {
		t.Errorf("server defaults: %+v", cfg.Server)
	}
	if cfg.Retention.Observations != 7*24*time.Hour || cfg.Retention.MinuteRollups != 30*24*time.Hour || cfg.Retention.HourRollups != 400*24*time.Hour {
		t.Errorf("retention defaults: %+v", cfg.Retention)
	}
	m := cfg.Monitors[0]
	if m.Host != "127.0.0.1" || m.Port != 22 || m.Protocol != "tcp" || m.Expect != "open" ||
		m.Interval != time.Minute || m.Timeout != 5*time.Second || m.FailureThreshold != 3 || m.Pos.Line != 4 {
		t.Errorf("monitor defaults: %+v", m)
	}
	j := cfg.Discovery[0]
	if j.ScanType != ScanConnect || j.Interval != time.Hour || j.Schedule != nil || j.TopPorts != 1000 || len(j.Ports.TCP) != 1000 || j.Ports.UDP != nil {
		t.Errorf("discovery defaults: %+v", j)
	}
	if _, err := LoadWith("testdata/valid-empty.yaml", noEnv); err != nil {
		t.Errorf("empty config: %v", err)
	}
}

func TestDirectoryMerge(t *testing.T) {
	cfg, err := LoadWith("testdata/merge", noEnv)
	if err != nil {
		t.Fatal(err)
	}
	if got := cfg.Scope; !slices.Equal(got, []string{"198.18.0.0/24", "127.0.0.1"}) {
		t.Errorf("scope %v", got)
	}
	var names []string
	for _, m := range cfg.Monitors {
		names = append(names, m.Name+"@"+m.Pos.String())
	}
	if want := []string{"web-https@20-web.yml:7", "local-ssh@30-local.yaml:2"}; !slices.Equal(names, want) {
		t.Errorf("monitors %v, want %v", names, want)
	}
	if cfg.Server.DB != "/var/lib/portwatch/history.db" || len(cfg.Files) != 3 {
		t.Errorf("server %+v, files %v", cfg.Server, cfg.Files)
	}
	if len(cfg.Policies) != 1 || cfg.Policies[0].Group != "web" || len(cfg.Policies[0].Forbidden.TCP) != 10 {
		t.Errorf("internet-facing group without a policy: %+v", cfg.Policies)
	}

	_, err = LoadWith("testdata/merge-dup", noEnv)
	want := `server (b.yaml:2): section repeated (first at a.yaml:3)` + "\n" +
		`monitor "db-primary" (b.yaml:6): duplicate name, first defined at a.yaml:5`
	if err == nil || err.Error() != want {
		t.Errorf("duplicates across files:\n%v\nwant:\n%s", err, want)
	}
}

func TestEnvExpansion(t *testing.T) {
	env := map[string]string{"DB_HOST": "198.18.0.20", "EMPTY": ""}
	lookup := func(k string) (string, bool) { v, ok := env[k]; return v, ok }
	for _, c := range []struct{ in, want, err string }{
		{"${DB_HOST}:5432", "198.18.0.20:5432", ""},
		{"${MISSING:-127.0.0.1}", "127.0.0.1", ""},
		{"${EMPTY:-x}", "x", ""},
		{"a${EMPTY}b", "ab", ""},
		{"$$HOME and $5", "$HOME and $5", ""},
		{"${MISSING}", "", "environment variable MISSING is not set"},
		{"${DB_HOST", "", `unterminated ${ in "${DB_HOST"`},
		{"${1BAD}", "", `invalid environment variable name "1BAD"`},
	} {
		got, err := expandEnv(c.in, lookup)
		if c.err != "" {
			if err == nil || err.Error() != c.err {
				t.Errorf("expandEnv(%q) error %v, want %q", c.in, err, c.err)
			}
			continue
		}
		if err != nil || got != c.want {
			t.Errorf("expandEnv(%q) = %q, %v; want %q", c.in, got, err, c.want)
		}
	}

	data := "scope: [198.18.0.0/24]\nmonitors:\n  - name: db\n    endpoint: ${DB_HOST}:5432\n    interval: ${INTERVAL:-10s}\n"
	cfg, err := Parse("env.yaml", []byte(data), lookup)
	if err != nil {
		t.Fatal(err)
	}
	if m := cfg.Monitors[0]; m.Host != "198.18.0.20" || m.Interval != 10*time.Second {
		t.Errorf("monitor %+v", m)
	}
	// Expansion happens inside scalar values only: a variable cannot inject YAML.
	env["DB_HOST"] = "198.18.0.20:5432\n    expect: closed"
	if _, err := Parse("env.yaml", []byte(data), lookup); err == nil || !strings.Contains(err.Error(), "is not host:port") {
		t.Errorf("injected YAML: %v", err)
	}
}

func TestLoadFileErrors(t *testing.T) {
	if _, err := Load("testdata/does-not-exist.yaml"); err == nil || !os.IsNotExist(unwrapAll(err)) {
		t.Errorf("missing file: %v", err)
	}
	if _, err := Load(t.TempDir()); err == nil || !strings.Contains(err.Error(), "no *.yaml or *.yml files") {
		t.Errorf("empty directory: %v", err)
	}
}

func unwrapAll(err error) error {
	for {
		u, ok := err.(interface{ Unwrap() error })
		if !ok {
			return err
		}
		err = u.Unwrap()
	}
}

func TestDefault(t *testing.T) {
	cfg := Default()
	if cfg.Server.Listen != "127.0.0.1:7070" || cfg.Server.DB != "portwatch.db" {
		t.Errorf("server %+v", cfg.Server)
	}
	if len(cfg.Discovery) != 1 || len(cfg.Monitors) != 0 || len(cfg.Policies) != 0 {
		t.Fatalf("default config %+v", cfg)
	}
	j := cfg.Discovery[0]
	if j.ScanType != ScanConnect || j.Interval != time.Minute || len(j.Ports.TCP) != 1000 ||
		!slices.Equal(j.Targets, []string{"127.0.0.1", "::1"}) {
		t.Errorf("default job %+v", j)
	}
	// The default must pass the same validation as a file.
	yml := "scope: [127.0.0.0/8, \"::1\"]\ndiscovery:\n  - name: loopback\n    targets: [127.0.0.1, \"::1\"]\n    top_ports: 1000\n    interval: 60s\n"
	fromFile, err := Parse("default.yaml", []byte(yml), noEnv)
	if err != nil {
		t.Fatal(err)
	}
	fj := fromFile.Discovery[0]
	if !slices.Equal(fj.Ports.TCP, j.Ports.TCP) || fj.Interval != j.Interval || !slices.Equal(fromFile.Scope, cfg.Scope) {
		t.Errorf("Default() differs from its YAML form: %+v vs %+v", j, fj)
	}
}
