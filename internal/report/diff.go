package report

import (
	"bufio"
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"net/netip"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/portwatch/portwatch/internal/scan"
)

// DiffResult is what changed between two scans, A (before) and B (after),
// compared host by host (by address). Its JSON form is documented in
// docs/history.md.
type DiffResult struct {
	A DiffSide `json:"a"`
	B DiffSide `json:"b"`
	// Same is true when no host was added, removed or changed.
	Same bool `json:"same"`
	// HostsAdded are hosts only in B; their ports all have From nil.
	HostsAdded []HostDiff `json:"hosts_added"`
	// HostsRemoved are hosts only in A; their ports all have To nil.
	HostsRemoved []HostDiff `json:"hosts_removed"`
	// HostsChanged are hosts in both whose status or ports differ; only
	// the ports that differ are listed.
	HostsChanged []HostDiff `json:"hosts_changed"`
}

// DiffSide says what one side of a diff is.
type DiffSide struct {
	// Source is how the user named it: a file path or "scan 12".
	Source  string    `json:"source"`
	Scanner string    `json:"scanner"`
	Started time.Time `json:"started"`
	Args    []string  `json:"args"`
}

// HostDiff is one host's differences. StatusFrom/StatusTo are set (and
// differ) only when the host status changed, or on the side that has the
// host for added and removed hosts.
type HostDiff struct {
	Address    netip.Addr      `json:"address"`
	Hostnames  []string        `json:"hostnames"`
	StatusFrom scan.HostStatus `json:"status_from,omitempty"`
	StatusTo   scan.HostStatus `json:"status_to,omitempty"`
	// NotShown counts the ports a side did not list, by state (the side
	// that has the host, for added and removed hosts; B for changed ones).
	NotShown map[scan.PortState]int `json:"not_shown,omitempty"`
	Ports    []PortDiff             `json:"ports"`
}

// PortDiff is one port that differs. From is nil when A does not show
// the port (its state is unknown there), To likewise for B.
type PortDiff struct {
	Protocol scan.Protocol `json:"protocol"`
	Port     uint16        `json:"port"`
	From     *PortView     `json:"from"`
	To       *PortView     `json:"to"`
}

// PortView is what a diff compares about a port: its state and the
// service's name, product and version.
type PortView struct {
	State   scan.PortState `json:"state"`
	Service string         `json:"service,omitempty"`
	Product string         `json:"product,omitempty"`
	Version string         `json:"version,omitempty"`
	// Extra is shown but not compared (it is free-form server detail).
	Extra string `json:"extra,omitempty"`
}

// Diff compares two scan results by host address. A port listed on one
// side and not on the other takes the other host's omitted state when that
// is unambiguous (the host counts omitted ports of that state, or of one
// state only), so a scan with --all-states and one without do not differ.
func Diff(a, b *scan.Result) DiffResult {
	d := DiffResult{A: sideOf(a), B: sideOf(b), HostsAdded: []HostDiff{}, HostsRemoved: []HostDiff{}, HostsChanged: []HostDiff{}}
	ha, hb := hostsByAddr(a), hostsByAddr(b)
	for _, addr := range unionKeys(ha, hb) {
		x, inA := ha[addr]
		y, inB := hb[addr]
		switch {
		case !inA:
			d.HostsAdded = append(d.HostsAdded, wholeHost(y, false))
		case !inB:
			d.HostsRemoved = append(d.HostsRemoved, wholeHost(x, true))
		default:
			if hd, changed := compareHosts(x, y); changed {
				d.HostsChanged = append(d.HostsChanged, hd)
			}
		}
	}
	d.Same = len(d.HostsAdded)+len(d.HostsRemoved)+len(d.HostsChanged) == 0
	return d
}

func sideOf(r *scan.Result) DiffSide {
	args := slices.Clone(r.Args)
	if args == nil {
		args = []string{}
	}
	return DiffSide{Scanner: r.Scanner, Started: r.Started.UTC(), Args: args}
}

func hostsByAddr(r *scan.Result) map[netip.Addr]*scan.HostResult {
	m := make(map[netip.Addr]*scan.HostResult, len(r.Hosts))
	for i := range r.Hosts {
		m[r.Hosts[i].Address] = &r.Hosts[i]
	}
	return m
}

