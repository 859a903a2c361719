package sqlite

import (
	"context"
	"database/sql"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
)

func rawDB(t *testing.T) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+filepath.Join(t.TempDir(), "m.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func TestMigrateInOrderOnce(t *testing.T) {
	ctx := context.Background()
	db := rawDB(t)
	fsys := fstest.MapFS{
		"m/0002_b.sql": {Data: []byte(`INSERT INTO a (v) VALUES ('second');`)},
		"m/0001_a.sql": {Data: []byte(`CREATE TABLE a (v TEXT); INSERT INTO a (v) VALUES ('first');`)},
		"m/README":     {Data: []byte(`not a migration`)},
	}
	ms, err := loadMigrations(fsys, "m")
	if err != nil {
		t.Fatal(err)
	}
	for range 2 { // the second run applies nothing
		if err := migrate(ctx, db, ms); err != nil {
			t.Fatal(err)
		}
	}
	var got string
	if err := db.QueryRow(`SELECT group_concat(v, ',') FROM a`).Scan(&got); err != nil {
		t.Fatal(err)
	}
	if got != "first,second" {
		t.Errorf("applied %q, want first,second", got)
	}
	var n int
	if err := db.QueryRow(`SELECT count(*) FROM schema_migrations`).Scan(&n); err != nil || n != 2 {
		t.Errorf("schema_migrations rows %d (%v), want 2", n, err)
	}
}

func TestMigrateFailureNamesFileAndRollsBack(t *testing.T) {
	ctx := context.Background()
	db := rawDB(t)
	fsys := fstest.MapFS{
		"m/0001_ok.sql":     {Data: []byte(`CREATE TABLE a (v TEXT);`)},
		"m/0002_broken.sql": {Data: []byte(`CREATE TABLE b (v TEXT); ALTER TABLE nope ADD COLUMN x;`)},
	}
	ms, err := loadMigrations(fsys, "m")
	if err != nil {
		t.Fatal(err)
	}
	err = migrate(ctx, db, ms)
	if err == nil || !strings.Contains(err.Error(), "0002_broken.sql") {
		t.Fatalf("error %v, want one naming 0002_broken.sql", err)
	}
	var n int
	if err := db.QueryRow(`SELECT count(*) FROM sqlite_master WHERE name = 'b'`).Scan(&n); err != nil || n != 0 {
		t.Errorf("table b of the failed migration exists (%d, %v)", n, err)
	}
	if err := db.QueryRow(`SELECT count(*) FROM schema_migrations`).Scan(&n); err != nil || n != 1 {
		t.Errorf("schema_migrations rows %d (%v), want 1", n, err)
	}
}

func TestLoadMigrationsRejectsBadNames(t *testing.T) {
	for name, fsys := range map[string]fstest.MapFS{
		"duplicate":  {"m/0001_a.sql": {}, "m/001_b.sql": {}},
		"unnumbered": {"m/init.sql": {}},
	} {
		if _, err := loadMigrations(fsys, "m"); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

func TestEmbeddedMigrationsLoad(t *testing.T) {
	ms, err := loadMigrations(migrationFiles, "migrations")
	if err != nil || len(ms) == 0 || ms[0].version != 1 {
		t.Fatalf("embedded migrations: %v %+v", err, ms)
	}
}
