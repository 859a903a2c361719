package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/portwatch/portwatch/internal/model"
	"github.com/portwatch/portwatch/internal/scan"
	"github.com/portwatch/portwatch/internal/store"
)

// addEndpoint restricts s.* to one endpoint.
func (w *where) addEndpoint(ep model.Endpoint) {
	w.add(`s.addr = ? AND s.protocol = ? AND s.port = ?`, addrBytes(ep.Addr), string(ep.Protocol), int(ep.Port))
}

// ListObservations returns raw observations, oldest first.
func (d *DB) ListObservations(ctx context.Context, f store.ObservationFilter) ([]model.Observation, error) {
	w := where{}
	if f.Endpoint != nil {
		w.addEndpoint(*f.Endpoint)
	}
	if f.Location != "" {
		w.add(`s.location = ?`, string(f.Location))
	}
	if !f.From.IsZero() {
		w.add(`o.time >= ?`, nanos(f.From))
	}
	if !f.To.IsZero() {
		w.add(`o.time < ?`, nanos(f.To))
	}
	rows, err := d.db.QueryContext(ctx, `SELECT `+endpointCols+`, o.time, o.state, o.reason, o.rtt, o.service, o.source, o.origin, o.scan_id
		FROM observations o JOIN series s ON s.id = o.series_id`+w.String()+` ORDER BY o.time, o.id`+limitClause(f.Limit, f.Offset), w.args...)
	if err != nil {
		return nil, fmt.Errorf("query observations: %w", err)
	}
	defer rows.Close()
	var out []model.Observation
	for rows.Next() {
		var (
			addr                      []byte
			proto, loc, state, reason string
			source, origin            string
			port                      int
			t, rtt, scanID            int64
			svc                       sql.NullString
		)
		if err := rows.Scan(&addr, &proto, &port, &loc, &t, &state, &reason, &rtt, &svc, &source, &origin, &scanID); err != nil {
			return nil, fmt.Errorf("scan observation: %w", err)
		}
		ep, l, err := scanEndpoint(addr, proto, port, loc)
		if err != nil {
			return nil, err
		}
		s, err := parseService(svc)
		if err != nil {
			return nil, err
		}
		out = append(out, model.Observation{Endpoint: ep, Location: l, Time: fromNanos(t), State: scan.PortState(state),
			Reason: scan.Reason(reason), RTT: time.Duration(rtt), Service: s, Source: model.Source(source), Origin: origin, ScanID: scanID})
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("query observations: %w", err)
	}
	return out, nil
}

const stateQuery = `SELECT ` + endpointCols + `, t.state, t.reason, t.since, t.first_seen, t.last_seen, t.consecutive, t.last_rtt, t.service
	FROM states t JOIN series s ON s.id = t.series_id`

// GetState returns the current state of ep at loc, or store.ErrNotFound.
func (d *DB) GetState(ctx context.Context, ep model.Endpoint, loc model.Location) (model.EndpointState, error) {
	w := where{}
	w.addEndpoint(ep)
	w.add(`s.location = ?`, string(loc))
	states, err := d.queryStates(ctx, w, "")
	if err != nil {
		return model.EndpointState{}, err
	}
	if len(states) == 0 {
		return model.EndpointState{}, fmt.Errorf("state of %s@%s: %w", ep, loc, store.ErrNotFound)
	}
	return states[0], nil
}

// ListStates returns current states ordered by address, protocol, port, location.
func (d *DB) ListStates(ctx context.Context, f store.StateFilter) ([]model.EndpointState, error) {
	w := where{}
	if f.Location != "" {
		w.add(`s.location = ?`, string(f.Location))
	}
	if f.Addr.IsValid() {
		w.add(`s.addr = ?`, addrBytes(f.Addr))
	}
	if f.State != "" {
		w.add(`t.state = ?`, string(f.State))
	}
	return d.queryStates(ctx, w, ` ORDER BY length(s.addr), s.addr, s.protocol, s.port, s.location`+limitClause(f.Limit, f.Offset))
}

func (d *DB) queryStates(ctx context.Context, w where, tail string) ([]model.EndpointState, error) {
	rows, err := d.db.QueryContext(ctx, stateQuery+w.String()+tail, w.args...)
	if err != nil {
		return nil, fmt.Errorf("query states: %w", err)
	}
	defer rows.Close()
	var out []model.EndpointState
	for rows.Next() {
		var (
			addr                      []byte
			proto, loc, state, reason string
			port, consecutive         int
			since, first, last, rtt   int64
			svc                       sql.NullString
		)
		if err := rows.Scan(&addr, &proto, &port, &loc, &state, &reason, &since, &first, &last, &consecutive, &rtt, &svc); err != nil {
			return nil, fmt.Errorf("scan state: %w", err)
		}
		ep, l, err := scanEndpoint(addr, proto, port, loc)
		if err != nil {
			return nil, err
		}
		s, err := parseService(svc)
		if err != nil {
			return nil, err
		}
		out = append(out, model.EndpointState{Endpoint: ep, Location: l, State: scan.PortState(state), Reason: scan.Reason(reason),
			Since: fromNanos(since), FirstSeen: fromNanos(first), LastSeen: fromNanos(last), Consecutive: consecutive,
			LastRTT: time.Duration(rtt), Service: s})
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("query states: %w", err)
	}
	return out, nil
}

// ListChanges returns changes ordered by time, then insertion order.
func (d *DB) ListChanges(ctx context.Context, f store.ChangeFilter) ([]model.Change, error) {
	w := where{}
	switch {
	case f.Endpoint != nil:
		w.addEndpoint(*f.Endpoint)
	case f.Addr.IsValid():
		w.add(`s.addr = ?`, addrBytes(f.Addr))
	}
	if f.Location != "" {
		w.add(`s.location = ?`, string(f.Location))
	}
	if !f.From.IsZero() {
		w.add(`c.time >= ?`, nanos(f.From))
	}
	if !f.To.IsZero() {
		w.add(`c.time < ?`, nanos(f.To))
	}
	if f.Kind != "" {
		w.add(`c.kind = ?`, string(f.Kind))
	}
	order := ` ORDER BY c.time, c.id`
	if f.Desc {
		order = ` ORDER BY c.time DESC, c.id DESC`
	}
	rows, err := d.db.QueryContext(ctx, `SELECT c.id, `+endpointCols+`, c.time, c.kind, c.from_val, c.to_val
		FROM changes c JOIN series s ON s.id = c.series_id`+w.String()+order+limitClause(f.Limit, f.Offset), w.args...)
	if err != nil {
		return nil, fmt.Errorf("query changes: %w", err)
	}
	defer rows.Close()
	var out []model.Change
	for rows.Next() {
		var (
			id, t                      int64
			addr                       []byte
			proto, loc, kind, from, to string
			port                       int
		)
		if err := rows.Scan(&id, &addr, &proto, &port, &loc, &t, &kind, &from, &to); err != nil {
			return nil, fmt.Errorf("scan change: %w", err)
		}
		ep, l, err := scanEndpoint(addr, proto, port, loc)
		if err != nil {
			return nil, err
		}
		out = append(out, model.Change{ID: id, Endpoint: ep, Location: l, Time: fromNanos(t), Kind: model.ChangeKind(kind), From: from, To: to})
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("query changes: %w", err)
	}
	return out, nil
}

// isNoRows reports whether err is sql.ErrNoRows.
func isNoRows(err error) bool { return errors.Is(err, sql.ErrNoRows) }
