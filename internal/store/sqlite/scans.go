package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"

	"github.com/portwatch/portwatch/internal/model"
	"github.com/portwatch/portwatch/internal/scan"
	"github.com/portwatch/portwatch/internal/store"
)

// AddScan stores rec (its Result as JSON) and returns the new ID.
func (d *DB) AddScan(ctx context.Context, rec model.ScanRecord) (int64, error) {
	var res sql.NullString
	if rec.Result != nil {
		b, err := json.Marshal(rec.Result)
		if err != nil {
			return 0, fmt.Errorf("encode scan result: %w", err)
		}
		res = sql.NullString{String: string(b), Valid: true}
	}
	var id int64
	err := d.db.QueryRowContext(ctx, `INSERT INTO scans (job, started, finished, result) VALUES (?, ?, ?, ?) RETURNING id`,
		rec.Job, nanos(rec.Started), nanos(rec.Finished), res).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("insert scan %q: %w", rec.Job, err)
	}
	return id, nil
}

// GetScan returns scan id with its result, or store.ErrNotFound.
func (d *DB) GetScan(ctx context.Context, id int64) (model.ScanRecord, error) {
	var (
		rec               model.ScanRecord
		started, finished int64
		res               sql.NullString
	)
	err := d.db.QueryRowContext(ctx, `SELECT id, job, started, finished, result FROM scans WHERE id = ?`, id).
		Scan(&rec.ID, &rec.Job, &started, &finished, &res)
	if isNoRows(err) {
		return rec, fmt.Errorf("scan %d: %w", id, store.ErrNotFound)
	}
	if err != nil {
		return rec, fmt.Errorf("get scan %d: %w", id, err)
	}
	rec.Started, rec.Finished = fromNanos(started), fromNanos(finished)
	if res.Valid {
		rec.Result = new(scan.Result)
		if err := json.Unmarshal([]byte(res.String), rec.Result); err != nil {
			return rec, fmt.Errorf("decode scan %d result: %w", id, err)
		}
	}
	return rec, nil
}

// ListScans returns scans newest first, without results.
func (d *DB) ListScans(ctx context.Context, f store.ScanFilter) ([]model.ScanRecord, error) {
	w := where{}
	if f.Job != "" {
		w.add(`job = ?`, f.Job)
	}
	rows, err := d.db.QueryContext(ctx, `SELECT id, job, started, finished FROM scans`+w.String()+
		` ORDER BY started DESC, id DESC`+limitClause(f.Limit, f.Offset), w.args...)
	if err != nil {
		return nil, fmt.Errorf("query scans: %w", err)
	}
	defer rows.Close()
	var out []model.ScanRecord
	for rows.Next() {
		var rec model.ScanRecord
		var started, finished int64
		if err := rows.Scan(&rec.ID, &rec.Job, &started, &finished); err != nil {
			return nil, fmt.Errorf("scan scans: %w", err)
		}
		rec.Started, rec.Finished = fromNanos(started), fromNanos(finished)
		out = append(out, rec)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("query scans: %w", err)
	}
	return out, nil
}
