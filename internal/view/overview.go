package view

import (
	"context"
	"slices"

	"github.com/portwatch/portwatch/internal/model"
	"github.com/portwatch/portwatch/internal/store"
)

// GroupExposure is what one group exposes.
type GroupExposure struct {
	Group     string `json:"group"` // "" for addresses in no group
	Hosts     int    `json:"hosts"` // with at least one open port
	OpenTCP   int    `json:"open_tcp"`
	OpenUDP   int    `json:"open_udp"`
	Findings  int    `json:"open_findings"`
	Critical  int    `json:"critical"`
	Endpoints int    `json:"endpoints"`
}

// Overview is the dashboard's first page: exposure, violations, failing
// monitors and recent changes.
type Overview struct {
	Endpoints  int                `json:"endpoints"`
	Hosts      int                `json:"hosts"`
	Open       int                `json:"open"`
	Exposure   []GroupExposure    `json:"exposure"`
	BySeverity map[string]int     `json:"open_findings_by_severity"`
	Violations []model.Finding    `json:"violations"` // newest open findings, at most 20
	Failing    []EndpointRow      `json:"failing"`    // at most 20
	FailingAll int                `json:"failing_total"`
	Changes    []model.Change     `json:"recent_changes"` // newest first, at most 20
	Monitors   int                `json:"monitors"`
	Jobs       int                `json:"discovery_jobs"`
	Running    []model.ScanRecord `json:"-"`
}

// Overview sums the view up and reads the latest changes from st.
func (v *View) Overview(ctx context.Context, st store.Store) (Overview, error) {
	o := Overview{Endpoints: len(v.Rows), BySeverity: map[string]int{}, Monitors: len(v.Snap.Monitors), Jobs: len(v.Snap.Jobs)}
	byGroup := map[string]*GroupExposure{}
	var order []string
	hosts := map[string]bool{}
	openHosts := map[[2]string]bool{}
	for i := range v.Rows {
		r := &v.Rows[i]
		hosts[r.Endpoint.Addr.String()] = true
		groups := r.Groups
		if len(groups) == 0 {
			groups = []string{""}
		}
		for _, g := range groups {
			ge := byGroup[g]
			if ge == nil {
				ge = &GroupExposure{Group: g}
				byGroup[g] = ge
				order = append(order, g)
			}
			ge.Endpoints++
			ge.Findings += r.Findings
			if r.Worst == model.SeverityCritical {
				ge.Critical++
			}
			if r.State == "open" {
				if r.Endpoint.Protocol == "udp" {
					ge.OpenUDP++
				} else {
					ge.OpenTCP++
				}
				k := [2]string{g, r.Endpoint.Addr.String()}
				if !openHosts[k] {
					openHosts[k] = true
					ge.Hosts++
				}
			}
		}
		if r.State == "open" {
			o.Open++
		}
		if r.Failing {
			o.FailingAll++
			if len(o.Failing) < 20 {
				o.Failing = append(o.Failing, *r)
			}
		}
	}
	o.Hosts = len(hosts)
	// Configuration order first, then addresses in no group.
	if v.Snap.Config != nil {
		rank := map[string]int{}
		for i, g := range v.Snap.Config.Groups {
			rank[g.Name] = i
		}
		slices.SortStableFunc(order, func(a, b string) int {
			ra, oka := rank[a]
			rb, okb := rank[b]
			switch {
			case oka && okb:
				return ra - rb
			case oka:
				return -1
			case okb:
				return 1
			}
			return 0
		})
	}
	for _, g := range order {
		o.Exposure = append(o.Exposure, *byGroup[g])
	}
	for _, f := range v.Findings {
		o.BySeverity[string(f.Severity)]++
	}
	o.Violations = v.Findings[:min(20, len(v.Findings))]
	var err error
	o.Changes, err = st.ListChanges(ctx, store.ChangeFilter{Desc: true, Page: store.Page{Limit: 20}})
	return o, err
}
