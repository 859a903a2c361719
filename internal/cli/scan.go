package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/portwatch/portwatch/internal/fingerprint/engine"
	"github.com/portwatch/portwatch/internal/fingerprint/nmapprobe"
	"github.com/portwatch/portwatch/internal/rawnet"
	"github.com/portwatch/portwatch/internal/report"
	"github.com/portwatch/portwatch/internal/scan"
	"github.com/portwatch/portwatch/internal/scan/syn"
	"github.com/portwatch/portwatch/internal/scan/udp"
	"github.com/portwatch/portwatch/internal/target"
)

// defaultTopPorts is how many ranked ports are scanned when no -p is given.
const defaultTopPorts = 1000

type scanFlags struct {
	ports        string
	topPorts     int
	inputList    string
	exclude      []string
	excludeFile  string
	firstAddress bool
	allowLarge   bool
	connect      bool
	syn          bool
	udp          bool
	udpConfirm   bool
	rate         float64
	concurrency  int
	timing       string
	initialRTT   time.Duration
	minRTT       time.Duration
	maxRTT       time.Duration
	retries      int
	output       string
	outputFile   string
	allStates    bool
	quiet        bool
	noColor      bool
	seed         uint64
	noDiscovery  bool
	serviceScan  bool
	svTimeout    time.Duration
	nmapProbes   string
	intensity    int
}

func newScanCmd(app *app) *cobra.Command {
	var f scanFlags
	cmd := &cobra.Command{
		Use:   "scan [flags] TARGET...",
		Short: "Scan hosts for open ports (nmap port syntax and states)",
		Long: `Scan TARGETs (IPv4/IPv6 addresses, hostnames, CIDRs, ranges such as
198.18.0.11-14 or 198.18.0.11-198.18.1.5) and report every port's state with
its reason. Without -p, the 1000 most common TCP ports are scanned.

nmap spellings are accepted: -iL FILE, -sT, -T0..-T5, -oX FILE, -p-.

Exit codes: 0 done, 1 done but some targets failed, 2 usage error,
130 interrupted (what was found so far is printed).`,
		Example: `  portwatch scan 198.18.0.0/24 -p 22,80,443
  portwatch scan --connect -p- -o json --output-file host.json 198.18.0.11
  portwatch scan -iL hosts.txt --exclude 198.18.0.1 --top-ports 100 -oX scan.xml`,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runScan(cmd.Context(), app, &f, cmd, args)
		},
	}
	fl := cmd.Flags()
	fl.StringVarP(&f.ports, "ports", "p", "", `ports to scan: "22,80,443", "1-1024", "-" for all, "T:80,U:53"`)
	fl.IntVar(&f.topPorts, "top-ports", 0, "scan the N most common ports (default 1000 when -p is not given)")
	fl.StringVar(&f.inputList, "input-list", "", "read targets from FILE (- for standard input), one or more per line, # comments (nmap -iL)")
	fl.StringSliceVar(&f.exclude, "exclude", nil, "targets to leave out (comma-separated, same syntax as targets)")
	fl.StringVar(&f.excludeFile, "exclude-file", "", "read targets to leave out from FILE")
	fl.BoolVar(&f.firstAddress, "first-address", false, "scan only the first address a hostname resolves to (default: every address)")
	fl.BoolVar(&f.allowLarge, "allow-large", false, "allow scanning more than 65,536 addresses")
	fl.BoolVar(&f.connect, "connect", false, "TCP connect scan (nmap -sT): needs no privileges; the default without them")
	fl.BoolVar(&f.syn, "syn", false, "TCP SYN scan on raw sockets (nmap -sS): needs root or CAP_NET_RAW; the default with them")
	fl.BoolVar(&f.udp, "udp", false, "UDP scan (nmap -sU); alone it scans only UDP, with --syn/--connect both")
	fl.BoolVar(&f.udpConfirm, "udp-confirm-closed", false, "re-probe silent UDP ports at the host's ICMP rate to tell closed from open|filtered (slow: about 1 s per port)")
	fl.Float64Var(&f.rate, "rate", 0, "at most this many probes per second (0: unlimited for connect, 100,000 for SYN)")
	fl.IntVar(&f.concurrency, "concurrency", 0, "simultaneous connection attempts (default: sized from the open-file limit, at most 8192)")
	fl.StringVar(&f.timing, "timing", "aggressive", "timing template: polite, normal, aggressive or insane (nmap -T2..-T5)")
	fl.DurationVar(&f.initialRTT, "initial-rtt-timeout", 0, "first per-attempt timeout, before any round trip was measured")
	fl.DurationVar(&f.minRTT, "min-rtt-timeout", 0, "lower bound of the adaptive per-attempt timeout")
	fl.DurationVar(&f.maxRTT, "max-rtt-timeout", 0, "upper bound of the adaptive per-attempt timeout")
	fl.IntVar(&f.retries, "max-retries", -1, "extra attempts for ports that gave no response at all")
	fl.StringVarP(&f.output, "output", "o", "table", "output format: "+joinFormats())
	fl.StringVar(&f.outputFile, "output-file", "", "write the results to FILE instead of standard output")
	fl.BoolVar(&f.allStates, "all-states", false, "list every scanned port, not only open ones")
	fl.BoolVarP(&f.quiet, "quiet", "q", false, "no progress display")
	fl.BoolVar(&f.noColor, "no-color", false, "no colours in the table output")
	fl.Uint64Var(&f.seed, "seed", 0, "seed of the randomised probe order (0: random)")
	fl.BoolVar(&f.noDiscovery, "Pn", false, "skip host discovery: sweep every address even if it looks absent (nmap -Pn)")
	fl.BoolVar(&f.serviceScan, "sV", false, "identify the service and version behind every open TCP port (nmap -sV)")
	fl.DurationVar(&f.svTimeout, "sv-timeout", engine.DefaultPortTimeout, "time budget for identifying one port")
	fl.StringVar(&f.nmapProbes, "nmap-probes", "", `also try the probes of an installed nmap-service-probes file (PATH, or "auto") when portwatch's own fingerprinters fail`)
	fl.IntVar(&f.intensity, "version-intensity", nmapprobe.DefaultIntensity, "with --nmap-probes: try probes up to this rarity (0-9)")
	return cmd
}

