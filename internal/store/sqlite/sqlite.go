// Package sqlite is the SQLite backend of store.Store, on the pure-Go
// modernc.org/sqlite driver: WAL journal, synchronous=NORMAL, a busy
// timeout, foreign keys on, and versioned migrations embedded in the
// binary and applied at Open.
package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"net/url"
	"sync"

	"github.com/portwatch/portwatch/internal/store"

	_ "modernc.org/sqlite" // registers the "sqlite" database/sql driver
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

var _ store.Store = (*DB)(nil)

// DB is a SQLite-backed store.Store.
type DB struct {
	db *sql.DB

	// series caches endpoint-at-location ids; only ids of committed rows
	// enter it, so a rolled-back transaction never leaves a stale id.
	mu     sync.Mutex
	series map[seriesKey]int64
}

// Open opens (creating if needed) the database file at path and applies
// pending migrations. A failing migration aborts with its file name.
func Open(ctx context.Context, path string) (*DB, error) {
	q := url.Values{}
	for _, p := range []string{"busy_timeout(10000)", "journal_mode(WAL)", "synchronous(NORMAL)", "foreign_keys(1)"} {
		q.Add("_pragma", p)
	}
	// Write transactions take the write lock at BEGIN, so two writers
	// wait on busy_timeout instead of failing to upgrade a read lock.
	q.Set("_txlock", "immediate")
	dsn := "file:" + (&url.URL{Path: path}).EscapedPath() + "?" + q.Encode()
	sdb, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	if err := sdb.PingContext(ctx); err != nil {
		sdb.Close()
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	ms, err := loadMigrations(migrationFiles, "migrations")
	if err == nil {
		err = migrate(ctx, sdb, ms)
	}
	if err != nil {
		sdb.Close()
		return nil, fmt.Errorf("sqlite %s: %w", path, err)
	}
	return &DB{db: sdb, series: make(map[seriesKey]int64)}, nil
}

// Close closes the database.
func (d *DB) Close() error {
	if err := d.db.Close(); err != nil {
		return fmt.Errorf("close sqlite: %w", err)
	}
	return nil
}

// Check runs SQLite's integrity check and returns an error unless it
// reports "ok".
func (d *DB) Check(ctx context.Context) error {
	var res string
	if err := d.db.QueryRowContext(ctx, `PRAGMA integrity_check`).Scan(&res); err != nil {
		return fmt.Errorf("integrity check: %w", err)
	}
	if res != "ok" {
		return fmt.Errorf("integrity check: %s", res)
	}
	return nil
}
