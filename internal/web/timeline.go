package web

import (
	"context"
	"fmt"
	"html/template"
	"net/netip"
	"time"

	"github.com/portwatch/portwatch/internal/model"
	"github.com/portwatch/portwatch/internal/store"
	"github.com/portwatch/portwatch/internal/view"
	"github.com/portwatch/portwatch/internal/web/chart"
)

// timelineWindow is how far back the host page's state timeline goes.
const timelineWindow = 24 * time.Hour

// maxTimelineChanges bounds the changes read for one host's timeline.
const maxTimelineChanges = 20000

type laneKey struct {
	ep  model.Endpoint
	loc model.Location
}

// hostTimeline draws one lane per row over the last 24 h from the host's
// state changes: each change's To is the state from its time on, the
// first change's From the state before it; a lane with no change stays
// in its current state (from its first sighting when that is later).
func (h *handler) hostTimeline(ctx context.Context, addr netip.Addr, rows []view.EndpointRow, now time.Time) (template.HTML, error) {
	if len(rows) == 0 {
		return "", nil
	}
	from := now.Add(-timelineWindow)
	changes, err := h.opts.Store.ListChanges(ctx, store.ChangeFilter{Addr: addr, From: from, To: now.Add(time.Second), Page: store.Page{Limit: maxTimelineChanges}})
	if err != nil {
		return "", fmt.Errorf("changes of %s: %w", addr, err)
	}
	byLane := map[laneKey][]model.Change{}
	for _, c := range changes {
		if isStateKind(c.Kind) {
			k := laneKey{c.Endpoint, c.Location}
			byLane[k] = append(byLane[k], c)
		}
	}
	locs := map[model.Location]bool{}
	for _, r := range rows {
		locs[r.Location] = true
	}
	lanes := make([]chart.Lane, 0, len(rows))
	for _, r := range rows {
		name := fmt.Sprintf("%d/%s", r.Endpoint.Port, r.Endpoint.Protocol)
		if len(locs) > 1 {
			name += " @" + string(r.Location)
		}
		lanes = append(lanes, chart.Lane{Name: name, Segments: laneSegments(r.EndpointState, byLane[laneKey{r.Endpoint, r.Location}], from)})
	}
	return chart.Timeline(lanes, from, now, chart.Options{Title: "State over the last 24 h", ID: "host-timeline"}), nil
}

// laneSegments turns one endpoint's state changes (oldest first) into
// timeline segments.
func laneSegments(cur model.EndpointState, cs []model.Change, from time.Time) []chart.Segment {
	if len(cs) == 0 {
		start := from
		if cur.FirstSeen.After(start) {
			start = cur.FirstSeen
		}
		return []chart.Segment{{From: start, State: string(cur.State), Label: string(cur.Reason)}}
	}
	var segs []chart.Segment
	if cs[0].From != "" && cs[0].Time.After(from) {
		// Before its first change the endpoint was in the change's From
		// state, but only since it was first seen: earlier is unknown.
		start := from
		if cur.FirstSeen.After(start) {
			start = cur.FirstSeen
		}
		if cs[0].Time.After(start) {
			segs = append(segs, chart.Segment{From: start, To: cs[0].Time, State: cs[0].From})
		}
	}
	for i, c := range cs {
		s := chart.Segment{From: c.Time, State: c.To}
		if i+1 < len(cs) {
			s.To = cs[i+1].Time
		} else {
			s.Label = string(cur.Reason)
		}
		segs = append(segs, s)
	}
	return segs
}