func joinFormats() string {
	s := ""
	for i, f := range report.Formats() {
		if i > 0 {
			s += ", "
		}
		s += f
	}
	return s
}

// scanPlan is a validated scan request.
type scanPlan struct {
	targets *target.Set
	ports   target.Ports
	timing  scan.Timing
	format  report.Options
	engine  *engine.Engine // nil without --sV
}

// readList reads a target list file, or standard input for "-".
func readList(ctx context.Context, path string, stdin io.Reader) ([]target.Token, error) {
	if path == "-" {
		return target.ReadListFrom(ctx, stdin, "stdin")
	}
	return target.ReadList(ctx, path)
}

func planScan(ctx context.Context, f *scanFlags, cmd *cobra.Command, args []string) (*scanPlan, error) {
	tokens := target.ArgTokens(args)
	if f.inputList != "" {
		more, err := readList(ctx, f.inputList, cmd.InOrStdin())
		if err != nil {
			return nil, usageError{err}
		}
		tokens = append(tokens, more...)
	}
	if len(tokens) == 0 {
		return nil, usagef("no targets given (give TARGET arguments or --input-list FILE)")
	}
	excludes := target.ArgTokens(f.exclude)
	if f.excludeFile != "" {
		more, err := readList(ctx, f.excludeFile, cmd.InOrStdin())
		if err != nil {
			return nil, usageError{err}
		}
		excludes = append(excludes, more...)
	}
	set, err := target.Parse(ctx, tokens, target.Options{
		Resolver:         net.DefaultResolver,
		FirstAddressOnly: f.firstAddress,
		Excludes:         excludes,
		AllowLarge:       f.allowLarge,
	})
	if err != nil {
		return nil, usageError{err}
	}
	ports, err := choosePorts(f, cmd)
	if err != nil {
		return nil, err
	}
	timing, err := chooseTiming(f, cmd)
	if err != nil {
		return nil, err
	}
	if !slices.Contains(report.Formats(), f.output) {
		return nil, usagef("unknown output format %q (want %s)", f.output, joinFormats())
	}
	eng, err := chooseEngine(f, cmd)
	if err != nil {
		return nil, err
	}
	return &scanPlan{targets: set, ports: ports, timing: timing, engine: eng,
		format: report.Options{Format: f.output, AllStates: f.allStates}}, nil
}

