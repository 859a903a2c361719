package sqlite

import (
	"context"
	"flag"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/portwatch/portwatch/internal/model"
	"github.com/portwatch/portwatch/internal/scan"
	"github.com/portwatch/portwatch/internal/store"
)

var growthChecks = flag.Int("store.growth", 0, "measure storage growth by writing this many observations through the Writer (0 skips)")

// TestStorageGrowth writes -store.growth observations of 10,000 TCP
// endpoints (100 hosts × 100 ports, every endpoint checked every 10 s,
// each observation with its state upsert, as the daemon does) and reports
// the database bytes per observation and the write rate. Off by default:
//
//	go test -run TestStorageGrowth -store.growth=1000000 -v ./internal/store/sqlite
func TestStorageGrowth(t *testing.T) {
	if *growthChecks <= 0 {
		t.Skip("set -store.growth=N to measure")
	}
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "growth.db")
	db, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	const hosts, ports = 100, 100
	eps := make([]model.Endpoint, 0, hosts*ports)
	for h := range hosts {
		for p := range ports {
			eps = append(eps, model.Endpoint{Addr: netip.AddrFrom4([4]byte{198, 18, byte(h / 256), byte(h%256 + 1)}), Protocol: scan.TCP, Port: uint16(8000 + p)})
		}
	}
	start := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	w := store.NewWriter(db, store.WriterOptions{})
	began := time.Now()
	for i := range *growthChecks {
		e := eps[i%len(eps)]
		at := start.Add(time.Duration(i/len(eps))*10*time.Second + time.Duration(i%len(eps))*time.Millisecond)
		st, reason, rtt := scan.Open, scan.ReasonSynAck, time.Duration(200+i%800)*time.Microsecond
		if e.Port%10 == 0 {
			st, reason, rtt = scan.Closed, scan.ReasonConnRefused, 0
		}
		o := model.Observation{Endpoint: e, Location: model.LocalLocation, Time: at, State: st, Reason: reason, RTT: rtt,
			Source: model.SourceMonitor, Origin: fmt.Sprintf("mon-%d", i%len(eps))}
		s := model.EndpointState{Endpoint: e, Location: model.LocalLocation, State: st, Reason: reason, Since: start,
			FirstSeen: start, LastSeen: at, Consecutive: i/len(eps) + 1, LastRTT: rtt}
		if err := w.Submit(ctx, store.Batch{Observations: []model.Observation{o}, States: []model.EndpointState{s}}); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	elapsed := time.Since(began)
	if _, err := db.db.ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
		t.Fatal(err)
	}
	logTableSizes(ctx, t, db, *growthChecks)
	var size int64
	for _, f := range []string{path, path + "-wal"} {
		if fi, err := os.Stat(f); err == nil {
			size += fi.Size()
		}
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	n := float64(*growthChecks)
	t.Logf("%d observations of %d endpoints: %.1f MB, %.0f bytes/observation (%.0f MB per million), %.0f observations/s (%v, %d batches)",
		*growthChecks, len(eps), float64(size)/1e6, float64(size)/n, float64(size)/n, n/elapsed.Seconds(), elapsed.Round(time.Millisecond), w.Stats().Batches)
}

// logTableSizes logs each table's and index's bytes per observation when
// the driver has the dbstat virtual table.
func logTableSizes(ctx context.Context, t *testing.T, db *DB, n int) {
	rows, err := db.db.QueryContext(ctx, `SELECT name, sum(pgsize) FROM dbstat GROUP BY name ORDER BY 2 DESC`)
	if err != nil {
		t.Logf("no per-table sizes: %v", err)
		return
	}
	defer rows.Close()
	for rows.Next() {
		var name string
		var size int64
		if err := rows.Scan(&name, &size); err != nil {
			t.Fatal(err)
		}
		t.Logf("  %-28s %8.1f MB %6.1f bytes/observation", name, float64(size)/1e6, float64(size)/float64(n))
	}
}
