package view

import (
	"cmp"
	"maps"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/portwatch/portwatch/internal/daemon"
	"github.com/portwatch/portwatch/internal/model"
)

// Source is what a View reads: the running daemon.
type Source interface {
	Current() *daemon.Snapshot
	States() []model.EndpointState
	OpenFindings() []model.Finding
}

// EndpointRow is one endpoint at one location with what the
// configuration says about it.
type EndpointRow struct {
	model.EndpointState
	// Groups the address belongs to, in configuration order.
	Groups []string `json:"groups,omitempty"`
	// Labels are the groups' labels, then the monitors' (later wins).
	Labels map[string]string `json:"labels,omitempty"`
	// Monitors that check this endpoint.
	Monitors []string `json:"monitors,omitempty"`
	// Findings counts the open findings; Worst is the most severe.
	Findings int            `json:"open_findings"`
	Worst    model.Severity `json:"worst_severity,omitempty"`
	// Failing is set when a monitor expects the endpoint open and it is
	// not, or expects it closed and it is open.
	Failing bool `json:"failing"`
}

// ID is the endpoint's stable identifier in URLs: "198.18.0.11:22/tcp".
func (r *EndpointRow) ID() string { return r.Endpoint.String() }

// View is one consistent read of the daemon, made per request.
type View struct {
	Snap     *daemon.Snapshot
	Rows     []EndpointRow
	Findings []model.Finding // open, newest first
	At       time.Time
}

// New reads src once.
func New(src Source) *View {
	snap := src.Current()
	states := src.States()
	findings := src.OpenFindings()
	v := &View{Snap: snap, Findings: findings, At: time.Now().UTC(), Rows: make([]EndpointRow, len(states))}

	type fkey struct {
		ep  model.Endpoint
		loc model.Location
	}
	open := map[fkey][]model.Finding{}
	for _, f := range findings {
		k := fkey{f.Endpoint, f.Location}
		open[k] = append(open[k], f)
	}
	type mon struct {
		name, expect string
		labels       map[string]string
	}
	mons := map[model.Endpoint][]mon{}
	for _, m := range snap.Monitors {
		for _, ep := range m.Endpoints {
			mons[ep] = append(mons[ep], mon{m.Name, m.Expect, m.Labels})
		}
	}
	groupsOf := map[netip.Addr][]string{} // many endpoints share an address
	for i, s := range states {
		r := &v.Rows[i]
		r.EndpointState = s
		gs, ok := groupsOf[s.Endpoint.Addr]
		if !ok && snap.Policy != nil {
			gs = snap.Policy.GroupsOf(s.Endpoint.Addr)
			groupsOf[s.Endpoint.Addr] = gs
		}
		r.Groups = gs
		for _, g := range gs {
			if l := snap.Policy.GroupLabels(g); len(l) > 0 {
				if r.Labels == nil {
					r.Labels = map[string]string{}
				}
				maps.Copy(r.Labels, l)
			}
		}
		for _, m := range mons[s.Endpoint] {
			r.Monitors = append(r.Monitors, m.name)
			if len(m.labels) > 0 {
				if r.Labels == nil {
					r.Labels = map[string]string{}
				}
				maps.Copy(r.Labels, m.labels)
			}
			switch m.expect {
			case "open":
				r.Failing = r.Failing || s.State != "open"
			case "closed":
				r.Failing = r.Failing || s.State == "open"
			}
		}
		for _, f := range open[fkey{s.Endpoint, s.Location}] {
			r.Findings++
			if r.Worst == "" || SeverityRank(f.Severity) < SeverityRank(r.Worst) {
				r.Worst = f.Severity
			}
		}
	}
	return v
}

// SeverityRank orders severities, most severe first (0).
func SeverityRank(s model.Severity) int {
	switch s {
	case model.SeverityCritical:
		return 0
	case model.SeverityMajor:
		return 1
	case model.SeverityWarning:
		return 2
	case model.SeverityInfo:
		return 3
	}
	return 4
}

// Endpoints returns the rows matching f, sorted by s, one page of them,
// and how many matched in all.
func (v *View) Endpoints(f Filter, s Sort, p Page) ([]EndpointRow, int) {
	var out []EndpointRow
	for i := range v.Rows {
		if f.MatchEndpoint(&v.Rows[i]) {
			out = append(out, v.Rows[i])
		}
	}
	slices.SortStableFunc(out, func(a, b EndpointRow) int { return compareEndpoints(&a, &b, s) })
	return p.Slice(out), len(out)
}

// EndpointSorts are the keys Endpoints sorts by.
var EndpointSorts = []string{"address", "port", "state", "service", "since", "last_seen", "latency", "findings", "severity"}

func compareEndpoints(a, b *EndpointRow, s Sort) int {
	for _, k := range s {
		var c int
		switch k.Key {
		case "address":
			c = a.Endpoint.Addr.Compare(b.Endpoint.Addr)
		case "port":
			c = cmp.Compare(a.Endpoint.Port, b.Endpoint.Port)
		case "state":
			c = cmp.Compare(a.State, b.State)
		case "service":
			c = cmp.Compare(serviceName(&a.EndpointState), serviceName(&b.EndpointState))
		case "since":
			c = a.Since.Compare(b.Since)
		case "last_seen":
			c = a.LastSeen.Compare(b.LastSeen)
		case "latency":
			c = cmp.Compare(a.LastRTT, b.LastRTT)
		case "findings":
			c = cmp.Compare(a.Findings, b.Findings)
		case "severity":
			c = cmp.Compare(SeverityRank(a.Worst), SeverityRank(b.Worst))
		}
		if k.Desc {
			c = -c
		}
		if c != 0 {
			return c
		}
	}
	return compareEndpointKey(&a.EndpointState, &b.EndpointState)
}

// compareEndpointKey is the tie-breaker that makes every sort stable
// across requests: address, protocol, port, location.
func compareEndpointKey(a, b *model.EndpointState) int {
	if c := a.Endpoint.Addr.Compare(b.Endpoint.Addr); c != 0 {
		return c
	}
	if c := cmp.Compare(a.Endpoint.Protocol, b.Endpoint.Protocol); c != 0 {
		return c
	}
	if c := cmp.Compare(a.Endpoint.Port, b.Endpoint.Port); c != 0 {
		return c
	}
	return cmp.Compare(a.Location, b.Location)
}

func serviceName(s *model.EndpointState) string {
	if s.Service == nil {
		return ""
	}
	return s.Service.Name
}

// ServiceText is "ssh OpenSSH 9.2p1" or "" for an endpoint.
func ServiceText(s *model.EndpointState) string {
	if s.Service == nil {
		return ""
	}
	parts := []string{s.Service.Name, s.Service.Product, s.Service.Version}
	return strings.Join(slices.DeleteFunc(parts, func(p string) bool { return p == "" }), " ")
}

// searchText is what a text query matches against.
func searchText(r *EndpointRow) string {
	var b strings.Builder
	b.WriteString(r.Endpoint.String())
	b.WriteByte(' ')
	b.WriteString(strconv.Itoa(int(r.Endpoint.Port)))
	b.WriteByte(' ')
	b.WriteString(ServiceText(&r.EndpointState))
	if r.Service != nil && r.Service.Hostname != "" {
		b.WriteString(" " + r.Service.Hostname)
	}
	for _, g := range r.Groups {
		b.WriteString(" " + g)
	}
	for _, m := range r.Monitors {
		b.WriteString(" " + m)
	}
	b.WriteString(" " + string(r.Location))
	return strings.ToLower(b.String())
}
