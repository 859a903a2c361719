package cli

import (
	"context"
	"errors"
	"fmt"
	"os/user"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/portwatch/portwatch/internal/alert"
	"github.com/portwatch/portwatch/internal/alert/notify"
	"github.com/portwatch/portwatch/internal/alert/provider"
	"github.com/portwatch/portwatch/internal/config"
	"github.com/portwatch/portwatch/internal/store"
)

// whoami names the person acting, for acknowledgements and silences.
func whoami() string {
	if u, err := user.Current(); err == nil && u.Username != "" {
		return u.Username
	}
	return "unknown"
}

// newAckCmd builds `portwatch ack ID...`.
func newAckCmd(a *app) *cobra.Command {
	var f storeFlags
	var by string
	cmd := &cobra.Command{
		Use:   "ack FINDING-ID...",
		Short: "Acknowledge findings: no more reminders or escalation for them",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			db, err := f.open(ctx)
			if err != nil {
				return err
			}
			defer db.Close()
			for _, arg := range args {
				id, err := strconv.ParseInt(arg, 10, 64)
				if err != nil || id <= 0 {
					return usagef("finding id %q is not a positive number", arg)
				}
				if err := db.AckFinding(ctx, id, by, time.Now().UTC()); err != nil {
					if errors.Is(err, store.ErrNotFound) {
						return usagef("no finding %d", id)
					}
					return storeErr("acknowledge", err)
				}
				who, at, _ := db.FindingAck(ctx, id)
				fmt.Fprintf(a.io.Out, "finding %d acknowledged by %s at %s\n", id, who, at.Format(time.RFC3339))
			}
			return nil
		},
	}
	f.add(cmd)
	cmd.Flags().StringVar(&by, "by", whoami(), "who acknowledges")
	return cmd
}

// newSilenceCmd builds `portwatch silence add|list|expire`.
func newSilenceCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "silence",
		Short: "Mute notifications matching labels for a while (findings are still recorded)",
	}
	var addF storeFlags
	var dur time.Duration
	var comment, by string
	add := &cobra.Command{
		Use:   "add MATCHER...",
		Short: "Add a silence: every matcher (name=value, name!=value, name=~regex, name!~regex) must match",
		Example: `  portwatch silence add group=web --for 2h --comment "kernel upgrade"
  portwatch silence add host=198.18.0.20 'kind=~forbidden-port|unexpected-port' --for 30m`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if dur <= 0 {
				return usagef("--for must be positive")
			}
			if strings.TrimSpace(comment) == "" {
				return usagef("--comment is required: say why")
			}
			var parsed []config.Matcher
			for _, s := range args {
				m, err := config.ParseMatcher(s)
				if err != nil {
					return usageError{err}
				}
				parsed = append(parsed, m)
			}
			ms := alert.StoreMatchers(parsed)
			ctx := cmd.Context()
			db, err := addF.open(ctx)
			if err != nil {
				return err
			}
			defer db.Close()
			now := time.Now().UTC()
			id, err := db.AddSilence(ctx, store.Silence{Matchers: ms, Starts: now, Ends: now.Add(dur), CreatedBy: by, Comment: comment, Created: now})
			if err != nil {
				return storeErr("add silence", err)
			}
			fmt.Fprintf(a.io.Out, "silence %d until %s\n", id, now.Add(dur).Format(time.RFC3339))
			return nil
		},
	}
	addF.add(add)
	add.Flags().DurationVar(&dur, "for", time.Hour, "how long the silence lasts")
	add.Flags().StringVar(&comment, "comment", "", "why (required)")
	add.Flags().StringVar(&by, "by", whoami(), "who silences")

	var listF storeFlags
	var all bool
	list := &cobra.Command{
		Use:   "list",
		Short: "List active silences (--all: expired ones too)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := listF.checkOutput(); err != nil {
				return err
			}
			ctx := cmd.Context()
			db, err := listF.open(ctx)
			if err != nil {
				return err
			}
			defer db.Close()
			now := time.Now().UTC()
			if all {
				now = time.Time{}
			}
			ss, err := db.ListSilences(ctx, now)
			if err != nil {
				return storeErr("list silences", err)
			}
			if ss == nil {
				ss = []store.Silence{}
			}
			if listF.output == "json" {
				return writeIndentedJSON(a.io.Out, ss)
			}
			if len(ss) == 0 {
				fmt.Fprintln(a.io.Out, "no silences")
				return nil
			}
			tw := tabwriter.NewWriter(a.io.Out, 0, 0, 2, ' ', 0)
			fmt.Fprintln(tw, "ID\tMATCHERS\tSTARTS\tENDS\tBY\tCOMMENT")
			for _, s := range ss {
				var m []string
				for _, x := range s.Matchers {
					m = append(m, x.Name+x.Op+x.Value)
				}
				fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\n", s.ID, safeCell(strings.Join(m, ",")), s.Starts.Format(time.RFC3339),
					s.Ends.Format(time.RFC3339), safeCell(s.CreatedBy), safeCell(s.Comment))
			}
			return tw.Flush()
		},
	}
	listF.add(list)
	list.Flags().BoolVar(&all, "all", false, "include expired silences")

	var expF storeFlags
	expire := &cobra.Command{
		Use:   "expire ID...",
		Short: "End silences now",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			db, err := expF.open(ctx)
			if err != nil {
				return err
			}
			defer db.Close()
			for _, arg := range args {
				id, err := strconv.ParseInt(arg, 10, 64)
				if err != nil {
					return usagef("silence id %q is not a number", arg)
				}
				if err := db.ExpireSilence(ctx, id, time.Now().UTC()); err != nil {
					if errors.Is(err, store.ErrNotFound) {
						return usagef("no silence %d", id)
					}
					return storeErr("expire silence", err)
				}
				fmt.Fprintf(a.io.Out, "silence %d expired\n", id)
			}
			return nil
		},
	}
	expF.add(expire)
	cmd.AddCommand(add, list, expire)
	return cmd
}

