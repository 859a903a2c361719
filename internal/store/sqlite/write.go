package sqlite

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/portwatch/portwatch/internal/model"
	"github.com/portwatch/portwatch/internal/store"
)

// WriteBatch commits b in one transaction, folding its observations into
// the minute and hour rollups in the same transaction.
func (d *DB) WriteBatch(ctx context.Context, b store.Batch) error {
	if b.Len() == 0 {
		return nil
	}
	tx, err := d.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin write: %w", err)
	}
	defer tx.Rollback() //nolint:errcheck // after Commit this is a no-op
	ids := newSeriesResolver(d, tx)
	if err := insertObservations(ctx, tx, ids, b.Observations); err != nil {
		return err
	}
	if err := foldRollups(ctx, tx, ids, b.Observations); err != nil {
		return err
	}
	if err := upsertStates(ctx, tx, ids, b.States); err != nil {
		return err
	}
	if err := insertChanges(ctx, tx, ids, b.Changes); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit write: %w", err)
	}
	ids.publish()
	return nil
}

// AddObservations commits observations in one transaction.
func (d *DB) AddObservations(ctx context.Context, obs []model.Observation) error {
	return d.WriteBatch(ctx, store.Batch{Observations: obs})
}

// PutStates upserts states in one transaction.
func (d *DB) PutStates(ctx context.Context, states []model.EndpointState) error {
	return d.WriteBatch(ctx, store.Batch{States: states})
}

// AddChanges appends changes in one transaction.
func (d *DB) AddChanges(ctx context.Context, changes []model.Change) error {
	return d.WriteBatch(ctx, store.Batch{Changes: changes})
}

// seriesResolver finds or creates series ids inside one transaction.
type seriesResolver struct {
	d     *DB
	tx    *sql.Tx
	stmt  *sql.Stmt
	fresh map[seriesKey]int64 // ids learnt in this transaction
}

func newSeriesResolver(d *DB, tx *sql.Tx) *seriesResolver {
	return &seriesResolver{d: d, tx: tx, fresh: make(map[seriesKey]int64)}
}

func (r *seriesResolver) id(ctx context.Context, ep model.Endpoint, loc model.Location) (int64, error) {
	k := seriesKey{ep: model.Endpoint{Addr: ep.Addr.WithZone(""), Protocol: ep.Protocol, Port: ep.Port}, loc: loc}
	if id, ok := r.fresh[k]; ok {
		return id, nil
	}
	r.d.mu.Lock()
	id, ok := r.d.series[k]
	r.d.mu.Unlock()
	if ok {
		return id, nil
	}
	if r.stmt == nil {
		// The no-op update makes RETURNING yield the id of an existing row too.
		st, err := r.tx.PrepareContext(ctx, `INSERT INTO series (addr, protocol, port, location) VALUES (?, ?, ?, ?)
			ON CONFLICT (addr, protocol, port, location) DO UPDATE SET port = excluded.port RETURNING id`)
		if err != nil {
			return 0, fmt.Errorf("prepare series: %w", err)
		}
		r.stmt = st
	}
	if err := r.stmt.QueryRowContext(ctx, addrBytes(ep.Addr), string(ep.Protocol), int(ep.Port), string(loc)).Scan(&id); err != nil {
		return 0, fmt.Errorf("series %s@%s: %w", ep, loc, err)
	}
	r.fresh[k] = id
	return id, nil
}

// publish moves the ids learnt in the committed transaction to the cache.
func (r *seriesResolver) publish() {
	r.d.mu.Lock()
	defer r.d.mu.Unlock()
	for k, id := range r.fresh {
		r.d.series[k] = id
	}
}

func insertObservations(ctx context.Context, tx *sql.Tx, ids *seriesResolver, obs []model.Observation) error {
	if len(obs) == 0 {
		return nil
	}
	st, err := tx.PrepareContext(ctx, `INSERT INTO observations
		(series_id, time, state, reason, rtt, service, source, origin, scan_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`)
	if err != nil {
		return fmt.Errorf("prepare observations: %w", err)
	}
	defer st.Close()
	for _, o := range obs {
		sid, err := ids.id(ctx, o.Endpoint, o.Location)
		if err != nil {
			return err
		}
		svc, err := serviceJSON(o.Service)
		if err != nil {
			return err
		}
		if _, err := st.ExecContext(ctx, sid, nanos(o.Time), string(o.State), string(o.Reason), int64(o.RTT),
			svc, string(o.Source), o.Origin, o.ScanID); err != nil {
			return fmt.Errorf("insert observation %s@%s: %w", o.Endpoint, o.Location, err)
		}
	}
	return nil
}

func upsertStates(ctx context.Context, tx *sql.Tx, ids *seriesResolver, states []model.EndpointState) error {
	if len(states) == 0 {
		return nil
	}
	st, err := tx.PrepareContext(ctx, `INSERT INTO states
		(series_id, state, reason, since, first_seen, last_seen, consecutive, last_rtt, service)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (series_id) DO UPDATE SET state = excluded.state, reason = excluded.reason,
			since = excluded.since, first_seen = excluded.first_seen, last_seen = excluded.last_seen,
			consecutive = excluded.consecutive, last_rtt = excluded.last_rtt, service = excluded.service`)
	if err != nil {
		return fmt.Errorf("prepare states: %w", err)
	}
	defer st.Close()
	for _, s := range states {
		sid, err := ids.id(ctx, s.Endpoint, s.Location)
		if err != nil {
			return err
		}
		svc, err := serviceJSON(s.Service)
		if err != nil {
			return err
		}
		if _, err := st.ExecContext(ctx, sid, string(s.State), string(s.Reason), nanos(s.Since), nanos(s.FirstSeen),
			nanos(s.LastSeen), s.Consecutive, int64(s.LastRTT), svc); err != nil {
			return fmt.Errorf("upsert state %s@%s: %w", s.Endpoint, s.Location, err)
		}
	}
	return nil
}

func insertChanges(ctx context.Context, tx *sql.Tx, ids *seriesResolver, changes []model.Change) error {
	if len(changes) == 0 {
		return nil
	}
	st, err := tx.PrepareContext(ctx, `INSERT INTO changes (series_id, time, kind, from_val, to_val) VALUES (?, ?, ?, ?, ?)`)
	if err != nil {
		return fmt.Errorf("prepare changes: %w", err)
	}
	defer st.Close()
	for _, c := range changes {
		sid, err := ids.id(ctx, c.Endpoint, c.Location)
		if err != nil {
			return err
		}
		if _, err := st.ExecContext(ctx, sid, nanos(c.Time), string(c.Kind), c.From, c.To); err != nil {
			return fmt.Errorf("insert change %s@%s: %w", c.Endpoint, c.Location, err)
		}
	}
	return nil
}
