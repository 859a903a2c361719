package schedule

import (
	"container/heap"
	"context"
	"errors"
	"fmt"
	"sync"
	"time"
)

// Job is one recurring piece of work.
type Job struct {
	// ID identifies the job; unique within a scheduler.
	ID     string
	Timing Timing
	// Run does the work. It must return soon after ctx ends.
	Run func(ctx context.Context, r Run)
	// Immediately makes a job new to the scheduler due at once; it then
	// joins its grid, skipping a grid point less than half an interval
	// away (a discovery job that never ran should not wait an hour).
	Immediately bool
}

// Run describes one run to the job.
type Run struct {
	Due     time.Time     // when the run was due
	Started time.Time     // when it started
	Lag     time.Duration // Started - Due, never negative
	// Missed counts the due times after Due that passed while the job was
	// still busy and were folded into this run (the next run is due at
	// the first grid point after them).
	Missed int
}

// Options tunes a Scheduler.
type Options struct {
	// MaxConcurrent bounds the runs in progress at once (default 256).
	MaxConcurrent int
	// Now is the clock (default time.Now); tests may replace it.
	Now func() time.Time
}

// Scheduler runs jobs. Create it with New, give it jobs with Set, and run
// it with Run; Set may be called again at any time (a config reload).
type Scheduler struct {
	opts  Options
	setc  chan setRequest
	donec chan *entry
	stats *Stats
}

type setRequest struct {
	jobs []Job
	done chan error
}