// newAlertCmd builds `portwatch alert test ROUTE` and `portwatch alert outbox`.
func newAlertCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{Use: "alert", Short: "Test routes and inspect the notification outbox"}
	var tf storeFlags
	test := &cobra.Command{
		Use:   "test ROUTE",
		Short: "Send a test notification to every receiver of a route (needs --config)",
		Long: `Test writes a test message for each receiver of ROUTE into the outbox of the
store (so it is durable like any notification) and delivers it at once,
printing each receiver's outcome. Exit 0 when every receiver accepted it,
1 otherwise.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error { return runAlertTest(cmd.Context(), a, &tf, args[0]) },
	}
	tf.add(test)

	var of storeFlags
	var state string
	var limit int
	outbox := &cobra.Command{
		Use:   "outbox",
		Short: "List notifications, newest first (--state pending|delivered|dead)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := of.checkOutput(); err != nil {
				return err
			}
			switch store.OutboxState(state) {
			case "", store.OutboxPending, store.OutboxDelivered, store.OutboxDead:
			default:
				return usagef("--state %q: want pending, delivered or dead", state)
			}
			ctx := cmd.Context()
			db, err := of.open(ctx)
			if err != nil {
				return err
			}
			defer db.Close()
			es, err := db.ListOutbox(ctx, store.OutboxFilter{State: store.OutboxState(state), Page: store.Page{Limit: limit}})
			if err != nil {
				return storeErr("list outbox", err)
			}
			if es == nil {
				es = []store.OutboxEntry{}
			}
			if of.output == "json" {
				return writeIndentedJSON(a.io.Out, es)
			}
			if len(es) == 0 {
				fmt.Fprintln(a.io.Out, "no notifications")
				return nil
			}
			tw := tabwriter.NewWriter(a.io.Out, 0, 0, 2, ' ', 0)
			fmt.Fprintln(tw, "ID\tCREATED\tRECEIVER\tEVENT\tSTATE\tATTEMPTS\tKEY\tLAST ERROR")
			for _, e := range es {
				fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%d\t%s\t%s\n", e.ID, e.Created.Format(time.RFC3339), e.Receiver, e.Event,
					e.State, e.Attempts, safeCell(e.Key), safeCell(e.LastError))
			}
			return tw.Flush()
		},
	}
	of.add(outbox)
	outbox.Flags().StringVar(&state, "state", "", "only entries in this state")
	outbox.Flags().IntVar(&limit, "limit", 50, "at most this many (0: all)")
	cmd.AddCommand(test, outbox)
	return cmd
}

func runAlertTest(ctx context.Context, a *app, f *storeFlags, route string) error {
	if f.config == "" {
		return usagef("alert test needs --config (the routes and notifiers live there)")
	}
	cfg, err := config.Load(f.config)
	if err != nil {
		return usagef("--config %s: %w", f.config, err)
	}
	notifiers := map[string]notify.Notifier{}
	for _, n := range cfg.Notifiers {
		built, err := provider.Build(n)
		if err != nil {
			return usageError{err}
		}
		notifiers[n.Name] = built
	}
	opts, err := alert.OptionsFromConfig(cfg)
	if err != nil {
		return usageError{err}
	}
	db, err := f.open(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	eng, err := alert.NewEngine(db, opts)
	if err != nil {
		return usageError{err}
	}
	keys, err := eng.Test(ctx, route)
	if err != nil {
		return usageError{err}
	}
	d := alert.NewDispatcher(db, notifiers, alert.DispatchOptions{})
	d.Drain(ctx)
	failed := 0
	for _, k := range keys {
		es, err := db.ListOutbox(ctx, store.OutboxFilter{})
		if err != nil {
			return storeErr("read outbox", err)
		}
		for _, e := range es {
			if e.Key != k {
				continue
			}
			switch e.State {
			case store.OutboxDelivered:
				fmt.Fprintf(a.io.Out, "%s: delivered\n", e.Receiver)
			default:
				failed++
				fmt.Fprintf(a.io.Out, "%s: %s after %d attempt(s): %s\n", e.Receiver, e.State, e.Attempts, e.LastError)
			}
		}
	}
	if failed > 0 {
		fmt.Fprintln(a.io.Err, "portwatch: test messages not delivered stay pending; a running daemon retries them")
		return exitError{code: ExitPartial, err: fmt.Errorf("%d of %d receivers did not accept the test", failed, len(keys))}
	}
	return nil
}
