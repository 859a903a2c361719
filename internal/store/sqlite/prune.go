package sqlite

import (
	"context"
	"fmt"
	"time"

	"github.com/portwatch/portwatch/internal/store"
)

// pruneChunk bounds the rows one prune transaction deletes, so the
// Writer never waits long for the write lock.
const pruneChunk = 5000

// Prune deletes observations and rollups older than the policy's windows,
// in transactions of at most pruneChunk rows.
func (d *DB) Prune(ctx context.Context, now time.Time, p store.RetentionPolicy) (store.PruneResult, error) {
	var res store.PruneResult
	for _, job := range []struct {
		table  string
		key    string // the row identity for the chunked delete
		cols   string // the same columns, as a select list
		column string
		window time.Duration
		count  *int64
	}{
		{"observations", "id", "id", "time", p.Raw, &res.Observations},
		{"rollup_minute", "(series_id, start)", "series_id, start", "start", p.Minute, &res.MinuteRollups},
		{"rollup_hour", "(series_id, start)", "series_id, start", "start", p.Hour, &res.HourRollups},
	} {
		if job.window <= 0 {
			continue
		}
		cut := nanos(now.Add(-job.window))
		q := fmt.Sprintf(`DELETE FROM %[1]s WHERE %[2]s IN (SELECT %[3]s FROM %[1]s WHERE %[4]s < ? LIMIT %[5]d)`,
			job.table, job.key, job.cols, job.column, pruneChunk)
		for {
			r, err := d.db.ExecContext(ctx, q, cut)
			if err != nil {
				return res, fmt.Errorf("prune %s: %w", job.table, err)
			}
			n, err := r.RowsAffected()
			if err != nil {
				return res, fmt.Errorf("prune %s: %w", job.table, err)
			}
			*job.count += n
			if n < pruneChunk {
				break
			}
		}
	}
	return res, nil
}
