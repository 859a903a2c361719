// Package cli builds portwatch's command tree: flags, output selection,
// progress display and exit codes. It holds no domain logic.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"runtime/debug"
	"strings"

	"github.com/spf13/cobra"
)

// Exit codes shared by every command.
const (
	ExitOK          = 0   // done
	ExitPartial     = 1   // done, but some targets failed (or a runtime error)
	ExitUsage       = 2   // the command line or an input file is wrong
	ExitInterrupted = 130 // cut short by SIGINT/SIGTERM; partial results printed
)

// IO is the process's standard streams.
type IO struct {
	In       io.Reader
	Out, Err io.Writer
}

// usageError marks errors caused by what the user typed.
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

func usagef(format string, a ...any) error { return usageError{fmt.Errorf(format, a...)} }

// exitError carries a specific exit code out of a command.
type exitError struct {
	code int
	err  error
}

func (e exitError) Error() string {
	if e.err == nil {
		return fmt.Sprintf("exit %d", e.code)
	}
	return e.err.Error()
}

// Main runs the command line and returns the process exit code.
func Main(ctx context.Context, args []string, stdio IO, version string) int {
	a := &app{io: stdio, argv: append([]string{"portwatch"}, args...), version: version}
	root := newRoot(a)
	root.SetArgs(normalizeArgs(args))
	err := root.ExecuteContext(ctx)
	if err == nil {
		return ExitOK
	}
	var ee exitError
	if errors.As(err, &ee) {
		if ee.err != nil {
			fmt.Fprintf(stdio.Err, "portwatch: %v\n", ee.err)
		}
		return ee.code
	}
	fmt.Fprintf(stdio.Err, "portwatch: %v\n", err)
	var ue usageError
	if errors.As(err, &ue) || isCobraUsageError(err) {
		return ExitUsage
	}
	return ExitPartial
}

// app is what every command shares: streams, the original command line, the version.
type app struct {
	io      IO
	argv    []string
	version string
}

func newRoot(a *app) *cobra.Command {
	stdio, version := a.io, a.version
	if version == "dev" {
		if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
			version = bi.Main.Version
		}
	}
	a.version = version
	root := &cobra.Command{
		Use:   "portwatch",
		Short: "Continuous port monitoring: discover, identify and watch what is exposed",
		Long: `portwatch discovers what is exposed on your networks (fast TCP scanning with
nmap's port syntax and states), and reports every port's state with its reason.`,
		Version:       version,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetIn(stdio.In)
	root.SetOut(stdio.Out)
	root.SetErr(stdio.Err)
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageError{err} })
	root.AddCommand(newScanCmd(a))
	root.AddCommand(newConfigCmd(a))
	root.AddCommand(newHistoryCmd(a), newFindingsCmd(a), newDiffCmd(a))
	root.AddCommand(newServeCmd(a), newStatusCmd(a))
	root.AddCommand(newAckCmd(a), newSilenceCmd(a), newAlertCmd(a))
	root.AddCommand(newUserCmd(a), newTokenCmd(a))
	return root
}

// isCobraUsageError recognises cobra's own argument errors (unknown command,
// wrong argument count), which do not pass through the flag error hook.
func isCobraUsageError(err error) bool {
	msg := err.Error()
	for _, p := range []string{"unknown command", "accepts ", "requires at least", "unknown flag", "unknown shorthand", "invalid argument"} {
		if strings.Contains(msg, p) {
			return true
		}
	}
	return false
}
