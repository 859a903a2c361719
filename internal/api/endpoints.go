package api

import (
	"cmp"
	"net/http"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/portwatch/portwatch/internal/daemon"
	"github.com/portwatch/portwatch/internal/model"
	"github.com/portwatch/portwatch/internal/scan"
	"github.com/portwatch/portwatch/internal/store"
	"github.com/portwatch/portwatch/internal/view"
)

// endpointItem is an endpoint row with its identifier and API path.
type endpointItem struct {
	view.EndpointRow
	ID  string `json:"id"`
	URL string `json:"url"`
}

// endpointPath is the API path of an endpoint:
// /api/v1/endpoints/198.18.0.11/tcp/22 (IPv6 addresses unbracketed).
func endpointPath(ep model.Endpoint) string {
	return Prefix + "/endpoints/" + ep.Addr.String() + "/" + string(ep.Protocol) + "/" + strconv.Itoa(int(ep.Port))
}

func itemOf(r view.EndpointRow) endpointItem {
	return endpointItem{EndpointRow: r, ID: r.ID(), URL: endpointPath(r.Endpoint)}
}

func (s *server) listEndpoints(c *call) error {
	q := c.r.URL.Query()
	f, err := filterParams(q)
	if err != nil {
		return err
	}
	so, err := parseSort(q, view.EndpointSorts, "address")
	if err != nil {
		return err
	}
	p, err := page(q)
	if err != nil {
		return err
	}
	rows, total := view.New(s.d).Endpoints(f, so, p)
	items := make([]endpointItem, len(rows))
	for i, r := range rows {
		items[i] = itemOf(r)
	}
	writeJSON(c.w, http.StatusOK, pagedList(c.r, items, total, p))
	return nil
}

func (s *server) listHosts(c *call) error {
	q := c.r.URL.Query()
	f, err := filterParams(q)
	if err != nil {
		return err
	}
	so, err := parseSort(q, view.HostSorts, "address")
	if err != nil {
		return err
	}
	p, err := page(q)
	if err != nil {
		return err
	}
	hosts, total := view.New(s.d).Hosts(f, so, p)
	writeJSON(c.w, http.StatusOK, pagedList(c.r, hosts, total, p))
	return nil
}

// addrParam reads an IP address path parameter ("[2001:2::11]" too).
func addrParam(c *call, name string) (netip.Addr, error) {
	s := c.r.PathValue(name)
	a, err := netip.ParseAddr(strings.TrimSuffix(strings.TrimPrefix(s, "["), "]"))
	if err != nil {
		return a, errBadRequest("%s %q: not an IP address", name, s)
	}
	return a.Unmap(), nil
}

func (s *server) getHost(c *call) error {
	addr, err := addrParam(c, "addr")
	if err != nil {
		return err
	}
	h, rows, ok := view.New(s.d).Host(addr)
	if !ok {
		return errNotFound("host %s: no endpoint known", addr)
	}
	items := make([]endpointItem, len(rows))
	for i, r := range rows {
		items[i] = itemOf(r)
	}
	writeJSON(c.w, http.StatusOK, map[string]any{"host": h, "endpoints": items})
	return nil
}

// endpointParam reads /endpoints/{addr}/{protocol}/{port}.
func endpointParam(c *call) (model.Endpoint, error) {
	addr, err := addrParam(c, "addr")
	if err != nil {
		return model.Endpoint{}, err
	}
	proto := c.r.PathValue("protocol")
	if proto != "tcp" && proto != "udp" {
		return model.Endpoint{}, errBadRequest("protocol %q: want tcp or udp", proto)
	}
	port, err := strconv.ParseUint(c.r.PathValue("port"), 10, 16)
	if err != nil || port == 0 {
		return model.Endpoint{}, errBadRequest("port %q: want 1 to 65535", c.r.PathValue("port"))
	}
	return model.Endpoint{Addr: addr, Protocol: scan.Protocol(proto), Port: uint16(port)}, nil
}

// endpointDetail is one endpoint at one location.
type endpointDetail struct {
	endpointItem
	// Locations the endpoint is seen from (pick one with ?location=).
	Locations    []model.Location     `json:"locations"`
	OpenFindings []model.Finding      `json:"findings"`
	MonitorInfo  []daemon.MonitorInfo `json:"monitor_details"`
	Stats        view.Stats           `json:"stats"`
	History      string               `json:"history"`
}