// New returns a scheduler without jobs.
func New(opts Options) *Scheduler {
	if opts.MaxConcurrent <= 0 {
		opts.MaxConcurrent = 256
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &Scheduler{
		opts:  opts,
		setc:  make(chan setRequest),
		donec: make(chan *entry, opts.MaxConcurrent),
		stats: newStats(),
	}
}

// ErrStopped is returned by Set once Run has returned.
var ErrStopped = errors.New("schedule: scheduler stopped")

// Set replaces the job set. Jobs whose ID and timing are unchanged keep
// their next due time (and pick up the new Run function); removed jobs
// run no more (a run in progress finishes); new jobs get their first due
// time. It fails on duplicate IDs without changing anything, and blocks
// until Run has taken the new set (or ctx ends).
func (s *Scheduler) Set(ctx context.Context, jobs []Job) error {
	seen := make(map[string]bool, len(jobs))
	for _, j := range jobs {
		if j.ID == "" || j.Timing == nil || j.Run == nil {
			return fmt.Errorf("schedule: job %q lacks an ID, a timing or a run function", j.ID)
		}
		if seen[j.ID] {
			return fmt.Errorf("schedule: duplicate job ID %q", j.ID)
		}
		seen[j.ID] = true
	}
	req := setRequest{jobs: jobs, done: make(chan error, 1)}
	select {
	case s.setc <- req:
		return <-req.done
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Stats returns the scheduler's live counters.
func (s *Scheduler) Stats() *Stats { return s.stats }

// entry is one job's place in the schedule. Only Run's goroutine touches
// it, except job and run, which the run goroutine reads while running.
type entry struct {
	job     Job
	key     string // ID + timing, to match jobs across Set
	due     time.Time
	index   int  // in the heap; -1 when not in it
	queued  bool // waiting for a free slot
	running bool
	removed bool
	// immediate: the current due time is the out-of-grid first run
	immediate bool
	// pending is set when a due time passed while the job was queued or
	// running; pendingDue is the earliest such, pendingMissed the others.
	pending       bool
	pendingDue    time.Time
	pendingMissed int
	// the run being queued or in progress
	run Run
}

// Run schedules until ctx ends, then waits for runs in progress (whose
// contexts are cancelled) and returns ctx's error.
func (s *Scheduler) Run(ctx context.Context) error {
	var (
		h       dueHeap
		entries = map[string]*entry{}
		ready   []*entry // FIFO of runs waiting for a slot
		running int
		wg      sync.WaitGroup
		timer   = time.NewTimer(time.Hour)
	)
	defer timer.Stop()
	start := func(e *entry) {
		now := s.opts.Now()
		e.queued, e.running = false, true
		e.run.Started = now
		e.run.Lag = max(now.Sub(e.run.Due), 0)
		s.stats.started(e.run)
		running++
		wg.Add(1)
		go func(e *entry, job Job, r Run) {
			defer wg.Done()
			job.Run(ctx, r)
			s.donec <- e
		}(e, e.job, e.run)
	}
	enqueue := func(e *entry, due time.Time, missed int) {
		e.queued = true
		e.run = Run{Due: due, Missed: missed}
		ready = append(ready, e)
		s.stats.queued.Add(1)
	}
	fill := func() {
		for len(ready) > 0 && running < s.opts.MaxConcurrent {
			e := ready[0]
			ready[0] = nil
			ready = ready[1:]
			s.stats.queued.Add(-1)
			if e.removed {
				continue
			}
			start(e)
		}
	}
	fire := func(now time.Time) {
		for len(h) > 0 && !h[0].due.After(now) {
			e := h[0]
			due := e.due
			if e.immediate {
				e.immediate = false
				e.due = e.job.Timing.First(due.Add(time.Nanosecond), e.job.ID)
				if after := e.job.Timing.Next(e.due); e.due.Sub(due) < after.Sub(e.due)/2 {
					e.due = after
				}
			} else {
				e.due = e.job.Timing.Next(due)
			}
			heap.Fix(&h, 0)
			switch {
			case e.queued || e.running:
				if e.pending {
					e.pendingMissed++
					s.stats.coalesced.Add(1)
				} else {
					e.pending, e.pendingDue, e.pendingMissed = true, due, 0
				}
			default:
				enqueue(e, due, 0)
			}
		}
		fill()
	}
	apply := func(jobs []Job) {
		now := s.opts.Now()
		keep := make(map[string]*entry, len(jobs))
		for _, j := range jobs {
			key := j.ID + "\x00" + j.Timing.String()
			if e, ok := entries[j.ID]; ok && e.key == key {
				e.job = j
				keep[j.ID] = e
				continue
			}
			e := &entry{job: j, key: key, due: j.Timing.First(now, j.ID), index: -1}
			if j.Immediately {
				e.due, e.immediate = now, true
			}
			keep[j.ID] = e
		}
		for id, e := range entries {
			if keep[id] != e {
				e.removed = true
				if e.index >= 0 {
					heap.Remove(&h, e.index)
				}
			}
		}
		for _, e := range keep {
			if e.index < 0 && !e.removed {
				heap.Push(&h, e)
			}
		}
		entries = keep
		s.stats.jobs.Store(int64(len(entries)))
	}
	for {
		if len(h) > 0 {
			resetTimer(timer, h[0].due.Sub(s.opts.Now()))
		} else {
			resetTimer(timer, time.Hour)
		}
		select {
		case <-ctx.Done():
			s.stats.queued.Add(-int64(len(ready)))
			wg.Wait()
			s.drain()
			return ctx.Err()
		case req := <-s.setc:
			apply(req.jobs)
			req.done <- nil
			fire(s.opts.Now())
		case <-timer.C:
			fire(s.opts.Now())
		case e := <-s.donec:
			running--
			e.running = false
			s.stats.finished()
			if e.pending && !e.removed {
				e.pending = false
				enqueue(e, e.pendingDue, e.pendingMissed)
			}
			fill()
		}
	}
}

// drain empties the done channel after every run goroutine has ended.
func (s *Scheduler) drain() {
	for {
		select {
		case <-s.donec:
			s.stats.finished()
		default:
			return
		}
	}
}

// resetTimer points t at d from now (a zero or negative d fires at once).
func resetTimer(t *time.Timer, d time.Duration) {
	t.Stop()
	t.Reset(max(d, 0))
}

// dueHeap orders entries by due time.
type dueHeap []*entry

func (h dueHeap) Len() int           { return len(h) }
func (h dueHeap) Less(i, j int) bool { return h[i].due.Before(h[j].due) }
func (h dueHeap) Swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].index, h[j].index = i, j
}
func (h *dueHeap) Push(x any) {
	e := x.(*entry)
	e.index = len(*h)
	*h = append(*h, e)
}
func (h *dueHeap) Pop() any {
	old := *h
	e := old[len(old)-1]
	old[len(old)-1] = nil
	e.index = -1
	*h = old[:len(old)-1]
	return e
}
