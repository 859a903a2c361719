package report

import (
	"bufio"
	"cmp"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/portwatch/portwatch/internal/fingerprint"
	"github.com/portwatch/portwatch/internal/scan"
)

// wildcardRows is how many ports of a wildcard host the table shows: the
// rest are noise (a SYN proxy or tarpit accepts everything).
const wildcardRows = 20

// writeTable renders the nmap-like human report.
func writeTable(w io.Writer, res *scan.Result, opts Options) error {
	bw := bufio.NewWriter(w)
	for i := range res.Hosts {
		writeHostTable(bw, &res.Hosts[i], opts)
		bw.WriteString("\n")
	}
	if len(res.Errors) > 0 {
		bw.WriteString("Errors:\n")
		for _, e := range res.Errors {
			fmt.Fprintf(bw, "  %s: %s\n", clean(e.Target), clean(e.Error))
		}
		bw.WriteString("\n")
	}
	if res.Stats.Interrupted {
		bw.WriteString("Warning: scan interrupted; results cover only what was measured.\n")
	}
	st := res.Stats
	// Hosts of unknown status are in neither count of Stats.
	hosts := max(len(res.Hosts), st.HostsUp+st.HostsDown)
	fmt.Fprintf(bw, "Scanned %s (%d up) and %s in %.2f s\n",
		plural(hosts, "host", "hosts"), st.HostsUp,
		plural(st.Endpoints, "endpoint", "endpoints"), float64(st.DurationMS)/1000)
	return bw.Flush()
}

// writeHostTable renders one host block.
func writeHostTable(w *bufio.Writer, h *scan.HostResult, opts Options) {
	name := addrString(h.Address)
	if len(h.Hostnames) > 0 {
		name = fmt.Sprintf("%s (%s)", clean(h.Hostnames[0]), name)
	}
	if h.Status == scan.HostDown {
		fmt.Fprintf(w, "portwatch scan report for %s [host down%s]\n", name, prefixed(", ", clean(string(h.Reason))))
		return
	}
	fmt.Fprintf(w, "portwatch scan report for %s\n", name)
	status := "Host is up"
	if h.Status != scan.HostUp {
		status = "Host status is " + clean(cmp.Or(string(h.Status), string(scan.HostUnknown)))
	}
	if h.Reason != "" {
		status += " (" + clean(string(h.Reason)) + ")"
	}
	w.WriteString(status + ".\n")
	if len(h.Hostnames) > 1 {
		names := make([]string, len(h.Hostnames)-1)
		for i, n := range h.Hostnames[1:] {
			names[i] = clean(n)
		}
		fmt.Fprintf(w, "Other names: %s\n", strings.Join(names, ", "))
	}
	if h.Wildcard {
		fmt.Fprintf(w, "Warning: wildcard host (accepts connections on an implausible share of ports)%s\n", prefixed(": ", clean(h.Note)))
	}

	var shown []scan.PortResult
	hidden := make(map[scan.PortState]int, len(h.OtherStates)+1)
	for s, n := range h.OtherStates {
		hidden[s] += n
	}
	for _, p := range h.Ports {
		if opts.AllStates || isOpen(p.State) {
			shown = append(shown, p)
		} else {
			hidden[p.State]++
		}
	}
	more := 0
	if h.Wildcard && len(shown) > wildcardRows {
		more = len(shown) - wildcardRows
		shown = shown[:wildcardRows]
	}
	writePortRows(w, shown, opts.Color)
	if more > 0 {
		kind := "open ports"
		if opts.AllStates {
			kind = "ports"
		}
		fmt.Fprintf(w, "... and %d more %s (wildcard host)\n", more, kind)
	}
	if counts := sortedCounts(hidden); len(counts) > 0 {
		parts := make([]string, len(counts))
		for i, c := range counts {
			parts[i] = fmt.Sprintf("%d %s", c.Count, clean(string(c.State)))
		}
		fmt.Fprintf(w, "Not shown: %s\n", strings.Join(parts, ", "))
	}
}