func (s *server) getEndpoint(c *call) error {
	ep, err := endpointParam(c)
	if err != nil {
		return err
	}
	q := c.r.URL.Query()
	w, err := view.ParseWindow(q.Get("window"))
	if err != nil {
		return errParam(err)
	}
	v := view.New(s.d)
	rows, _ := v.Endpoints(view.Filter{Host: ep.Addr, Protocol: ep.Protocol}, nil, view.Page{})
	rows = slices.DeleteFunc(rows, func(r view.EndpointRow) bool { return r.Endpoint != ep })
	if len(rows) == 0 {
		return errNotFound("endpoint %s: not known", ep)
	}
	loc := model.Location(q.Get("location"))
	if loc == "" {
		loc = rows[0].Location
		for _, r := range rows {
			if r.Location == v.Snap.Location {
				loc = r.Location
			}
		}
	}
	i := slices.IndexFunc(rows, func(r view.EndpointRow) bool { return r.Location == loc })
	if i < 0 {
		return errNotFound("endpoint %s: not seen from location %q", ep, loc)
	}
	d := endpointDetail{endpointItem: itemOf(rows[i]), OpenFindings: []model.Finding{}, MonitorInfo: []daemon.MonitorInfo{},
		History: endpointPath(ep) + "/history?location=" + string(loc)}
	for _, r := range rows {
		d.Locations = append(d.Locations, r.Location)
	}
	for _, f := range v.Findings {
		if f.Endpoint == ep && f.Location == loc {
			d.OpenFindings = append(d.OpenFindings, f)
		}
	}
	for _, m := range v.Snap.Monitors {
		if slices.Contains(m.Endpoints, ep) {
			d.MonitorInfo = append(d.MonitorInfo, m)
		}
	}
	if d.Stats, err = view.EndpointStats(c.r.Context(), s.st, ep, loc, w, time.Now()); err != nil {
		return err
	}
	writeJSON(c.w, http.StatusOK, d)
	return nil
}

func (s *server) endpointHistory(c *call) error {
	ep, err := endpointParam(c)
	if err != nil {
		return err
	}
	q := c.r.URL.Query()
	p, err := page(q)
	if err != nil {
		return err
	}
	from, err := timeParam(q, "since")
	if err != nil {
		return err
	}
	to, err := timeParam(q, "until")
	if err != nil {
		return err
	}
	if _, err := fixedSort(q, "time"); err != nil {
		return err
	}
	obs, err := s.st.ListObservations(c.r.Context(), store.ObservationFilter{Endpoint: &ep, Location: model.Location(q.Get("location")),
		From: from, To: to, Page: p.Probe()})
	if err != nil {
		return err
	}
	writeJSON(c.w, http.StatusOK, storeList(c.r, obs, p))
	return nil
}

// locationItem is one vantage point.
type locationItem struct {
	Location  model.Location `json:"location"`
	Endpoints int            `json:"endpoints"`
	Open      int            `json:"open"`
	Hosts     int            `json:"hosts"`
	// Local is set for the daemon's own vantage point.
	Local bool `json:"local"`
}

func (s *server) listLocations(c *call) error {
	q := c.r.URL.Query()
	p, err := page(q)
	if err != nil {
		return err
	}
	if _, err := fixedSort(q, "location"); err != nil {
		return err
	}
	v := view.New(s.d)
	idx := map[model.Location]int{}
	hosts := map[model.Location]map[netip.Addr]bool{}
	var out []locationItem
	if v.Snap.Location != "" {
		idx[v.Snap.Location] = 0
		hosts[v.Snap.Location] = map[netip.Addr]bool{}
		out = append(out, locationItem{Location: v.Snap.Location})
	}
	for i := range v.Rows {
		r := &v.Rows[i]
		j, ok := idx[r.Location]
		if !ok {
			j = len(out)
			idx[r.Location] = j
			hosts[r.Location] = map[netip.Addr]bool{}
			out = append(out, locationItem{Location: r.Location})
		}
		out[j].Endpoints++
		if r.State == scan.Open {
			out[j].Open++
		}
		hosts[r.Location][r.Endpoint.Addr] = true
	}
	for i := range out {
		out[i].Hosts = len(hosts[out[i].Location])
		out[i].Local = out[i].Location == v.Snap.Location
	}
	slices.SortFunc(out, func(a, b locationItem) int { return cmp.Compare(a.Location, b.Location) })
	writeJSON(c.w, http.StatusOK, memList(c.r, out, p))
	return nil
}
