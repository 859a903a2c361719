package web

import (
	"fmt"
	"html/template"
	"maps"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/portwatch/portwatch/internal/fingerprint"
	"github.com/portwatch/portwatch/internal/model"
	"github.com/portwatch/portwatch/internal/scan"
	"github.com/portwatch/portwatch/internal/view"
)

// funcs are the template helpers: links, times and small formats.
func (h *handler) funcs() template.FuncMap {
	fm := template.FuncMap{
		"hostURL":     hostURL,
		"endpointURL": endpointURL,
		"ts":          timestamp,
		"ago":         func(t time.Time) string { return ago(h.opts.Now(), t) },
		"rtt":         rtt,
		"service":     func(s model.EndpointState) string { return view.ServiceText(&s) },
		"serviceOf":   serviceOf,
		"join":        strings.Join,
		"pct":         func(f float64) string { return strconv.FormatFloat(f*100, 'f', 2, 64) + " %" },
		"expiry":      func(t *time.Time) string { return expiry(h.opts.Now(), t) },
		"matchers":    matcherText,
		"sevClass":    func(s model.Severity) string { return "sev-" + string(s) },
		"stateClass":  func(s any) string { return "state-" + strings.ReplaceAll(fmt.Sprint(s), "|", "-") },
		"isState":     isStateKind,
		"add":         func(a, b int) int { return a + b },
		"labels":      labelText,
	}
	maps.Copy(fm, partialFuncs())
	maps.Copy(fm, optionFuncs())
	return fm
}

// hostURL is a host page's address.
func hostURL(a netip.Addr) string { return "/hosts/" + url.PathEscape(a.String()) }

// endpointURL is an endpoint page's address; a location other than
// the daemon's own ("local", the page's default) is kept as loc=.
func endpointURL(ep model.Endpoint, loc ...model.Location) string {
	u := "/endpoints/" + url.PathEscape(ep.Addr.String()) + "/" + url.PathEscape(string(ep.Protocol)) + "/" + strconv.Itoa(int(ep.Port))
	if len(loc) > 0 && loc[0] != "" && loc[0] != model.LocalLocation {
		u += "?loc=" + url.QueryEscape(string(loc[0]))
	}
	return u
}

func timestamp(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.UTC().Format("2006-01-02 15:04:05Z")
}

// ago renders a short relative time: "12s ago", "3h ago", "5d ago".
func ago(now, t time.Time) string {
	if t.IsZero() {
		return "never"
	}
	d := now.Sub(t)
	suffix := " ago"
	if d < 0 {
		d, suffix = -d, " from now"
	}
	switch {
	case d < time.Minute:
		return strconv.Itoa(int(d.Seconds())) + "s" + suffix
	case d < time.Hour:
		return strconv.Itoa(int(d.Minutes())) + "m" + suffix
	case d < 48*time.Hour:
		return strconv.Itoa(int(d.Hours())) + "h" + suffix
	}
	return strconv.Itoa(int(d.Hours()/24)) + "d" + suffix
}

func rtt(d time.Duration) string {
	switch {
	case d <= 0:
		return "—"
	case d < time.Millisecond:
		return strconv.FormatFloat(float64(d)/float64(time.Microsecond), 'f', 0, 64) + " µs"
	case d < time.Second:
		return strconv.FormatFloat(float64(d)/float64(time.Millisecond), 'f', 1, 64) + " ms"
	}
	return strconv.FormatFloat(d.Seconds(), 'f', 2, 64) + " s"
}

// serviceOf is "ssh OpenSSH 9.2p1 (Debian …)" for a scan result's service.
func serviceOf(s *fingerprint.Service) string {
	if s == nil {
		return ""
	}
	txt := view.ServiceText(&model.EndpointState{Service: s})
	if s.Extra != "" {
		txt += " (" + s.Extra + ")"
	}
	return txt
}

// expiry renders a certificate's end: the date and how far away it is.
func expiry(now time.Time, t *time.Time) string {
	if t == nil || t.IsZero() {
		return ""
	}
	return t.UTC().Format("2006-01-02") + " (" + ago(now, *t) + ")"
}

func matcherText(ms []storeMatcher) string {
	parts := make([]string, len(ms))
	for i, m := range ms {
		parts[i] = m.Name + m.Op + m.Value
	}
	return strings.Join(parts, ", ")
}

func labelText(l map[string]string) string {
	var parts []string
	for _, k := range sortedKeys(l) {
		parts = append(parts, k+"="+l[k])
	}
	return strings.Join(parts, " ")
}

// isStateKind reports whether a change kind is a port-state change.
func isStateKind(k model.ChangeKind) bool {
	return k == model.ChangeOpened || k == model.ChangeClosed || k == model.ChangeFiltered
}

// findingsArgs is what the findings table partial needs from its page.
type findingsArgs struct {
	CanWrite bool
	CSRF     string
	Back     string
	Findings []model.Finding
}

// findingRowArgs is one row of it.
type findingRowArgs struct {
	F        model.Finding
	CanWrite bool
	CSRF     string
	Back     string
}

// changesArgs is what the changes table partial needs.
type changesArgs struct {
	ID      string
	Changes []model.Change
}

// partialFuncs build the partials' arguments.
func partialFuncs() template.FuncMap {
	return template.FuncMap{
		"findingsOf": func(pg page, fs []model.Finding) findingsArgs {
			return findingsArgs{CanWrite: pg.CanWrite, CSRF: pg.CSRF, Back: pg.Path, Findings: fs}
		},
		"findingRow": func(a findingsArgs, f model.Finding) findingRowArgs {
			return findingRowArgs{F: f, CanWrite: a.CanWrite, CSRF: a.CSRF, Back: a.Back}
		},
		"changesOf": func(id string, cs []model.Change) changesArgs { return changesArgs{ID: id, Changes: cs} },
		"th":        func(l listing, key, label string) thArgs { return thArgs{L: l, Key: key, Label: label} },
	}
}

// thArgs is one sortable column header.
type thArgs struct {
	L          listing
	Key, Label string
}

// optionFuncs list the values of the filter drop-downs.
func optionFuncs() template.FuncMap {
	return template.FuncMap{
		"stateOptions":    func() []string { return []string{"open", "closed", "filtered", "open|filtered"} },
		"severityOptions": func() []string { return []string{"critical", "major", "warning", "info"} },
		"statusOptions":   func() []string { return []string{"open", "resolved", "all"} },
		"endpointOf": func(a netip.Addr, proto string, port uint16) model.Endpoint {
			return model.Endpoint{Addr: a, Protocol: scan.Protocol(proto), Port: port}
		},
	}
}
