package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/portwatch/portwatch/internal/model"
	"github.com/portwatch/portwatch/internal/store"
)

const findingQuery = `SELECT f.id, f.kind, f.severity, ` + endpointCols + `, f.rule, f.message, f.labels, f.opened, f.resolved, f.acked, f.acked_by
	FROM findings f JOIN series s ON s.id = f.series_id`

// OpenFinding opens f unless one with the same key is open; it returns
// the open finding and whether it was created by this call.
func (d *DB) OpenFinding(ctx context.Context, f model.Finding) (model.Finding, bool, error) {
	tx, err := d.db.BeginTx(ctx, nil)
	if err != nil {
		return f, false, fmt.Errorf("begin open finding: %w", err)
	}
	defer tx.Rollback() //nolint:errcheck // after Commit this is a no-op
	ids := newSeriesResolver(d, tx)
	sid, err := ids.id(ctx, f.Endpoint, f.Location)
	if err != nil {
		return f, false, err
	}
	var id int64
	err = tx.QueryRowContext(ctx, `SELECT id FROM findings WHERE kind = ? AND series_id = ? AND rule = ? AND resolved IS NULL`,
		string(f.Kind), sid, f.Rule).Scan(&id)
	switch {
	case err == nil:
		found, err := d.queryFindings(ctx, tx, where{conds: []string{"f.id = ?"}, args: []any{id}}, "")
		if err != nil {
			return f, false, err
		}
		if len(found) != 1 {
			return f, false, fmt.Errorf("open finding %d vanished", id)
		}
		return found[0], false, nil
	case !isNoRows(err):
		return f, false, fmt.Errorf("find open finding %s: %w", f.Kind, err)
	}
	var labels sql.NullString
	if len(f.Labels) > 0 {
		b, err := json.Marshal(f.Labels)
		if err != nil {
			return f, false, fmt.Errorf("encode finding labels: %w", err)
		}
		labels = sql.NullString{String: string(b), Valid: true}
	}
	err = tx.QueryRowContext(ctx, `INSERT INTO findings (kind, severity, series_id, rule, message, labels, opened)
		VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		string(f.Kind), string(f.Severity), sid, f.Rule, f.Message, labels, nanos(f.Opened)).Scan(&f.ID)
	if err != nil {
		return f, false, fmt.Errorf("insert finding %s %s: %w", f.Kind, f.Endpoint, err)
	}
	if err := tx.Commit(); err != nil {
		return f, false, fmt.Errorf("commit finding: %w", err)
	}
	ids.publish()
	f.Resolved = nil
	f.Opened = fromNanos(nanos(f.Opened))
	return f, true, nil
}

// keyWhere selects the open finding with key k.
func keyWhere(k model.FindingKey) where {
	w := where{}
	w.add(`f.kind = ? AND f.rule = ? AND f.resolved IS NULL`, string(k.Kind), k.Rule)
	w.addEndpoint(k.Endpoint)
	w.add(`s.location = ?`, string(k.Location))
	return w
}

// GetOpenFinding returns the open finding with key k, or store.ErrNotFound.
func (d *DB) GetOpenFinding(ctx context.Context, k model.FindingKey) (model.Finding, error) {
	found, err := d.queryFindings(ctx, d.db, keyWhere(k), "")
	if err != nil {
		return model.Finding{}, err
	}
	if len(found) == 0 {
		return model.Finding{}, fmt.Errorf("open finding %s %s: %w", k.Kind, k.Endpoint, store.ErrNotFound)
	}
	return found[0], nil
}

// ResolveFinding resolves the open finding with key k at time at and
// reports whether there was one.
func (d *DB) ResolveFinding(ctx context.Context, k model.FindingKey, at time.Time) (bool, error) {
	r, err := d.db.ExecContext(ctx, `UPDATE findings SET resolved = ? WHERE resolved IS NULL AND kind = ? AND rule = ?
		AND series_id = (SELECT id FROM series WHERE addr = ? AND protocol = ? AND port = ? AND location = ?)`,
		nanos(at), string(k.Kind), k.Rule, addrBytes(k.Endpoint.Addr), string(k.Endpoint.Protocol), int(k.Endpoint.Port), string(k.Location))
	if err != nil {
		return false, fmt.Errorf("resolve finding %s %s: %w", k.Kind, k.Endpoint, err)
	}
	n, err := r.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("resolve finding %s %s: %w", k.Kind, k.Endpoint, err)
	}
	return n > 0, nil
}

// ListFindings returns findings, newest opened first.
func (d *DB) ListFindings(ctx context.Context, f store.FindingFilter) ([]model.Finding, error) {
	w := where{}
	if f.OpenOnly {
		w.add(`f.resolved IS NULL`)
	}
	if f.Severity != "" {
		w.add(`f.severity = ?`, string(f.Severity))
	}
	if f.Location != "" {
		w.add(`s.location = ?`, string(f.Location))
	}
	if f.Addr.IsValid() {
		w.add(`s.addr = ?`, addrBytes(f.Addr))
	}
	if f.Endpoint != nil {
		w.addEndpoint(*f.Endpoint)
	}
	if f.ID != 0 {
		w.add(`f.id = ?`, f.ID)
	}
	if f.Kind != "" {
		w.add(`f.kind = ?`, string(f.Kind))
	}
	if f.ResolvedOnly {
		w.add(`f.resolved IS NOT NULL`)
	}
	switch f.Acked {
	case store.AckedYes:
		w.add(`f.acked IS NOT NULL`)
	case store.AckedNo:
		w.add(`f.acked IS NULL`)
	}
	return d.queryFindings(ctx, d.db, w, ` ORDER BY f.opened DESC, f.id DESC`+limitClause(f.Limit, f.Offset))
}

// querier is what *sql.DB and *sql.Tx share.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

func (d *DB) queryFindings(ctx context.Context, q querier, w where, tail string) ([]model.Finding, error) {
	rows, err := q.QueryContext(ctx, findingQuery+w.String()+tail, w.args...)
	if err != nil {
		return nil, fmt.Errorf("query findings: %w", err)
	}
	defer rows.Close()
	var out []model.Finding
	for rows.Next() {
		var (
			f                     model.Finding
			kind, sev, proto, loc string
			addr                  []byte
			port                  int
			labels                sql.NullString
			opened                int64
			resolved, acked       sql.NullInt64
			ackedBy               sql.NullString
		)
		if err := rows.Scan(&f.ID, &kind, &sev, &addr, &proto, &port, &loc, &f.Rule, &f.Message, &labels, &opened, &resolved, &acked, &ackedBy); err != nil {
			return nil, fmt.Errorf("scan finding: %w", err)
		}
		if f.Endpoint, f.Location, err = scanEndpoint(addr, proto, port, loc); err != nil {
			return nil, err
		}
		f.Kind, f.Severity, f.Opened = model.FindingKind(kind), model.Severity(sev), fromNanos(opened)
		if labels.Valid {
			if err := json.Unmarshal([]byte(labels.String), &f.Labels); err != nil {
				return nil, fmt.Errorf("decode finding %d labels: %w", f.ID, err)
			}
		}
		if resolved.Valid {
			t := fromNanos(resolved.Int64)
			f.Resolved = &t
		}
		if acked.Valid {
			t := fromNanos(acked.Int64)
			f.Acked, f.AckedBy = &t, ackedBy.String
		}
		out = append(out, f)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("query findings: %w", err)
	}
	return out, nil
}
