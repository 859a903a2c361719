package cli

import (
	"cmp"
	"context"
	"fmt"
	"net"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/portwatch/portwatch/internal/model"
	"github.com/portwatch/portwatch/internal/scan"
	"github.com/portwatch/portwatch/internal/store"
	"github.com/spf13/cobra"
)

// newHistoryCmd builds `portwatch history`.
func newHistoryCmd(a *app) *cobra.Command {
	var (
		sf    storeFlags
		since string
		limit int
	)
	cmd := &cobra.Command{
		Use:   "history [HOST[:PORT[/tcp|/udp]]]",
		Short: "Show the change timeline of a host, one endpoint, or everything, from the store",
		Long: `History lists the changes the daemon recorded (opened, closed, filtered,
service, version and certificate changes), oldest first. HOST is an address
or a hostname (every address it resolves to is shown); IPv6 with a port is
written [::1]:22; the protocol defaults to tcp. Without an argument, every
endpoint's changes are listed. See docs/history.md.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			arg := ""
			if len(args) == 1 {
				arg = args[0]
			}
			return runHistory(cmd.Context(), a, &sf, arg, since, limit)
		},
	}
	sf.add(cmd)
	cmd.Flags().StringVar(&since, "since", "", "only changes since `WHEN`: a duration back from now (90m, 24h, 7d) or an RFC 3339 time")
	cmd.Flags().IntVar(&limit, "limit", 0, "show only the `N` most recent changes (0: all)")
	return cmd
}

func runHistory(ctx context.Context, a *app, sf *storeFlags, arg, since string, limit int) error {
	if err := sf.checkOutput(); err != nil {
		return err
	}
	ep, err := parseEndpointArg(arg)
	if err != nil {
		return usageError{err}
	}
	from, err := parseSince(since, time.Now())
	if err != nil {
		return usageError{err}
	}
	if limit < 0 {
		return usagef("--limit %d: must not be negative", limit)
	}
	filters := []store.ChangeFilter{{From: from}}
	if ep.Host != "" {
		addrs, err := resolveHost(ctx, ep.Host)
		if err != nil {
			return err
		}
		filters = filters[:0]
		for _, addr := range addrs {
			f := store.ChangeFilter{Addr: addr, From: from}
			if ep.Port != 0 {
				f.Endpoint = &model.Endpoint{Addr: addr, Protocol: ep.Proto, Port: ep.Port}
			}
			filters = append(filters, f)
		}
	}
	db, err := sf.open(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	changes := []model.Change{}
	for _, f := range filters {
		cs, err := db.ListChanges(ctx, f)
		if err != nil {
			return storeErr("list changes", err)
		}
		changes = append(changes, cs...)
	}
	slices.SortStableFunc(changes, func(x, y model.Change) int {
		return cmp.Or(x.Time.Compare(y.Time), cmp.Compare(x.ID, y.ID))
	})
	if limit > 0 && len(changes) > limit {
		changes = changes[len(changes)-limit:]
	}
	if sf.output == "json" {
		return writeIndentedJSON(a.io.Out, changes)
	}
	return writeChangeTable(a, changes)
}

func writeChangeTable(a *app, changes []model.Change) error {
	if len(changes) == 0 {
		_, err := fmt.Fprintln(a.io.Out, "no changes recorded")
		return err
	}
	tw := tabwriter.NewWriter(a.io.Out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "TIME\tENDPOINT\tLOCATION\tCHANGE\tFROM → TO")
	for _, c := range changes {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s → %s\n", c.Time.UTC().Format(time.RFC3339), c.Endpoint,
			safeCell(string(c.Location)), c.Kind, orNone(safeCell(c.From)), orNone(safeCell(c.To)))
	}
	if err := tw.Flush(); err != nil {
		return fmt.Errorf("write history: %w", err)
	}
	return nil
}

func orNone(s string) string { return cmp.Or(s, "(none)") }

// endpointArg is a parsed HOST[:PORT[/tcp|/udp]] argument.
type endpointArg struct {
	Host  string        // an address literal or a hostname; "" means every endpoint
	Port  uint16        // 0 means every port of Host
	Proto scan.Protocol // set when Port is
}

// String writes the argument back in the form parseEndpointArg reads.
func (e endpointArg) String() string {
	if e.Port == 0 {
		return e.Host
	}
	return fmt.Sprintf("%s/%s", net.JoinHostPort(e.Host, strconv.Itoa(int(e.Port))), e.Proto)
}

// parseEndpointArg reads "", HOST, HOST:PORT, HOST:PORT/PROTO, with IPv6
// as ::1, [::1] or [::1]:22/udp. The protocol defaults to tcp.
func parseEndpointArg(s string) (endpointArg, error) {
	if s == "" {
		return endpointArg{}, nil
	}
	host, portSpec := s, ""
	switch {
	case strings.HasPrefix(s, "["):
		end := strings.IndexByte(s, ']')
		if end < 0 {
			return endpointArg{}, fmt.Errorf("%q: missing ] after the IPv6 address", s)
		}
		host, portSpec = s[1:end], s[end+1:]
		if a, err := netip.ParseAddr(host); err != nil || !a.Is6() {
			return endpointArg{}, fmt.Errorf("%q: %q in brackets is not an IPv6 address", s, host)
		}
		if portSpec != "" {
			if !strings.HasPrefix(portSpec, ":") {
				return endpointArg{}, fmt.Errorf("%q: want [ADDR]:PORT", s)
			}
			portSpec = portSpec[1:]
			if portSpec == "" {
				return endpointArg{}, fmt.Errorf("%q: missing port after ':'", s)
			}
		}
	case strings.Count(s, ":") > 1: // a bare IPv6 address, no port
		if _, err := netip.ParseAddr(s); err != nil {
			return endpointArg{}, fmt.Errorf("%q: not an IPv6 address (write [ADDR]:PORT for a port)", s)
		}
	case strings.Contains(s, ":"):
		i := strings.IndexByte(s, ':')
		host, portSpec = s[:i], s[i+1:]
		if portSpec == "" {
			return endpointArg{}, fmt.Errorf("%q: missing port after ':'", s)
		}
	}
	if err := checkHostName(host); err != nil {
		return endpointArg{}, fmt.Errorf("%q: %w", s, err)
	}
	e := endpointArg{Host: host}
	if portSpec == "" {
		return e, nil
	}
	portText, proto, hasProto := strings.Cut(portSpec, "/")
	e.Proto = scan.TCP
	if hasProto {
		switch scan.Protocol(proto) {
		case scan.TCP, scan.UDP:
			e.Proto = scan.Protocol(proto)
		default:
			return endpointArg{}, fmt.Errorf("%q: protocol %q: want tcp or udp", s, proto)
		}
	}
	n, err := strconv.ParseUint(portText, 10, 16)
	if err != nil || n == 0 || strings.ContainsAny(portText, "+-") {
		return endpointArg{}, fmt.Errorf("%q: port %q: want 1-65535", s, portText)
	}
	e.Port = uint16(n)
	return e, nil
}

// checkHostName accepts an address literal or a DNS name.
func checkHostName(h string) error {
	if _, err := netip.ParseAddr(h); err == nil {
		return nil
	}
	if h == "" || len(h) > 253 {
		return fmt.Errorf("host %q: want an address or a hostname", h)
	}
	for _, r := range h {
		ok := r == '.' || r == '-' || r == '_' || ('0' <= r && r <= '9') || ('a' <= r && r <= 'z') || ('A' <= r && r <= 'Z')
		if !ok {
			return fmt.Errorf("host %q: character %q not allowed in a hostname", h, r)
		}
	}
	return nil
}

// resolveHost turns an address literal or hostname into the addresses the
// store knows it by (IPv4 unmapped, no zone), sorted and unique.
func resolveHost(ctx context.Context, host string) ([]netip.Addr, error) {
	if a, err := netip.ParseAddr(host); err == nil {
		return []netip.Addr{a.WithZone("").Unmap()}, nil
	}
	addrs, err := net.DefaultResolver.LookupNetIP(ctx, "ip", host)
	if err != nil {
		return nil, usagef("resolve %s: %w", host, err)
	}
	for i, a := range addrs {
		addrs[i] = a.WithZone("").Unmap()
	}
	slices.SortFunc(addrs, netip.Addr.Compare)
	return slices.Compact(addrs), nil
}

// parseSince reads --since: a duration back from now (Go syntax, plus a
// whole number of days as "7d") or an RFC 3339 time. "" means no bound.
func parseSince(s string, now time.Time) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	if days, ok := strings.CutSuffix(s, "d"); ok {
		if n, err := strconv.Atoi(days); err == nil && n >= 0 {
			return now.AddDate(0, 0, -n), nil
		}
	}
	if d, err := time.ParseDuration(s); err == nil {
		if d < 0 {
			return time.Time{}, fmt.Errorf("--since %s: a duration back from now must not be negative", s)
		}
		return now.Add(-d), nil
	}
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t, nil
	}
	return time.Time{}, fmt.Errorf("--since %q: want a duration (90m, 24h, 7d) or an RFC 3339 time (2025-03-01T12:00:00Z)", s)
}
