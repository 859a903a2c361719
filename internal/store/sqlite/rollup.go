package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/portwatch/portwatch/internal/model"
	"github.com/portwatch/portwatch/internal/store"
)

// rollupTarget is one resolution and its table.
type rollupTarget struct {
	res   store.Resolution
	table string
}

// rollupTables lists each resolution with its table.
func rollupTables() []rollupTarget {
	return []rollupTarget{{store.Minute, "rollup_minute"}, {store.Hour, "rollup_hour"}}
}

func rollupTable(r store.Resolution) (string, error) {
	for _, t := range rollupTables() {
		if t.res == r {
			return t.table, nil
		}
	}
	return "", fmt.Errorf("unknown rollup resolution %v", time.Duration(r))
}

type bucketKey struct {
	series int64
	start  int64
}

// foldRollups aggregates obs per series and bucket in memory, then merges
// each aggregate into its stored row (read, merge, write) in tx.
func foldRollups(ctx context.Context, tx *sql.Tx, ids *seriesResolver, obs []model.Observation) error {
	if len(obs) == 0 {
		return nil
	}
	for _, rt := range rollupTables() {
		aggs := make(map[bucketKey]*store.Rollup)
		var order []bucketKey
		for _, o := range obs {
			sid, err := ids.id(ctx, o.Endpoint, o.Location)
			if err != nil {
				return err
			}
			k := bucketKey{series: sid, start: nanos(rt.res.BucketStart(o.Time))}
			a := aggs[k]
			if a == nil {
				a = &store.Rollup{}
				aggs[k] = a
				order = append(order, k)
			}
			a.Add(o)
		}
		if err := mergeRollups(ctx, tx, rt.table, order, aggs); err != nil {
			return err
		}
	}
	return nil
}

func mergeRollups(ctx context.Context, tx *sql.Tx, table string, order []bucketKey, aggs map[bucketKey]*store.Rollup) error {
	get, err := tx.PrepareContext(ctx, `SELECT count, up, max_rtt, sketch FROM `+table+` WHERE series_id = ? AND start = ?`)
	if err != nil {
		return fmt.Errorf("prepare %s read: %w", table, err)
	}
	defer get.Close()
	put, err := tx.PrepareContext(ctx, `INSERT OR REPLACE INTO `+table+` (series_id, start, count, up, max_rtt, sketch) VALUES (?, ?, ?, ?, ?, ?)`)
	if err != nil {
		return fmt.Errorf("prepare %s write: %w", table, err)
	}
	defer put.Close()
	for _, k := range order {
		a := aggs[k]
		old, err := scanRollup(get.QueryRowContext(ctx, k.series, k.start))
		switch {
		case errors.Is(err, sql.ErrNoRows):
		case err != nil:
			return fmt.Errorf("read %s: %w", table, err)
		default:
			a.Merge(old)
		}
		sk, err := a.Latency.MarshalBinary()
		if err != nil {
			return err
		}
		if _, err := put.ExecContext(ctx, k.series, k.start, a.Count, a.Up, int64(a.MaxRTT), sk); err != nil {
			return fmt.Errorf("write %s: %w", table, err)
		}
	}
	return nil
}

// scanRollup reads count, up, max_rtt, sketch.
func scanRollup(row interface{ Scan(...any) error }) (store.Rollup, error) {
	var r store.Rollup
	var maxRTT int64
	var sk []byte
	if err := row.Scan(&r.Count, &r.Up, &maxRTT, &sk); err != nil {
		return r, err
	}
	r.MaxRTT = time.Duration(maxRTT)
	if err := r.Latency.UnmarshalBinary(sk); err != nil {
		return r, err
	}
	return r, nil
}

// Rollups returns the stored buckets of one endpoint, oldest first.
func (d *DB) Rollups(ctx context.Context, q store.RollupQuery) ([]store.Rollup, error) {
	table, err := rollupTable(q.Resolution)
	if err != nil {
		return nil, err
	}
	w := where{}
	w.add(`s.addr = ? AND s.protocol = ? AND s.port = ? AND s.location = ?`,
		addrBytes(q.Endpoint.Addr), string(q.Endpoint.Protocol), int(q.Endpoint.Port), string(q.Location))
	if !q.From.IsZero() {
		w.add(`r.start >= ?`, nanos(q.Resolution.BucketStart(q.From)))
	}
	if !q.To.IsZero() {
		w.add(`r.start < ?`, nanos(q.To))
	}
	rows, err := d.db.QueryContext(ctx, `SELECT r.start, r.count, r.up, r.max_rtt, r.sketch FROM `+table+
		` r JOIN series s ON s.id = r.series_id`+w.String()+` ORDER BY r.start`, w.args...)
	if err != nil {
		return nil, fmt.Errorf("query %s: %w", table, err)
	}
	defer rows.Close()
	var out []store.Rollup
	for rows.Next() {
		var start int64
		var r store.Rollup
		var maxRTT int64
		var sk []byte
		if err := rows.Scan(&start, &r.Count, &r.Up, &maxRTT, &sk); err != nil {
			return nil, fmt.Errorf("scan %s: %w", table, err)
		}
		if err := r.Latency.UnmarshalBinary(sk); err != nil {
			return nil, fmt.Errorf("scan %s: %w", table, err)
		}
		r.Start, r.Resolution, r.MaxRTT = fromNanos(start), q.Resolution, time.Duration(maxRTT)
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("query %s: %w", table, err)
	}
	return out, nil
}
