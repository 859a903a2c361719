package integration

import (
	"bytes"
	"context"
	"encoding/json"
	"os/exec"
	"syscall"
	"testing"
	"time"

	"github.com/portwatch/portwatch/internal/scan"
)

// TestInterruptPrintsPartialResults: Ctrl-C prints what was found so far and
// exits 130.
func TestInterruptPrintsPartialResults(t *testing.T) {
	e := labEnv(t)
	var slow string // the default-drop host takes longest
	for _, h := range e.truth.Hosts {
		if h.DefaultTCP == "filtered" {
			slow = h.IPv4
		}
	}
	if slow == "" {
		t.Skip("lab has no default-drop host")
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var out, errb bytes.Buffer
	// A slow, rate-limited scan so that it is surely still running.
	cmd := e.portwatch(ctx, "scan", "-q", "-o", "json", "-p-", "--rate", "2000", slow)
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(1500 * time.Millisecond)
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	err := cmd.Wait()
	ee, ok := err.(*exec.ExitError)
	if !ok || ee.ExitCode() != 130 {
		t.Fatalf("exit %v, want 130; stderr %q", err, errb.String())
	}
	var res scan.Result
	if err := json.Unmarshal(out.Bytes(), &res); err != nil {
		t.Fatalf("partial output is not JSON: %v\n%s", err, out.String())
	}
	if !res.Stats.Interrupted {
		t.Error("stats.interrupted not set")
	}
	if res.Stats.Endpoints == 0 || res.Stats.Endpoints >= 65535 {
		t.Errorf("endpoints %d: want a partial count", res.Stats.Endpoints)
	}
}
