package schedule

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestEveryFirstIsOnTheJobsGridAndSpread(t *testing.T) {
	const d = 10 * time.Second
	now := time.Unix(1_700_000_000, 123456789)
	tm := Every(d)
	perSecond := make([]int, 10)
	for i := range 1000 {
		id := fmt.Sprintf("monitor-%d", i)
		first := tm.First(now, id)
		if first.Before(now) || !first.Before(now.Add(d)) {
			t.Fatalf("%s: first %v not in [now, now+%v)", id, first, d)
		}
		if again := tm.First(now.Add(3*d+time.Millisecond), id); again.Sub(first)%d != 0 {
			t.Fatalf("%s: phase moved: %v then %v", id, first, again)
		}
		if tm.First(first, id) != first {
			t.Fatalf("%s: First at a due time must return it", id)
		}
		perSecond[first.Sub(now)/time.Second]++
	}
	for s, n := range perSecond {
		if n < 50 || n > 150 {
			t.Errorf("second %d of the interval holds %d of 1000 jobs; phases are not spread: %v", s, n, perSecond)
		}
	}
}

// minutely is a Calendar firing at every whole minute.
type minutely struct{}

func (minutely) Next(t time.Time) time.Time { return t.Truncate(time.Minute).Add(time.Minute) }
func (minutely) String() string             { return "* * * * *" }

func TestCronTimingKeepsItsOffset(t *testing.T) {
	now := time.Date(2026, 11, 21, 10, 0, 30, 0, time.UTC)
	tm := Cron(minutely{})
	first := tm.First(now, "job")
	off := first.Sub(first.Truncate(time.Minute))
	if first.Before(now) || off >= CronJitter || first.Sub(now) > time.Minute+CronJitter {
		t.Fatalf("first firing %v (offset %v) from %v", first, off, now)
	}
	next := tm.Next(first)
	if next.Sub(first) != time.Minute {
		t.Fatalf("next %v after %v, want one minute later", next, first)
	}
}

// recorder collects the runs of one job.
type recorder struct {
	mu   sync.Mutex
	runs []Run
}

func (r *recorder) add(run Run) {
	r.mu.Lock()
	r.runs = append(r.runs, run)
	r.mu.Unlock()
}

func (r *recorder) snapshot() []Run {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Run(nil), r.runs...)
}