// chooseEngine builds the identification engine when --sV asks for it.
func chooseEngine(f *scanFlags, cmd *cobra.Command) (*engine.Engine, error) {
	if !f.serviceScan {
		for _, name := range []string{"sv-timeout", "nmap-probes", "version-intensity"} {
			if cmd.Flags().Changed(name) {
				return nil, usagef("--%s needs --sV", name)
			}
		}
		return nil, nil
	}
	if f.svTimeout <= 0 {
		return nil, usagef("--sv-timeout must be positive, got %s", f.svTimeout)
	}
	opts := engine.Options{PortTimeout: f.svTimeout}
	if f.nmapProbes != "" {
		if f.intensity < 0 || f.intensity > 9 {
			return nil, usagef("--version-intensity must be 0-9, got %d", f.intensity)
		}
		set, err := nmapprobe.Load(f.nmapProbes)
		if err != nil {
			return nil, usagef("--nmap-probes: %w", err)
		}
		set.Intensity = f.intensity
		opts.NmapProbes = set
	}
	return engine.New(opts), nil
}

// protocols says which transports a scan covers: nmap's rule, -sU alone
// scans only UDP; with -sS/-sT (or T: ports) both.
func protocols(f *scanFlags) []string {
	tcp := !f.udp || f.syn || f.connect || strings.Contains(f.ports, "T:")
	var protos []string
	if tcp {
		protos = append(protos, "tcp")
	}
	if f.udp {
		protos = append(protos, "udp")
	}
	return protos
}

func choosePorts(f *scanFlags, cmd *cobra.Command) (target.Ports, error) {
	portsSet := cmd.Flags().Changed("ports")
	topSet := cmd.Flags().Changed("top-ports")
	if portsSet && topSet {
		return target.Ports{}, usagef("-p/--ports and --top-ports cannot be combined")
	}
	protos := protocols(f)
	if portsSet {
		p, err := target.ParsePorts(f.ports, protos)
		if err != nil {
			return p, usageError{err}
		}
		if len(p.TCP) == 0 && len(p.UDP) == 0 {
			return p, usagef("port spec %q selects no ports", f.ports)
		}
		return p, nil
	}
	n := defaultTopPorts
	if topSet {
		n = f.topPorts
	}
	var p target.Ports
	for _, proto := range protos {
		list, err := target.TopPorts(proto, n)
		if err != nil {
			return p, usageError{err}
		}
		if proto == "tcp" {
			p.TCP = list
		} else {
			p.UDP = list
		}
	}
	return p, nil
}

func chooseTiming(f *scanFlags, cmd *cobra.Command) (scan.Timing, error) {
	t, err := scan.TimingTemplate(f.timing)
	if err != nil {
		return t, usageError{err}
	}
	if cmd.Flags().Changed("initial-rtt-timeout") {
		t.Initial = f.initialRTT
	}
	if cmd.Flags().Changed("min-rtt-timeout") {
		t.Min = f.minRTT
	}
	if cmd.Flags().Changed("max-rtt-timeout") {
		t.Max = f.maxRTT
	}
	if f.retries >= 0 {
		t.Retries = f.retries
	}
	if t.Initial <= 0 {
		return t, usagef("initial rtt timeout must be positive, got %s", t.Initial)
	}
	if err := t.Validate(); err != nil {
		return t, usageError{err}
	}
	return t, nil
}

