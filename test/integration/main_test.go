// Package integration runs the built portwatch binary against the namespace
// lab (test/lab) and compares what it reports with the lab's ground truth.
package integration

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/portwatch/portwatch/test/lab"
)

// env is what every test here shares: the lab and the binary under test.
type env struct {
	truth *lab.Truth
	bin   string
	skip  string
}

func newEnv(m *testing.M) (*env, func()) {
	e := &env{}
	if reason := lab.SkipReason(); reason != "" {
		e.skip = reason
		return e, func() {}
	}
	tmp, err := os.MkdirTemp("", "portwatch-it-")
	if err != nil {
		e.skip = err.Error()
		return e, func() {}
	}
	e.bin = filepath.Join(tmp, "portwatch")
	build := exec.Command("go", "build", "-buildvcs=false", "-o", e.bin, "github.com/portwatch/portwatch/cmd/portwatch")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintf(os.Stderr, "build portwatch: %v\n", err)
		os.Exit(1)
	}
	truth, teardown, skip := lab.UpMain(m, "pwi")
	e.truth, e.skip = truth, skip
	return e, func() {
		teardown()
		os.RemoveAll(tmp)
	}
}

// the shared environment of this package's tests, set up once in TestMain.
var shared *env

func TestMain(m *testing.M) {
	flag.Parse()
	e, teardown := newEnv(m)
	shared = e
	code := m.Run()
	teardown()
	os.Exit(code)
}

func labEnv(t *testing.T) *env {
	t.Helper()
	if shared.skip != "" {
		t.Skip(shared.skip)
	}
	return shared
}

// portwatch runs the binary inside the scanner namespace.
func (e *env) portwatch(ctx context.Context, args ...string) *exec.Cmd {
	return e.truth.ScannerCmd(ctx, e.bin, args...)
}
