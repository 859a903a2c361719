package view

import (
	"cmp"
	"net/netip"
	"slices"
	"time"

	"github.com/portwatch/portwatch/internal/model"
)

// PortSummary is one open port of a host.
type PortSummary struct {
	Port      uint16         `json:"port"`
	Protocol  string         `json:"protocol"`
	Location  model.Location `json:"location"`
	Service   string         `json:"service,omitempty"`
	TLSExpiry *time.Time     `json:"tls_not_after,omitempty"`
}

// HostRow is one address with its endpoints summed up.
type HostRow struct {
	Addr      netip.Addr       `json:"address"`
	Hostnames []string         `json:"hostnames,omitempty"`
	Groups    []string         `json:"groups,omitempty"`
	Locations []model.Location `json:"locations"`
	Open      int              `json:"open"`
	Closed    int              `json:"closed"`
	Filtered  int              `json:"filtered"`
	OpenPorts []PortSummary    `json:"open_ports"`
	Findings  int              `json:"open_findings"`
	Worst     model.Severity   `json:"worst_severity,omitempty"`
	Failing   int              `json:"failing_monitors"`
	// LastChange is the latest time one of its endpoints changed state.
	LastChange time.Time `json:"last_change"`
	// TLSExpiry is the soonest certificate expiry among its open ports.
	TLSExpiry *time.Time `json:"tls_not_after,omitempty"`
}

// HostSorts are the keys Hosts sorts by.
var HostSorts = []string{"address", "open", "findings", "severity", "last_change", "tls_expiry"}

// Hosts groups the rows matching f by address.
func (v *View) Hosts(f Filter, s Sort, p Page) ([]HostRow, int) {
	names := map[netip.Addr][]string{}
	for _, m := range v.Snap.Monitors {
		if _, err := netip.ParseAddr(m.Host); err == nil {
			continue
		}
		for _, ep := range m.Endpoints {
			if !slices.Contains(names[ep.Addr], m.Host) {
				names[ep.Addr] = append(names[ep.Addr], m.Host)
			}
		}
	}
	var hosts []HostRow
	idx := map[netip.Addr]int{}
	for i := range v.Rows {
		r := &v.Rows[i]
		if !f.MatchEndpoint(r) {
			continue
		}
		j, ok := idx[r.Endpoint.Addr]
		if !ok {
			j = len(hosts)
			idx[r.Endpoint.Addr] = j
			hosts = append(hosts, HostRow{Addr: r.Endpoint.Addr, Groups: r.Groups, Hostnames: names[r.Endpoint.Addr], OpenPorts: []PortSummary{}})
		}
		h := &hosts[j]
		addHost(h, r)
	}
	slices.SortStableFunc(hosts, func(a, b HostRow) int { return compareHosts(&a, &b, s) })
	return Slice(p, hosts), len(hosts)
}

// Host returns one address's summary and its rows (every state).
func (v *View) Host(addr netip.Addr) (HostRow, []EndpointRow, bool) {
	rows, _ := v.Endpoints(Filter{Host: addr}, Sort{{Key: "port"}}, Page{})
	if len(rows) == 0 {
		return HostRow{}, nil, false
	}
	hs, _ := v.Hosts(Filter{Host: addr}, nil, Page{})
	return hs[0], rows, true
}

func addHost(h *HostRow, r *EndpointRow) {
	if !slices.Contains(h.Locations, r.Location) {
		h.Locations = append(h.Locations, r.Location)
	}
	switch r.State {
	case "open":
		h.Open++
		ps := PortSummary{Port: r.Endpoint.Port, Protocol: string(r.Endpoint.Protocol), Location: r.Location, Service: ServiceText(&r.EndpointState)}
		if r.Service != nil && r.Service.TLS != nil && !r.Service.TLS.NotAfter.IsZero() {
			t := r.Service.TLS.NotAfter
			ps.TLSExpiry = &t
			if h.TLSExpiry == nil || t.Before(*h.TLSExpiry) {
				h.TLSExpiry = &t
			}
		}
		h.OpenPorts = append(h.OpenPorts, ps)
	case "closed":
		h.Closed++
	default:
		h.Filtered++
	}
	h.Findings += r.Findings
	if r.Worst != "" && (h.Worst == "" || SeverityRank(r.Worst) < SeverityRank(h.Worst)) {
		h.Worst = r.Worst
	}
	if r.Failing {
		h.Failing++
	}
	if r.Since.After(h.LastChange) {
		h.LastChange = r.Since
	}
}

func compareHosts(a, b *HostRow, s Sort) int {
	for _, k := range s {
		var c int
		switch k.Key {
		case "address":
			c = a.Addr.Compare(b.Addr)
		case "open":
			c = cmp.Compare(a.Open, b.Open)
		case "findings":
			c = cmp.Compare(a.Findings, b.Findings)
		case "severity":
			c = cmp.Compare(SeverityRank(a.Worst), SeverityRank(b.Worst))
		case "last_change":
			c = a.LastChange.Compare(b.LastChange)
		case "tls_expiry":
			c = compareExpiry(a.TLSExpiry, b.TLSExpiry)
		}
		if k.Desc {
			c = -c
		}
		if c != 0 {
			return c
		}
	}
	return a.Addr.Compare(b.Addr)
}

// compareExpiry orders known expiries first, soonest first.
func compareExpiry(a, b *time.Time) int {
	switch {
	case a == nil && b == nil:
		return 0
	case a == nil:
		return 1
	case b == nil:
		return -1
	}
	return a.Compare(*b)
}
