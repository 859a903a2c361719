package web

import (
	"html/template"
	"net/http"
	"net/netip"
	"strconv"

	"github.com/portwatch/portwatch/internal/model"
	"github.com/portwatch/portwatch/internal/scan"
	"github.com/portwatch/portwatch/internal/store"
	"github.com/portwatch/portwatch/internal/view"
	"github.com/portwatch/portwatch/internal/web/chart"
)

// endpointsData is the endpoints listing.
type endpointsData struct {
	Filter view.Filter
	Rows   []view.EndpointRow
	List   listing
}

func (h *handler) endpointsPage(w http.ResponseWriter, r *http.Request) {
	f, s, p, ok := h.listParams(w, r, view.EndpointSorts, "address,port")
	if !ok {
		return
	}
	rows, total := view.New(h.opts.Daemon).Endpoints(f, s, p)
	h.render(w, r, http.StatusOK, "endpoints", "Endpoints", "endpoints", endpointsData{Filter: f, Rows: rows, List: newListing("/endpoints", r.URL.Query(), s, p, total, len(rows))})
}

// endpointData is one endpoint's page at one location over one window.
type endpointData struct {
	Row          view.EndpointRow
	Locations    []model.Location
	Window       view.Window
	Windows      []view.Window
	Stats        view.Stats
	Latency      template.HTML
	Availability template.HTML
	Overall      float64
	HasAvail     bool
	Changes      []model.Change
	List         listing
	Findings     []model.Finding
}

func (h *handler) endpointPage(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	ep, ok := parseEndpoint(r)
	if !ok {
		h.fail(w, r, http.StatusNotFound, "Not an endpoint: want /endpoints/ADDRESS/tcp|udp/PORT.")
		return
	}
	win, err := view.ParseWindow(q.Get("window"))
	if err != nil {
		h.fail(w, r, http.StatusBadRequest, err.Error())
		return
	}
	p, err := view.ParsePage(q)
	if err != nil {
		h.fail(w, r, http.StatusBadRequest, err.Error())
		return
	}
	hostRows, _ := view.New(h.opts.Daemon).Endpoints(view.Filter{Host: ep.Addr}, nil, view.Page{})
	d := endpointData{Window: win, Windows: view.Windows}
	// Without loc= the daemon's own location is shown, else the first.
	found, exact := false, false
	want := model.Location(q.Get("loc"))
	for _, row := range hostRows {
		if row.Endpoint != ep {
			continue
		}
		d.Locations = append(d.Locations, row.Location)
		switch {
		case !exact && row.Location == want, !exact && want == "" && row.Location == model.LocalLocation:
			d.Row, found, exact = row, true, true
		case !found && want == "":
			d.Row, found = row, true
		}
	}
	if !found {
		msg := "The endpoint " + ep.String() + " is not known"
		if want != "" {
			msg += " at location " + string(want)
		}
		h.fail(w, r, http.StatusNotFound, msg+".")
		return
	}
	ctx := r.Context()
	now := h.opts.Now()
	if d.Stats, err = view.EndpointStats(ctx, h.opts.Store, ep, d.Row.Location, win, now); err != nil {
		h.internal(w, r, "read the endpoint's latency", err)
		return
	}
	points := make([]chart.Point, len(d.Stats.Buckets))
	for i, b := range d.Stats.Buckets {
		points[i] = chart.Point{T: b.Start, P50: b.P50, P95: b.P95, Count: b.Count, Up: b.Up}
	}
	d.Latency = chart.Latency(points, d.Stats.From, d.Stats.To, chart.Options{Title: "Latency p50 / p95, " + win.Name, Step: win.Bucket, ID: "latency"})
	d.Availability, d.Overall, d.HasAvail = chart.Availability(points, d.Stats.From, d.Stats.To, chart.Options{Title: "Availability, " + win.Name, Step: win.Bucket, ID: "availability"})
	d.Overall /= 100 // the chart speaks percent; the page's pct takes a fraction
	cs, err := h.opts.Store.ListChanges(ctx, store.ChangeFilter{Endpoint: &ep, Location: d.Row.Location, Desc: true, Page: p.Probe()})
	if err != nil {
		h.internal(w, r, "read the endpoint's changes", err)
		return
	}
	d.Changes, _ = view.Trim(p, cs)
	d.List = newListing(r.URL.Path, q, nil, p, -1, len(d.Changes))
	d.List.HasNext = len(cs) > p.Limit
	if d.Findings, err = h.opts.Store.ListFindings(ctx, store.FindingFilter{Endpoint: &ep, Location: d.Row.Location, OpenOnly: true, Page: store.Page{Limit: 100}}); err != nil {
		h.internal(w, r, "read the endpoint's findings", err)
		return
	}
	h.render(w, r, http.StatusOK, "endpoint", ep.String(), "endpoints", d)
}

// parseEndpoint reads /endpoints/{addr}/{proto}/{port}.
func parseEndpoint(r *http.Request) (model.Endpoint, bool) {
	addr, err := netip.ParseAddr(r.PathValue("addr"))
	if err != nil {
		return model.Endpoint{}, false
	}
	proto := scan.Protocol(r.PathValue("proto"))
	if proto != scan.TCP && proto != scan.UDP {
		return model.Endpoint{}, false
	}
	port, err := strconv.ParseUint(r.PathValue("port"), 10, 16)
	if err != nil || port == 0 {
		return model.Endpoint{}, false
	}
	return model.Endpoint{Addr: addr.Unmap(), Protocol: proto, Port: uint16(port)}, true
}
