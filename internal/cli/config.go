package cli

import (
	"errors"
	"fmt"
	"path/filepath"

	"github.com/portwatch/portwatch/internal/alert/provider"
	"github.com/portwatch/portwatch/internal/config"
	"github.com/spf13/cobra"
)

// newConfigCmd builds `portwatch config` and its `validate` subcommand.
func newConfigCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "config",
		Short: "Work with portwatch configuration files",
	}
	cmd.AddCommand(&cobra.Command{
		Use:   "validate FILE|DIR",
		Short: "Check a configuration file or directory; print every error with file:line",
		Long: `Validate loads a configuration exactly as "portwatch serve" would (a YAML
file, or every *.yaml/*.yml file of a directory merged, with ${ENV} expanded)
and prints every problem, one per line, with its file and line.
Exit 0 when valid, 2 when not.`,
		Args: cobra.ExactArgs(1),
		RunE: func(_ *cobra.Command, args []string) error { return validateConfig(a, args[0]) },
	})
	return cmd
}

func validateConfig(a *app, path string) error {
	cfg, err := config.Load(path)
	var errs config.Errors
	switch {
	case errors.As(err, &errs):
		for _, e := range errs {
			fmt.Fprintln(a.io.Err, e)
		}
		return exitError{code: ExitUsage, err: fmt.Errorf("%s: %d error(s)", path, len(errs))}
	case err != nil:
		return usageError{err}
	}
	var bad int
	for _, n := range cfg.Notifiers {
		if _, err := provider.Build(n); err != nil {
			fmt.Fprintln(a.io.Err, err)
			bad++
		}
	}
	if bad > 0 {
		return exitError{code: ExitUsage, err: fmt.Errorf("%s: %d notifier(s) refused", path, bad)}
	}
	fmt.Fprintf(a.io.Out, "%s: valid (%d monitors, %d discovery jobs, %d groups, %d notifiers, %d routes)\n",
		filepath.Clean(path), len(cfg.Monitors), len(cfg.Discovery), len(cfg.Groups), len(cfg.Notifiers), len(cfg.Routes))
	return nil
}
