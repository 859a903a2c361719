package storetest

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/portwatch/portwatch/internal/model"
	"github.com/portwatch/portwatch/internal/scan"
	"github.com/portwatch/portwatch/internal/store"
)

// childEnv tells a re-executed test binary to act as the writer that the
// kill scenario SIGKILLs; its value is the DSN to write to.
const childEnv = "PORTWATCH_STORETEST_KILL_CHILD"

// Durability opens a backend by location, so a store can be closed and
// reopened, and opened from a child process.
type Durability struct {
	// NewDSN returns the location of a new, empty store.
	NewDSN func(t *testing.T) string
	// Open opens the store at dsn, creating or migrating it as needed.
	Open func(ctx context.Context, dsn string) (store.Store, error)
}

// checker is implemented by backends that can verify their files.
type checker interface {
	Check(ctx context.Context) error
}

// RunDurability runs the restart scenarios. Call it from its own
// top-level test function: the kill scenario re-executes the test binary
// with -test.run set to that function, and RunDurability then becomes
// the child writer.
func RunDurability(t *testing.T, d Durability) {
	if dsn := os.Getenv(childEnv); dsn != "" {
		killChild(d, dsn)
		return
	}
	t.Run("ReopenKeepsEverything", func(t *testing.T) { testReopen(t, d) })
	t.Run("SIGKILLLosesNothingCommitted", func(t *testing.T) {
		if testing.Short() {
			t.Skip("re-executes the test binary; skipped with -short")
		}
		testKill(t, d)
	})
}

func openT(t *testing.T, d Durability, dsn string) store.Store {
	t.Helper()
	s, err := d.Open(ctxT(t), dsn)
	if err != nil {
		t.Fatalf("open %s: %v", dsn, err)
	}
	if c, ok := s.(checker); ok {
		must(t, c.Check(ctxT(t)))
	}
	return s
}

func testReopen(t *testing.T, d Durability) {
	ctx := ctxT(t)
	dsn := d.NewDSN(t)
	s := openT(t, d, dsn)
	a := ep("198.18.0.11", 22)
	w := store.NewWriter(s, store.WriterOptions{})
	o := obs(a, epoch(), scan.Open, time.Millisecond)
	st := state(a, model.LocalLocation, scan.Open, 1)
	ch := model.Change{Endpoint: a, Location: model.LocalLocation, Time: epoch(), Kind: model.ChangeOpened, To: "open"}
	must(t, w.Submit(ctx, store.Batch{Observations: []model.Observation{o}, States: []model.EndpointState{st}, Changes: []model.Change{ch}}))
	must(t, w.Close()) // flushes
	f, _, err := s.OpenFinding(ctx, model.Finding{Kind: model.FindingForbiddenPort, Severity: model.SeverityCritical, Endpoint: a,
		Location: model.LocalLocation, Rule: "r", Message: "m", Opened: epoch()})
	must(t, err)
	scanID, err := s.AddScan(ctx, model.ScanRecord{Job: "j", Started: epoch(), Finished: epoch(), Result: &scan.Result{Scanner: "x"}})
	must(t, err)
	must(t, s.Close())

	for round := range 2 { // the second open must find the schema current
		s = openT(t, d, dsn)
		obsGot, err := s.ListObservations(ctx, store.ObservationFilter{})
		must(t, err)
		equal(t, fmt.Sprintf("observations after reopen %d", round), obsGot, []model.Observation{o})
		stGot, err := s.GetState(ctx, a, model.LocalLocation)
		must(t, err)
		equal(t, "state after reopen", stGot, st)
		chGot, err := s.ListChanges(ctx, store.ChangeFilter{})
		must(t, err)
		if len(chGot) != 1 || chGot[0].Kind != ch.Kind {
			t.Errorf("changes after reopen: %+v", chGot)
		}
		fGot, err := s.GetOpenFinding(ctx, f.Key())
		must(t, err)
		equal(t, "finding after reopen", fGot, f)
		scGot, err := s.GetScan(ctx, scanID)
		must(t, err)
		if scGot.Result == nil || scGot.Result.Scanner != "x" {
			t.Errorf("scan after reopen: %+v", scGot)
		}
		r, err := s.Rollups(ctx, store.RollupQuery{Endpoint: a, Location: model.LocalLocation, Resolution: store.Hour})
		must(t, err)
		if len(r) != 1 || r[0].Count != 1 {
			t.Errorf("rollups after reopen: %+v", r)
		}
		must(t, s.Close())
	}
}

