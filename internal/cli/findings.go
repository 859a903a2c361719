package cli

import (
	"cmp"
	"context"
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/portwatch/portwatch/internal/model"
	"github.com/portwatch/portwatch/internal/store"
	"github.com/spf13/cobra"
)

// findingsOptions are the flags of `portwatch findings`.
type findingsOptions struct {
	store    storeFlags
	open     bool
	severity string
	host     string
	exitCode bool
}

// hostFlagAddrs resolves a --host value (an address, [IPv6], or a
// hostname: all its addresses); nil when the flag is empty.
func hostFlagAddrs(ctx context.Context, host string) ([]netip.Addr, error) {
	if host == "" {
		return nil, nil
	}
	if strings.HasPrefix(host, "[") && strings.HasSuffix(host, "]") { // [::1], as in history
		host = host[1 : len(host)-1]
	}
	if err := checkHostName(host); err != nil {
		return nil, usagef("--host: %w", err)
	}
	return resolveHost(ctx, host)
}

// newFindingsCmd builds `portwatch findings`.
func newFindingsCmd(a *app) *cobra.Command {
	var o findingsOptions
	cmd := &cobra.Command{
		Use:   "findings",
		Short: "List policy findings from the store, newest first",
		Long: `Findings lists what broke a policy (forbidden or unexpected open ports,
expected-open endpoints down, unexpected services), newest opened first.
Exit 0; with --exit-code, exit 1 when at least one listed finding is still
open (for CI and cron). See docs/history.md.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runFindings(cmd.Context(), a, &o) },
	}
	o.store.add(cmd)
	fl := cmd.Flags()
	fl.BoolVar(&o.open, "open", false, "only findings that are still open")
	fl.StringVar(&o.severity, "severity", "", "only findings of this `SEVERITY`: critical, major, warning or info")
	fl.StringVar(&o.host, "host", "", "only findings of this `HOST` (an address, or a hostname and all its addresses)")
	fl.BoolVar(&o.exitCode, "exit-code", false, "exit 1 when at least one listed finding is open")
	return cmd
}

func runFindings(ctx context.Context, a *app, o *findingsOptions) error {
	if err := o.store.checkOutput(); err != nil {
		return err
	}
	sev := model.Severity(o.severity)
	switch sev {
	case "", model.SeverityCritical, model.SeverityMajor, model.SeverityWarning, model.SeverityInfo:
	default:
		return usagef("--severity %q: want critical, major, warning or info", o.severity)
	}
	addrs, err := hostFlagAddrs(ctx, o.host)
	if err != nil {
		return err
	}
	filters := []store.FindingFilter{{OpenOnly: o.open, Severity: sev}}
	if addrs != nil {
		filters = filters[:0]
		for _, addr := range addrs {
			filters = append(filters, store.FindingFilter{OpenOnly: o.open, Severity: sev, Addr: addr})
		}
	}
	db, err := o.store.open(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	findings := []model.Finding{}
	for _, f := range filters {
		fs, err := db.ListFindings(ctx, f)
		if err != nil {
			return storeErr("list findings", err)
		}
		findings = append(findings, fs...)
	}
	slices.SortStableFunc(findings, func(x, y model.Finding) int {
		return cmp.Or(y.Opened.Compare(x.Opened), cmp.Compare(y.ID, x.ID))
	})
	if o.store.output == "json" {
		err = writeIndentedJSON(a.io.Out, findings)
	} else {
		err = writeFindingTable(a, findings)
	}
	if err != nil {
		return err
	}
	if o.exitCode && slices.ContainsFunc(findings, model.Finding.Open) {
		return exitError{code: ExitPartial}
	}
	return nil
}

func writeFindingTable(a *app, findings []model.Finding) error {
	if len(findings) == 0 {
		_, err := fmt.Fprintln(a.io.Out, "no findings")
		return err
	}
	tw := tabwriter.NewWriter(a.io.Out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tSEVERITY\tKIND\tENDPOINT\tOPENED\tRESOLVED\tMESSAGE")
	for _, f := range findings {
		resolved := "open"
		if f.Resolved != nil {
			resolved = f.Resolved.UTC().Format(time.RFC3339)
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\n", f.ID, f.Severity, f.Kind, f.Endpoint,
			f.Opened.UTC().Format(time.RFC3339), resolved, safeCell(f.Message))
	}
	if err := tw.Flush(); err != nil {
		return fmt.Errorf("write findings: %w", err)
	}
	return nil
}