// writePortRows writes the PORT STATE REASON RTT table, columns aligned on
// the visible text so that colour codes do not disturb the layout.
func writePortRows(w *bufio.Writer, ports []scan.PortResult, color bool) {
	if len(ports) == 0 {
		return
	}
	withServices := slices.ContainsFunc(ports, func(p scan.PortResult) bool { return p.Service != nil })
	header := []string{"PORT", "STATE", "REASON", "RTT"}
	if withServices {
		header = append(header, "SERVICE", "VERSION")
	}
	rows := [][]string{header}
	for _, p := range ports {
		row := []string{
			fmt.Sprintf("%d/%s", p.Port, clean(string(p.Protocol))),
			clean(string(p.State)),
			clean(string(p.Reason)),
			formatRTT(p.RTT),
		}
		if withServices {
			name, version := "", ""
			if p.Service != nil {
				name, version = clean(p.Service.Name), clean(serviceVersion(p.Service))
			}
			row = append(row, name, version)
		}
		rows = append(rows, row)
	}
	widths := make([]int, len(rows[0]))
	for _, r := range rows {
		for i, c := range r {
			widths[i] = max(widths[i], len([]rune(c)))
		}
	}
	for n, r := range rows {
		for i, c := range r {
			text := c
			if i == 1 && n > 0 && color {
				text = colorState(ports[n-1].State, c)
			}
			w.WriteString(text)
			if i < len(r)-1 {
				w.WriteString(strings.Repeat(" ", widths[i]-len([]rune(c))+2))
			}
		}
		w.WriteString("\n")
		if n > 0 {
			writeServiceDetail(w, ports[n-1].Service)
		}
	}
}

// writeServiceDetail adds indented lines under a port row for what does not
// fit the columns: TLS facts and CPE names.
func writeServiceDetail(w *bufio.Writer, s *fingerprint.Service) {
	if s == nil {
		return
	}
	if s.TLS != nil && s.TLS.Version != "" {
		fmt.Fprintf(w, "|  tls: %s\n", clean(tlsSummary(s.TLS)))
	}
	if len(s.CPE) > 0 {
		fmt.Fprintf(w, "|  cpe: %s\n", clean(strings.Join(s.CPE, " ")))
	}
	if s.Product == "" && s.Banner != "" && s.Confidence < fingerprint.ConfidenceLikely {
		fmt.Fprintf(w, "|  banner: %s\n", clean(s.Banner))
	}
}

// formatRTT shows a round trip in milliseconds, "-" when there was none.
func formatRTT(d time.Duration) string {
	if d <= 0 {
		return "-"
	}
	return fmt.Sprintf("%.2fms", float64(d)/float64(time.Millisecond))
}

// colorState wraps text in the ANSI colour of state s.
func colorState(s scan.PortState, text string) string {
	code := ""
	switch s {
	case scan.Open:
		code = "32" // green
	case scan.Closed:
		code = "31" // red
	case scan.Filtered, scan.OpenFiltered:
		code = "33" // yellow
	default:
		return text
	}
	return "\x1b[" + code + "m" + text + "\x1b[0m"
}

// clean makes a string from the network or a file safe to print on a
// terminal: control characters (escape sequences, newlines) are shown as
// Go escapes instead of being interpreted.
func clean(s string) string {
	if !strings.ContainsFunc(s, isUnsafeRune) {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == 0xFFFD:
			b.WriteString(`\ufffd`)
		case isUnsafeRune(r) && r < 0x100:
			fmt.Fprintf(&b, `\x%02x`, r)
		case isUnsafeRune(r):
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// isUnsafeRune reports runes a terminal may act on or cannot show.
func isUnsafeRune(r rune) bool {
	return r < 0x20 || (r >= 0x7f && r < 0xa0) || r == 0xFFFD ||
		(r >= 0x2028 && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069)
}

// prefixed returns sep+s, or "" when s is empty.
func prefixed(sep, s string) string {
	if s == "" {
		return ""
	}
	return sep + s
}

// plural formats a count with the singular or plural form of a noun.
func plural[N int | uint64](n N, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}
