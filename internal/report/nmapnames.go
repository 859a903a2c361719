package report

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/portwatch/portwatch/internal/scan"
)

// wildcardScriptID is the <hostscript><script id> that carries a wildcard
// host's note in XML, so that ndiff reports a host turning wildcard.
const wildcardScriptID = "portwatch-wildcard"

// nmapReasons pairs portwatch reasons with the names nmap uses for the same
// evidence where the two differ; every other reason is the same word.
func nmapReasons() [][2]string {
	return [][2]string{
		{string(scan.ReasonRST), "reset"},
		{string(scan.ReasonHostUnreachable), "host-unreach"},
		{string(scan.ReasonNetUnreachable), "net-unreach"},
		{string(scan.ReasonPortUnreachable), "port-unreach"},
	}
}

// toNmapReason names a portwatch reason as nmap does.
func toNmapReason(r scan.Reason) string {
	for _, p := range nmapReasons() {
		if p[0] == string(r) {
			return p[1]
		}
	}
	return string(r)
}

// fromNmapReason names an nmap reason as portwatch does.
func fromNmapReason(s string) scan.Reason {
	for _, p := range nmapReasons() {
		if p[1] == s {
			return scan.Reason(p[0])
		}
	}
	return scan.Reason(s)
}

// ctime formats t as nmap's startstr/timestr: C ctime(3) without the
// newline, day of month padded with a space.
func ctime(t time.Time) string {
	return t.Format("Mon Jan _2 15:04:05 2006")
}

// unixAttr is a Unix time attribute; "" for the zero time.
func unixAttr(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return strconv.FormatInt(t.Unix(), 10)
}

// maxUnixSeconds is the last second of year 9999, the end of what RFC 3339
// (and so the JSON output) can represent.
const maxUnixSeconds = 253402300799

// parseUnixAttr reads a Unix time attribute; "" and "0" are the zero time.
func parseUnixAttr(name, s string) (time.Time, error) {
	if s == "" || s == "0" {
		return time.Time{}, nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return time.Time{}, fmt.Errorf("attribute %s=%q: %w", name, s, err)
	}
	if n < 0 || n > maxUnixSeconds {
		return time.Time{}, fmt.Errorf("attribute %s=%q: time out of range", name, s)
	}
	return time.Unix(n, 0).UTC(), nil
}

// portRanges writes sorted unique ports as nmap's compact list: 1-1024,8080.
func portRanges(ports []uint16) string {
	ps := slices.Clone(ports)
	slices.Sort(ps)
	ps = slices.Compact(ps)
	var b strings.Builder
	for i := 0; i < len(ps); {
		j := i
		for j+1 < len(ps) && ps[j+1] == ps[j]+1 {
			j++
		}
		if b.Len() > 0 {
			b.WriteByte(',')
		}
		b.WriteString(strconv.Itoa(int(ps[i])))
		if j > i {
			b.WriteByte('-')
			b.WriteString(strconv.Itoa(int(ps[j])))
		}
		i = j + 1
	}
	return b.String()
}

// splitScanner splits Result.Scanner ("portwatch 0.1.0") into the program
// name and its version for <nmaprun scanner version>.
func splitScanner(s string) (name, version string) {
	name, version, _ = strings.Cut(strings.TrimSpace(s), " ")
	if name == "" {
		name = "portwatch"
	}
	return name, strings.TrimSpace(version)
}

// joinScanner is the inverse of splitScanner.
func joinScanner(name, version string) string {
	return strings.TrimSpace(name + " " + version)
}

// targetErrorText is the <output> line that carries a TargetError's message.
func targetErrorText(e scan.TargetError) string {
	return "Target " + strconv.Quote(e.Target) + " skipped: " + e.Error
}

// parseTargetErrorText reverses targetErrorText.
func parseTargetErrorText(s string) (scan.TargetError, bool) {
	rest, ok := strings.CutPrefix(strings.TrimSpace(s), "Target ")
	if !ok {
		return scan.TargetError{}, false
	}
	q, err := strconv.QuotedPrefix(rest)
	if err != nil {
		return scan.TargetError{}, false
	}
	msg, ok := strings.CutPrefix(rest[len(q):], " skipped: ")
	if !ok {
		return scan.TargetError{}, false
	}
	target, err := strconv.Unquote(q)
	if err != nil {
		return scan.TargetError{}, false
	}
	return scan.TargetError{Target: target, Error: msg}, true
}