func unionKeys(a, b map[netip.Addr]*scan.HostResult) []netip.Addr {
	var out []netip.Addr
	for k := range a {
		out = append(out, k)
	}
	for k := range b {
		if _, ok := a[k]; !ok {
			out = append(out, k)
		}
	}
	slices.SortFunc(out, netip.Addr.Compare)
	return out
}

// wholeHost lists every port of a host that exists on one side only.
func wholeHost(h *scan.HostResult, removed bool) HostDiff {
	hd := HostDiff{Address: h.Address, Hostnames: sortedNames(h), NotShown: countsOrNil(h.OtherStates), Ports: []PortDiff{}}
	if removed {
		hd.StatusFrom = h.Status
	} else {
		hd.StatusTo = h.Status
	}
	for _, p := range sortedPorts(h) {
		v := viewOf(p)
		pd := PortDiff{Protocol: p.Protocol, Port: p.Port}
		if removed {
			pd.From = &v
		} else {
			pd.To = &v
		}
		hd.Ports = append(hd.Ports, pd)
	}
	return hd
}

// compareHosts returns the differences of one address on both sides.
func compareHosts(a, b *scan.HostResult) (HostDiff, bool) {
	hd := HostDiff{Address: b.Address, Hostnames: sortedNames(b), NotShown: countsOrNil(b.OtherStates), Ports: []PortDiff{}}
	if a.Status != b.Status {
		hd.StatusFrom, hd.StatusTo = a.Status, b.Status
	}
	pa, pb := portsByKey(a), portsByKey(b)
	keys := slices.Collect(func(yield func(portKey) bool) {
		for k := range pa {
			if !yield(k) {
				return
			}
		}
		for k := range pb {
			if _, dup := pa[k]; !dup && !yield(k) {
				return
			}
		}
	})
	slices.SortFunc(keys, func(x, y portKey) int {
		return cmp.Or(cmp.Compare(x.proto, y.proto), cmp.Compare(x.port, y.port))
	})
	for _, k := range keys {
		from, to := pa[k], pb[k]
		if from == nil {
			from = implied(a, to)
		}
		if to == nil {
			to = implied(b, from)
		}
		if !sameView(from, to) {
			hd.Ports = append(hd.Ports, PortDiff{Protocol: k.proto, Port: k.port, From: from, To: to})
		}
	}
	return hd, hd.StatusFrom != "" || len(hd.Ports) > 0
}

type portKey struct {
	proto scan.Protocol
	port  uint16
}

func portsByKey(h *scan.HostResult) map[portKey]*PortView {
	m := make(map[portKey]*PortView, len(h.Ports))
	for _, p := range h.Ports {
		v := viewOf(p)
		m[portKey{p.Protocol, p.Port}] = &v
	}
	return m
}

// implied is the view of a port that host h did not list, given what the
// other side saw: the same state when h counts omitted ports in that
// state, the only omitted state when there is one, else unknown (nil).
// A host that is not up lists no ports, so nothing is implied for it.
func implied(h *scan.HostResult, other *PortView) *PortView {
	if other == nil || h.Status != scan.HostUp {
		return nil
	}
	if h.OtherStates[other.State] > 0 {
		return &PortView{State: other.State}
	}
	var only scan.PortState
	n := 0
	for s, c := range h.OtherStates {
		if c > 0 {
			only, n = s, n+1
		}
	}
	if n == 1 {
		return &PortView{State: only}
	}
	return nil
}

// sameView compares what a diff looks at: state, service name, product
// and version. Two unknown sides are the same; one unknown side is not.
func sameView(a, b *PortView) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.State == b.State && a.Service == b.Service && a.Product == b.Product && a.Version == b.Version
}

func viewOf(p scan.PortResult) PortView {
	v := PortView{State: p.State}
	if s := p.Service; s != nil {
		v.Service, v.Product, v.Version, v.Extra = s.Name, s.Product, s.Version, s.Extra
	}
	return v
}

func sortedNames(h *scan.HostResult) []string {
	names := slices.Clone(h.Hostnames)
	if names == nil {
		names = []string{}
	}
	slices.Sort(names)
	return names
}

func sortedPorts(h *scan.HostResult) []scan.PortResult {
	ps := slices.Clone(h.Ports)
	slices.SortStableFunc(ps, comparePorts)
	return ps
}