func (r *recorder) waitFor(t *testing.T, n int) []Run {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if runs := r.snapshot(); len(runs) >= n {
			return runs
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatalf("only %d runs of %d after 10 s", len(r.snapshot()), n)
	return nil
}

// start runs a scheduler with jobs; stop cancels it and returns Run's
// error once it has returned (it may be called more than once).
func start(t *testing.T, opts Options, jobs ...Job) (s *Scheduler, stop func() error) {
	t.Helper()
	s = New(opts)
	ctx, cancel := context.WithCancel(context.Background())
	var err error
	done := make(chan struct{})
	go func() {
		err = s.Run(ctx)
		close(done)
	}()
	if err := s.Set(ctx, jobs); err != nil {
		t.Fatal(err)
	}
	stop = func() error {
		cancel()
		<-done
		return err
	}
	t.Cleanup(func() { stop() })
	return s, stop
}

// checkAccounted checks that consecutive runs' due times are whole
// intervals apart and that every skipped grid point is counted in Missed.
func checkAccounted(t *testing.T, runs []Run, d time.Duration) {
	t.Helper()
	for i := 1; i < len(runs); i++ {
		gap := runs[i].Due.Sub(runs[i-1].Due)
		if gap%d != 0 || gap <= 0 {
			t.Fatalf("run %d due %v after run %d: not on the %v grid", i, gap, i-1, d)
		}
		if got := int(gap/d) - 1; got != runs[i-1].Missed {
			t.Fatalf("run %d: %d due times passed between it and run %d, which counts Missed=%d", i, got, i-1, runs[i-1].Missed)
		}
		if runs[i].Lag != runs[i].Started.Sub(runs[i].Due) && runs[i].Lag != 0 {
			t.Fatalf("run %d: lag %v is not started-due", i, runs[i].Lag)
		}
	}
}

func TestRunsAreDriftFree(t *testing.T) {
	const d = 20 * time.Millisecond
	var rec recorder
	_, _ = start(t, Options{}, Job{ID: "a", Timing: Every(d), Run: func(_ context.Context, r Run) {
		rec.add(r)
		time.Sleep(5 * time.Millisecond) // work does not push the schedule
	}})
	runs := rec.waitFor(t, 10)
	checkAccounted(t, runs, d)
	if runs[0].Due.UnixNano()%int64(d) != int64(time.Duration(hash("a")%uint64(d))) {
		t.Errorf("first run due %v is off the job's phase", runs[0].Due)
	}
}

func TestBusyJobRunsLateAndCountsWhatItMissed(t *testing.T) {
	const d = 10 * time.Millisecond
	var rec recorder
	s, _ := start(t, Options{}, Job{ID: "slow", Timing: Every(d), Run: func(_ context.Context, r Run) {
		rec.add(r)
		time.Sleep(35 * time.Millisecond) // longer than three intervals
	}})
	runs := rec.waitFor(t, 5)
	checkAccounted(t, runs, d)
	var missed int
	for _, r := range runs[1:] {
		missed += r.Missed
		if r.Lag <= 0 {
			t.Errorf("run due %v started late but records no lag", r.Due)
		}
	}
	if missed == 0 {
		t.Fatal("a job busy for 3.5 intervals missed no due time")
	}
	if st := s.Stats().Snapshot(); st.Missed < uint64(missed) || st.Runs < uint64(len(runs)) {
		t.Errorf("stats %+v do not account for %d runs and %d missed", st, len(runs), missed)
	}
}

func TestMaxConcurrentBoundsRunsAndShowsAsLag(t *testing.T) {
	const limit = 3
	var cur, peak atomic.Int64
	var lagged atomic.Int64
	var total atomic.Int64
	var jobs []Job
	for i := range 40 {
		jobs = append(jobs, Job{ID: fmt.Sprint("j", i), Timing: Every(20 * time.Millisecond), Run: func(_ context.Context, r Run) {
			n := cur.Add(1)
			for {
				p := peak.Load()
				if n <= p || peak.CompareAndSwap(p, n) {
					break
				}
			}
			if r.Lag > 5*time.Millisecond {
				lagged.Add(1)
			}
			time.Sleep(2 * time.Millisecond)
			cur.Add(-1)
			total.Add(1)
		}})
	}
	s, _ := start(t, Options{MaxConcurrent: limit}, jobs...)
	deadline := time.Now().Add(10 * time.Second)
	for total.Load() < 200 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	if p := peak.Load(); p > limit {
		t.Fatalf("%d runs at once, limit %d", p, limit)
	}
	if lagged.Load() == 0 {
		t.Error("40 jobs of 2 ms every 20 ms through 3 slots never lagged")
	}
	if st := s.Stats().Snapshot(); st.LagMax <= 0 || st.Jobs != 40 {
		t.Errorf("stats %+v", st)
	}
}

func TestSetKeepsUnchangedJobsAndDropsRemovedOnes(t *testing.T) {
	const d = 15 * time.Millisecond
	var a, b, c recorder
	job := func(id string, r *recorder) Job {
		return Job{ID: id, Timing: Every(d), Run: func(_ context.Context, run Run) { r.add(run) }}
	}
	s, stop := start(t, Options{}, job("a", &a), job("b", &b))
	a.waitFor(t, 3)
	b.waitFor(t, 3)
	if err := s.Set(context.Background(), []Job{job("a", &a), job("c", &c)}); err != nil {
		t.Fatal(err)
	}
	bAfterSet := len(b.snapshot())
	c.waitFor(t, 3)
	runsA := a.waitFor(t, 8)
	stop()
	checkAccounted(t, runsA, d) // the reload did not move a's grid
	if n := len(b.snapshot()); n > bAfterSet+1 {
		t.Errorf("removed job b ran %d more times after Set", n-bAfterSet)
	}
	if err := s.Set(context.Background(), []Job{job("x", &a), job("x", &b)}); err == nil {
		t.Error("duplicate IDs accepted")
	}
}

func TestRunWaitsForRunsInProgressAndCancelsThem(t *testing.T) {
	started := make(chan struct{})
	var sawCancel atomic.Bool
	_, stop := start(t, Options{}, Job{ID: "long", Timing: Every(10 * time.Millisecond), Run: func(ctx context.Context, _ Run) {
		select {
		case started <- struct{}{}:
		default:
		}
		<-ctx.Done()
		time.Sleep(20 * time.Millisecond)
		sawCancel.Store(true)
	}})
	<-started
	if err := stop(); err != context.Canceled {
		t.Fatalf("Run returned %v", err)
	}
	if !sawCancel.Load() {
		t.Fatal("Run returned before the run in progress ended")
	}
}

func TestHistogramQuantiles(t *testing.T) {
	h := NewHistogram()
	if h.Quantile(0.99) != 0 {
		t.Fatal("empty histogram has a quantile")
	}
	for i := 1; i <= 1000; i++ {
		h.Observe(time.Duration(i) * time.Millisecond)
	}
	for _, c := range []struct {
		q    float64
		want time.Duration
	}{{0.5, 500 * time.Millisecond}, {0.99, 990 * time.Millisecond}, {1, time.Second}} {
		got := h.Quantile(c.q)
		if got < c.want || float64(got) > float64(c.want)*1.1 {
			t.Errorf("q%.2f = %v, want %v within 10%%", c.q, got, c.want)
		}
	}
	if h.Max() != time.Second || h.Count() != 1000 {
		t.Errorf("max %v count %d", h.Max(), h.Count())
	}
}

func TestImmediatelyRunsAtOnceThenJoinsTheGrid(t *testing.T) {
	const d = 40 * time.Millisecond
	var rec recorder
	setAt := time.Now()
	_, _ = start(t, Options{}, Job{ID: "now", Timing: Every(d), Immediately: true, Run: func(_ context.Context, r Run) { rec.add(r) }})
	runs := rec.waitFor(t, 4)
	if runs[0].Due.Sub(setAt) > d/2 {
		t.Errorf("first run due %v after Set, want at once", runs[0].Due.Sub(setAt))
	}
	if gap := runs[1].Due.Sub(runs[0].Due); gap < d/2 || gap > d*3/2 {
		t.Errorf("second run %v after the immediate one, want within [d/2, 3d/2]", gap)
	}
	phase := time.Duration(hash("now") % uint64(d))
	for _, r := range runs[1:] {
		if time.Duration(r.Due.UnixNano())%d != phase {
			t.Fatalf("run due %v is off the job's grid", r.Due)
		}
	}
	checkAccounted(t, runs[1:], d)
}