func runScan(ctx context.Context, app *app, f *scanFlags, cmd *cobra.Command, args []string) error {
	plan, err := planScan(ctx, f, cmd, args)
	if err != nil {
		return err
	}
	if f.rate < 0 {
		return usagef("--rate must not be negative")
	}
	out := app.io.Out
	if f.outputFile != "" {
		file, err := os.Create(f.outputFile)
		if err != nil {
			return usagef("output file: %w", err)
		}
		defer file.Close()
		out = file
	}
	limit, err := scan.RaiseFileLimit()
	if err != nil {
		fmt.Fprintf(app.io.Err, "portwatch: warning: %v\n", err)
		limit = 1024
	}
	conc := f.concurrency
	if conc <= 0 {
		conc = scan.ConcurrencyForFileLimit(limit)
	}
	seed := f.seed
	if seed == 0 {
		seed = rand.Uint64()
	}

	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	var stages []scanStage
	if len(plan.ports.TCP) > 0 {
		tcp, tcpType, err := chooseTCPScanner(app, f, plan.timing, conc)
		if err != nil {
			return err
		}
		stages = append(stages, scanStage{
			scanner: tcp,
			job:     scan.Job{Targets: plan.targets, Ports: plan.ports.TCP, Seed: seed, SkipDiscovery: f.noDiscovery},
			info:    scan.ScanInfo{Protocol: scan.TCP, Type: tcpType, Count: len(plan.ports.TCP), Ports: plan.ports.TCP},
		})
	}
	if len(plan.ports.UDP) > 0 {
		stages = append(stages, scanStage{
			scanner: &udp.Scanner{Timing: plan.timing, Rate: f.rate, Progress: &scan.Progress{},
				ServiceDetection: f.serviceScan, ConfirmClosed: f.udpConfirm},
			job:  scan.Job{Targets: plan.targets, Ports: plan.ports.UDP, Seed: seed + 1},
			info: scan.ScanInfo{Protocol: scan.UDP, Type: "udp", Count: len(plan.ports.UDP), Ports: plan.ports.UDP},
		})
	}
	res := &scan.Result{Args: app.argv, Scanner: "portwatch " + app.version, Started: time.Now()}
	for _, st := range stages {
		res.Scanned = append(res.Scanned, st.info)
	}
	for _, fl := range plan.targets.Failures() {
		res.Errors = append(res.Errors, scan.TargetError{Target: fl.Target, Error: fl.Err.Error()})
	}
	events, progs, err := startStages(ctx, stages)
	if err != nil {
		return usageError{err}
	}
	stopProgress := func() {}
	if !f.quiet && isTerminal(app.io.Err) {
		stopProgress = startProgress(app.io.Err, progs, res.Started)
	}
	col := scan.NewCollector()
	collect(ctx, events, col, plan.engine, plan.targets.Hostnames)
	stopProgress()
	res.Finished = time.Now()
	interrupted := ctx.Err() != nil
	res.Hosts = col.Hosts(plan.targets.Hostnames, f.allStates)
	res.Stats = summarize(res, progs, interrupted)

	plan.format.Color = f.outputFile == "" && !f.noColor && os.Getenv("NO_COLOR") == "" && isTerminal(out)
	if err := report.Write(out, res, plan.format); err != nil {
		return exitError{code: ExitPartial, err: fmt.Errorf("write results: %w", err)}
	}
	switch {
	case interrupted:
		return exitError{code: ExitInterrupted, err: errors.New("interrupted: the results above cover only what was measured")}
	case len(res.Errors) > 0:
		return exitError{code: ExitPartial, err: fmt.Errorf("%d target(s) could not be scanned", len(res.Errors))}
	}
	return nil
}

// chooseTCPScanner picks SYN when the process may open raw sockets (or
// --syn demands it) and connect otherwise, saying so in one line when the
// user asked for neither.
func chooseTCPScanner(app *app, f *scanFlags, timing scan.Timing, conc int) (scan.Scanner, string, error) {
	if f.syn && f.connect {
		return nil, "", usagef("--syn and --connect exclude each other")
	}
	if f.connect {
		return &scan.ConnectScanner{Timing: timing, Concurrency: conc, Rate: f.rate, Progress: &scan.Progress{}}, "connect", nil
	}
	ok, why := rawnet.CanRaw()
	switch {
	case ok:
		return &syn.Scanner{Timing: timing, Rate: f.rate, Progress: &scan.Progress{}}, "syn", nil
	case f.syn:
		return nil, "", usagef("--syn: %s", why)
	}
	if !f.quiet {
		fmt.Fprintf(app.io.Err, "portwatch: %s; using a connect scan\n", why)
	}
	return &scan.ConnectScanner{Timing: timing, Concurrency: conc, Rate: f.rate, Progress: &scan.Progress{}}, "connect", nil
}

func summarize(res *scan.Result, progs []*scan.Progress, interrupted bool) scan.Stats {
	var done, open uint64
	for _, p := range progs {
		done += p.Done.Load()
		open += p.Open.Load()
	}
	st := scan.Stats{
		Endpoints:   done,
		Open:        int(open),
		DurationMS:  res.Finished.Sub(res.Started).Milliseconds(),
		Interrupted: interrupted,
	}
	for _, h := range res.Hosts {
		switch h.Status {
		case scan.HostUp:
			st.HostsUp++
		case scan.HostDown:
			st.HostsDown++
		}
	}
	return st
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && termIsTerminal(f)
}
