package config

import (
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// invalidFixtures maps each testdata/invalid-NAME.yaml to its exact errors.
func invalidFixtures() map[string][]string {
	return map[string][]string{
		"alias": {
			"group \"web2\" (invalid-alias.yaml:5): targets: at least one target is required",
			"group \"web2\" (invalid-alias.yaml:6): targets: YAML aliases are not supported",
		},
		"allowed-forbidden": {
			"policy \"web\" (invalid-allowed-forbidden.yaml:7): port 22/tcp is both allowed and forbidden",
			"policy \"web\" (invalid-allowed-forbidden.yaml:7): port 22/udp is both allowed and forbidden",
		},
		"bad-ports":              {"discovery job \"sweep\" (invalid-bad-ports.yaml:5): ports: port spec \"1-70000\": port out of range 1-65535"},
		"bad-target":             {"group \"web\" (invalid-bad-target.yaml:4): target \"198.18.0.300\": octet 300 out of range"},
		"cron-never":             {"discovery job \"nightly\" (invalid-cron-never.yaml:5): cron schedule \"0 0 31 feb *\" never fires"},
		"cron":                   {"discovery job \"nightly\" (invalid-cron.yaml:5): cron schedule \"0 25 * * *\": hour: 25 out of range 0-23"},
		"default-forbidden":      {"policy \"web\" (invalid-default-forbidden.yaml:8): port 3389/tcp is both allowed and forbidden (by the default forbidden list of internet-facing groups; set forbidden_ports to override it)"},
		"duplicate-name":         {"monitor \"db-primary\" (invalid-duplicate-name.yaml:5): duplicate name, first defined at invalid-duplicate-name.yaml:3"},
		"duration":               {"monitor \"web\" (invalid-duration.yaml:5): interval: -5s must be positive"},
		"endpoint-syntax":        {"monitor \"web\" (invalid-endpoint-syntax.yaml:4): endpoint \"127.0.0.1\" is not host:port"},
		"env-missing":            {"monitor \"db-primary\" (invalid-env-missing.yaml:4): endpoint: environment variable PORTWATCH_TEST_UNSET_HOST is not set"},
		"expect":                 {"monitor \"web\" (invalid-expect.yaml:5): expect: \"maybe\" is not one of open, closed"},
		"expected-service-port":  {"policy \"db\" (invalid-expected-service-port.yaml:8): expected_services: \"5432/sctp\" is not a port (want 5432, 5432/tcp or 53/udp)"},
		"hostname-outside-scope": {"monitor \"db-primary\" (invalid-hostname-outside-scope.yaml:4): target \"db.example.internal\" is outside scope (a hostname must be listed in scope by name)"},
		"interval-and-schedule":  {"discovery job \"nightly\" (invalid-interval-and-schedule.yaml:6): interval and schedule cannot both be set"},
		"latency":                {"monitor \"web\" (invalid-latency.yaml:6): latency_crit 100ms is below latency_warn 500ms"},
		"many": {
			"monitor \"a\" (invalid-many.yaml:4): port 0 out of range 1-65535",
			"monitor \"b\" (invalid-many.yaml:6): target \"192.0.2.1\" is outside scope",
			"monitor \"b\" (invalid-many.yaml:7): expect: \"maybe\" is not one of open, closed",
			"discovery job \"c\" (invalid-many.yaml:11): rate: -1 out of range 0-10000000",
		},
		"maintenance": {"maintenance window \"patch\" (invalid-maintenance.yaml:2): a one-off window needs start before end"},
		"route-receiver": {
			"route \"sec\" (invalid-route-receiver.yaml:7): match: matcher \"kind=~(forbidden\": error parsing regexp: missing closing ): `^(?:(forbidden)$`",
			"route \"sec\" (invalid-route-receiver.yaml:8): receivers: no notifier named \"slack\"",
		},
		"missing-endpoint":     {"monitor \"web\" (invalid-missing-endpoint.yaml:3): endpoint is required"},
		"missing-name":         {"monitor #1 (invalid-missing-name.yaml:3): name is required"},
		"monitor-interval":     {"monitor \"fast\" (invalid-monitor-interval.yaml:5): interval 500ms is below the minimum of 1s"},
		"monitor-port":         {"monitor \"db-primary\" (invalid-monitor-port.yaml:4): port 70000 out of range 1-65535"},
		"monitor-timeout":      {"monitor \"slow\" (invalid-monitor-timeout.yaml:6): timeout 3s is longer than the interval 2s"},
		"monitor-unknown-key":  {"monitor \"db-primary\" (invalid-monitor-unknown-key.yaml:5): unknown key \"intervall\""},
		"no-targets":           {"discovery job \"sweep\" (invalid-no-targets.yaml:3): targets or groups: at least one is required"},
		"outside-scope":        {"monitor \"db-primary\" (invalid-outside-scope.yaml:4): target \"192.0.2.1\" is outside scope"},
		"policy-unknown-group": {"policy \"dbs\" (invalid-policy-unknown-group.yaml:3): unknown group \"dbs\""},
		"ports-protocol":       {"discovery job \"dns\" (invalid-ports-protocol.yaml:6): ports: \"T:53\" names ports of another protocol; a udp scan probes UDP only"},
		"ports-and-top-ports":  {"discovery job \"sweep\" (invalid-ports-and-top-ports.yaml:6): ports and top_ports cannot both be set"},
		"range-outside-scope":  {"group \"wide\" (invalid-range-outside-scope.yaml:4): target \"198.18.0.0/23\" is outside scope (198.18.1.0 is not in scope)"},
		"repeated-key":         {"monitor \"web\" (invalid-repeated-key.yaml:5): key \"endpoint\" repeated (first at line 4)"},
		"retention":            {"retention (invalid-retention.yaml:2): observations: invalid duration \"7 days\""},
		"scan-type":            {"discovery job \"sweep\" (invalid-scan-type.yaml:5): scan: \"xmas\" is not one of connect, syn, udp"},
		"scope-entry":          {"scope: target \"198.18.0.0/33\": prefix length 33 out of range 0-32 (invalid-scope-entry.yaml:1)"},
		"section-type":         {"monitors: want a list, got a mapping (invalid-section-type.yaml:3)"},
		"server-listen":        {"server (invalid-server-listen.yaml:2): listen: \"7070\" is not host:port"},
		"unknown-group":        {"monitor \"db-primary\" (invalid-unknown-group.yaml:5): unknown group \"dbs\""},
		"unknown-key":          {"unknown key \"intervall\" (invalid-unknown-key.yaml:2)"},
		"yaml-syntax":          {"YAML: did not find expected '-' indicator (invalid-yaml-syntax.yaml:2)"},
	}
}

func TestInvalidFixtures(t *testing.T) {
	want := invalidFixtures()
	files, err := filepath.Glob("testdata/invalid-*.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != len(want) {
		t.Errorf("%d invalid fixtures, %d expectations", len(files), len(want))
	}
	for _, f := range files {
		name := strings.TrimSuffix(strings.TrimPrefix(filepath.Base(f), "invalid-"), ".yaml")
		t.Run(name, func(t *testing.T) {
			exp, ok := want[name]
			if !ok {
				t.Fatalf("no expected message for %s", f)
			}
			cfg, err := LoadWith(f, func(string) (string, bool) { return "", false })
			if cfg != nil || err == nil {
				t.Fatalf("Load(%s) accepted an invalid config", f)
			}
			var errs Errors
			if !errors.As(err, &errs) {
				t.Fatalf("error %v is not Errors", err)
			}
			got := strings.Split(err.Error(), "\n")
			if !slices.Equal(got, exp) {
				t.Errorf("errors:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(exp, "\n"))
			}
		})
	}
}
