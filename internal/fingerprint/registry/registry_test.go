package registry

import (
	"strings"
	"testing"
)

// TestDefault checks the registry's invariants; it holds whatever the
// family packages contribute.
func TestDefault(t *testing.T) {
	fps := Default()
	seen := map[string]bool{}
	for i, fp := range fps {
		if fp == nil {
			t.Fatalf("fingerprinter %d is nil", i)
		}
		name := fp.Name()
		if name == "" || name != strings.ToLower(strings.TrimSpace(name)) {
			t.Errorf("fingerprinter %d (%T): bad name %q", i, fp, name)
		}
		if seen[name] {
			t.Errorf("fingerprinter %q registered twice", name)
		}
		seen[name] = true
	}
	if got := Names(fps); len(got) != len(seen) {
		t.Errorf("Names: %v", got)
	}
	if len(Default()) != len(fps) {
		t.Error("Default is not stable")
	}
}