// killChild writes forever: batch i holds observation i, the state that
// has seen i+1 checks and, every tenth, a change; after each Flush it
// prints how many batches are committed. The parent kills it.
func killChild(d Durability, dsn string) {
	ctx := context.Background()
	s, err := d.Open(ctx, dsn)
	if err != nil {
		fmt.Fprintln(os.Stderr, "child open:", err)
		os.Exit(3)
	}
	w := store.NewWriter(s, store.WriterOptions{MaxBatch: 64, MaxDelay: 5 * time.Millisecond})
	a := ep("198.18.0.11", 22)
	for i := 0; ; i++ {
		b := killBatch(a, i)
		if err := w.Submit(ctx, b); err != nil {
			fmt.Fprintln(os.Stderr, "child submit:", err)
			os.Exit(3)
		}
		if i%200 == 199 {
			if err := w.Flush(ctx); err != nil {
				fmt.Fprintln(os.Stderr, "child flush:", err)
				os.Exit(3)
			}
			fmt.Printf("committed %d\n", i+1)
		}
	}
}

func killBatch(a model.Endpoint, i int) store.Batch {
	o := obs(a, epoch().Add(time.Duration(i)*time.Second), scan.Open, time.Millisecond)
	b := store.Batch{Observations: []model.Observation{o}, States: []model.EndpointState{{Endpoint: a, Location: o.Location,
		State: scan.Open, Reason: o.Reason, Since: epoch(), FirstSeen: epoch(), LastSeen: o.Time, Consecutive: i + 1}}}
	if i%10 == 0 {
		b.Changes = []model.Change{{Endpoint: a, Location: o.Location, Time: o.Time, Kind: model.ChangeOpened, To: strconv.Itoa(i)}}
	}
	return b
}

func testKill(t *testing.T, d Durability) {
	dsn := d.NewDSN(t)
	// Create the schema first so the child starts writing at once.
	s := openT(t, d, dsn)
	must(t, s.Close())

	top, _, _ := strings.Cut(t.Name(), "/")
	cmd := exec.Command(os.Args[0], "-test.run=^"+top+"$", "-test.count=1")
	cmd.Env = append(os.Environ(), childEnv+"="+dsn)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	must(t, err)
	must(t, cmd.Start())
	// Every "committed N" line the child printed before dying is a
	// promise: N batches are durable. Read them all, including those
	// still in the pipe after the kill.
	var committed atomic.Int64
	readerDone := make(chan struct{})
	go func() {
		defer close(readerDone)
		lines := bufio.NewScanner(out)
		for lines.Scan() {
			if n, ok := strings.CutPrefix(lines.Text(), "committed "); ok {
				if v, err := strconv.ParseInt(n, 10, 64); err == nil {
					committed.Store(v)
				}
			}
		}
	}()
	deadline := time.Now().Add(60 * time.Second)
	for committed.Load() < 1000 && time.Now().Before(deadline) {
		time.Sleep(2 * time.Millisecond)
	}
	// Let it run on a little so the kill lands mid-transaction, not at a
	// flush boundary.
	time.Sleep(30 * time.Millisecond)
	must(t, cmd.Process.Kill())
	<-readerDone
	_ = cmd.Wait() // "signal: killed" is the expected outcome
	if committed.Load() == 0 {
		t.Fatal("the child reported no commit before the deadline")
	}

	ctx := ctxT(t)
	s = openT(t, d, dsn)
	defer s.Close()
	got, err := s.ListObservations(ctx, store.ObservationFilter{})
	must(t, err)
	if int64(len(got)) < committed.Load() {
		t.Fatalf("after SIGKILL: %d observations, the child had committed %d", len(got), committed.Load())
	}
	for i, o := range got {
		if !o.Time.Equal(epoch().Add(time.Duration(i) * time.Second)) {
			t.Fatalf("observation %d has time %v: a gap or a duplicate", i, o.Time)
		}
	}
	// The state, changes and rollups were committed with the observations,
	// so they must agree with them exactly.
	a := ep("198.18.0.11", 22)
	st, err := s.GetState(ctx, a, model.LocalLocation)
	must(t, err)
	if st.Consecutive != len(got) {
		t.Errorf("state says %d checks, %d observations survived", st.Consecutive, len(got))
	}
	ch, err := s.ListChanges(ctx, store.ChangeFilter{})
	must(t, err)
	if want := (len(got) + 9) / 10; len(ch) != want {
		t.Errorf("%d changes survived, want %d for %d observations", len(ch), want, len(got))
	}
	hours, err := s.Rollups(ctx, store.RollupQuery{Endpoint: a, Location: model.LocalLocation, Resolution: store.Hour})
	must(t, err)
	var n int64
	for _, h := range hours {
		n += h.Count
	}
	if n != int64(len(got)) {
		t.Errorf("hour rollups count %d checks, %d observations survived", n, len(got))
	}
	t.Logf("child committed at least %d batches before SIGKILL; %d survived", committed.Load(), len(got))
}
