package cli

import (
	"path/filepath"
	"strings"
	"testing"
)

func TestConfigValidate(t *testing.T) {
	example := filepath.Join("..", "..", "examples", "portwatch.yaml")
	out, errOut, code := run(t, "config", "validate", example)
	if code != ExitOK || out != example+": valid (4 monitors, 3 discovery jobs, 3 groups, 3 notifiers, 3 routes)\n" || errOut != "" {
		t.Errorf("valid example: code %d, stdout %q, stderr %q", code, out, errOut)
	}

	bad := filepath.Join("..", "config", "testdata", "invalid-many.yaml")
	out, errOut, code = run(t, "config", "validate", bad)
	want := `monitor "a" (invalid-many.yaml:4): port 0 out of range 1-65535
monitor "b" (invalid-many.yaml:6): target "192.0.2.1" is outside scope
monitor "b" (invalid-many.yaml:7): expect: "maybe" is not one of open, closed
discovery job "c" (invalid-many.yaml:11): rate: -1 out of range 0-10000000
portwatch: ` + bad + ": 4 error(s)\n"
	if code != ExitUsage || out != "" || errOut != want {
		t.Errorf("invalid config: code %d, stdout %q, stderr:\n%s\nwant:\n%s", code, out, errOut, want)
	}

	dir := filepath.Join("..", "config", "testdata", "merge")
	if out, _, code = run(t, "config", "validate", dir); code != ExitOK || !strings.Contains(out, "valid (2 monitors, 0 discovery jobs, 1 groups, 0 notifiers, 0 routes)") {
		t.Errorf("directory: code %d, stdout %q", code, out)
	}

	for _, args := range [][]string{
		{"config", "validate", filepath.Join(t.TempDir(), "missing.yaml")},
		{"config", "validate"},
	} {
		if _, errOut, code = run(t, args...); code != ExitUsage || errOut == "" {
			t.Errorf("%v: code %d, stderr %q", args, code, errOut)
		}
	}
}
