package lab_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/portwatch/portwatch/test/lab"
)

// TestDownIsIdempotent: down on a lab that does not exist, twice, succeeds
// and leaves a directory that lab.sh did not make alone.
func TestDownIsIdempotent(t *testing.T) {
	if reason := lab.SkipReason(); reason != "" {
		t.Skip(reason)
	}
	foreign := t.TempDir()
	keep := filepath.Join(foreign, "keep")
	if err := os.WriteFile(keep, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, dir := range []string{filepath.Join(t.TempDir(), "never-built"), foreign, foreign} {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		cmd := exec.CommandContext(ctx, "bash", "lab.sh", "down", dir)
		cmd.Env = append(os.Environ(), "LAB_PREFIX=pwnone")
		out, err := cmd.CombinedOutput()
		cancel()
		if err != nil {
			t.Fatalf("lab.sh down %s: %v\n%s", dir, err, out)
		}
	}
	if _, err := os.Stat(keep); err != nil {
		t.Errorf("down removed a directory it did not make: %v", err)
	}
}
