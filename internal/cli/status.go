package cli

import (
	"context"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/portwatch/portwatch/internal/model"
	"github.com/portwatch/portwatch/internal/scan"
	"github.com/portwatch/portwatch/internal/store"
)

// statusOptions are the flags of `portwatch status`.
type statusOptions struct {
	store storeFlags
	host  string
	state string
}

// newStatusCmd builds `portwatch status`: the current state of every
// tracked endpoint.
func newStatusCmd(a *app) *cobra.Command {
	var o statusOptions
	cmd := &cobra.Command{
		Use:   "status",
		Short: "Show the current state of every tracked endpoint",
		Long: `Status lists what the daemon knows now about each endpoint it has seen: state
and reason, since when, how many observations in a row, first and last seen,
the last handshake time and the identified service. See docs/history.md.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runStatus(cmd.Context(), a, &o) },
	}
	o.store.add(cmd)
	fl := cmd.Flags()
	fl.StringVar(&o.host, "host", "", "only endpoints of this `HOST` (an address, or a hostname and all its addresses)")
	fl.StringVar(&o.state, "state", "", "only endpoints in this `STATE`: open, closed, filtered or open|filtered")
	return cmd
}

func runStatus(ctx context.Context, a *app, o *statusOptions) error {
	if err := o.store.checkOutput(); err != nil {
		return err
	}
	state := scan.PortState(o.state)
	switch state {
	case "", scan.Open, scan.Closed, scan.Filtered, scan.OpenFiltered:
	default:
		return usagef("--state %q: want open, closed, filtered or open|filtered", o.state)
	}
	addrs, err := hostFlagAddrs(ctx, o.host)
	if err != nil {
		return err
	}
	filters := []store.StateFilter{{State: state}}
	if addrs != nil {
		filters = filters[:0]
		for _, addr := range addrs {
			filters = append(filters, store.StateFilter{State: state, Addr: addr})
		}
	}
	db, err := o.store.open(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	states := []model.EndpointState{}
	for _, f := range filters {
		ss, err := db.ListStates(ctx, f)
		if err != nil {
			return storeErr("list states", err)
		}
		states = append(states, ss...)
	}
	if o.store.output == "json" {
		return writeIndentedJSON(a.io.Out, states)
	}
	return writeStatusTable(a, states)
}

func writeStatusTable(a *app, states []model.EndpointState) error {
	if len(states) == 0 {
		_, err := fmt.Fprintln(a.io.Out, "no endpoints tracked")
		return err
	}
	tw := tabwriter.NewWriter(a.io.Out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ENDPOINT\tLOCATION\tSTATE\tREASON\tSINCE\tIN A ROW\tLAST SEEN\tRTT\tSERVICE")
	for _, s := range states {
		svc := ""
		if s.Service != nil {
			svc = strings.TrimSpace(strings.Join([]string{s.Service.Name, s.Service.Product, s.Service.Version}, " "))
		}
		rtt := "-"
		if s.LastRTT > 0 {
			rtt = s.LastRTT.Round(10 * time.Microsecond).String()
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%d\t%s\t%s\t%s\n", s.Endpoint, safeCell(string(s.Location)), s.State, s.Reason,
			s.Since.UTC().Format(time.RFC3339), s.Consecutive, s.LastSeen.UTC().Format(time.RFC3339), rtt, safeCell(svc))
	}
	if err := tw.Flush(); err != nil {
		return fmt.Errorf("write status: %w", err)
	}
	return nil
}