func countsOrNil(m map[scan.PortState]int) map[scan.PortState]int {
	out := map[scan.PortState]int{}
	for s, n := range m {
		if n > 0 {
			out[s] = n
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// WriteDiffJSON writes d as one indented JSON object.
func WriteDiffJSON(w io.Writer, d DiffResult) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(d); err != nil {
		return fmt.Errorf("write diff JSON: %w", err)
	}
	return nil
}

// WriteDiffText writes d the way nmap's ndiff does: lines starting with
// "-" are A's, "+" B's, " " common context. Nothing is written when the
// scans are the same.
func WriteDiffText(w io.Writer, d DiffResult) error {
	if d.Same {
		return nil
	}
	bw := bufio.NewWriter(w)
	fmt.Fprintf(bw, "-%s\n+%s\n", sideLine(d.A), sideLine(d.B))
	var hosts []markedHost
	for _, h := range d.HostsRemoved {
		hosts = append(hosts, markedHost{h, "-"})
	}
	for _, h := range d.HostsAdded {
		hosts = append(hosts, markedHost{h, "+"})
	}
	for _, h := range d.HostsChanged {
		hosts = append(hosts, markedHost{h, " "})
	}
	slices.SortStableFunc(hosts, func(x, y markedHost) int { return x.h.Address.Compare(y.h.Address) })
	for _, e := range hosts {
		bw.WriteString("\n")
		writeHostDiff(bw, e.h, e.mark)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("write diff: %w", err)
	}
	return nil
}

// markedHost is a host block with its ndiff mark: "-" removed, "+"
// added, " " changed.
type markedHost struct {
	h    HostDiff
	mark string
}

// sideLine is a side's header: where it came from and what ran.
func sideLine(s DiffSide) string {
	line := clean(s.Source) + ": " + cmp.Or(clean(s.Scanner), "unknown scanner") + " scan"
	if !s.Started.IsZero() {
		line += " initiated " + s.Started.UTC().Format(time.RFC3339)
	}
	if len(s.Args) > 0 {
		line += " as: " + clean(shellJoin(s.Args))
	}
	return line
}

// writeHostDiff writes one host block; mark is "-" or "+" for a whole
// host on one side, " " for a host on both.
func writeHostDiff(w *bufio.Writer, h HostDiff, mark string) {
	name := addrString(h.Address)
	if len(h.Hostnames) > 0 {
		name = clean(strings.Join(h.Hostnames, ", ")) + " (" + name + ")"
	}
	fmt.Fprintf(w, "%s%s:\n", mark, name)
	switch {
	case mark == "-":
		fmt.Fprintf(w, "-Host is %s.\n", h.StatusFrom)
	case mark == "+":
		fmt.Fprintf(w, "+Host is %s.\n", h.StatusTo)
	case h.StatusFrom != "":
		fmt.Fprintf(w, "-Host is %s.\n+Host is %s.\n", h.StatusFrom, h.StatusTo)
	}
	if mark != " " {
		for _, c := range sortedCounts(h.NotShown) {
			fmt.Fprintf(w, "%sNot shown: %s\n", mark, plural(c.Count, string(c.State)+" port", string(c.State)+" ports"))
		}
	}
	if len(h.Ports) == 0 {
		return
	}
	// The mark shares the first cell with the port so that it stays in
	// column one, as in ndiff.
	var buf strings.Builder
	tw := tabwriter.NewWriter(&buf, 0, 0, 1, ' ', 0)
	fmt.Fprintf(tw, "%sPORT\tSTATE\tSERVICE\tVERSION\n", mark)
	for _, p := range h.Ports {
		port := fmt.Sprintf("%d/%s", p.Port, p.Protocol)
		writePortRow(tw, "-", port, p.From, mark == " ")
		writePortRow(tw, "+", port, p.To, mark == " ")
	}
	tw.Flush()
	for line := range strings.Lines(buf.String()) {
		w.WriteString(strings.TrimRight(line, " \n") + "\n")
	}
}

// writePortRow writes one side of a port; an unknown side (nil) is shown
// as "(not shown)" when showUnknown, else skipped.
func writePortRow(w io.Writer, mark, port string, v *PortView, showUnknown bool) {
	if v == nil {
		if showUnknown {
			fmt.Fprintf(w, "%s%s\t(not shown)\t\t\n", mark, port)
		}
		return
	}
	ver := strings.TrimSpace(v.Product + " " + v.Version)
	if v.Extra != "" {
		ver = strings.TrimSpace(ver + " (" + v.Extra + ")")
	}
	fmt.Fprintf(w, "%s%s\t%s\t%s\t%s\n", mark, port, v.State, clean(v.Service), clean(ver))
}
