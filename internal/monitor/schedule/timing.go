// Package schedule runs jobs on fixed intervals or cron schedules:
// drift-free (the n-th run of an interval job is due at phase + n×interval
// on the wall-clock grid, whatever the previous runs took), jittered (each
// job's phase is derived from its ID, so thousands of jobs with the same
// interval spread evenly instead of firing together, and keep their phase
// across restarts and reloads), with a bounded number of concurrent runs.
//
// A run never silently disappears. A run that starts after its due time
// carries the delay as Lag; a job still running (or still waiting for a
// free slot) when its next run falls due runs again as soon as it is
// free, with that lag; and when several due times pass meanwhile they are
// coalesced into that one run, which counts them in Missed. Stats
// aggregates both.
package schedule

import (
	"fmt"
	"hash/fnv"
	"time"
)

// Timing says when a job's runs are due.
type Timing interface {
	// First returns the first due time at or after now of the job with
	// the given ID.
	First(now time.Time, id string) time.Time
	// Next returns the due time after prev.
	Next(prev time.Time) time.Time
	// String identifies the timing: a job whose timing string is unchanged
	// by a reload keeps its place in the schedule.
	String() string
}

// Every returns a Timing with a fixed interval d (> 0). A job's phase is
// a hash of its ID modulo d, on the Unix epoch grid.
func Every(d time.Duration) Timing {
	if d <= 0 {
		panic(fmt.Sprintf("schedule: interval %v must be positive", d))
	}
	return every{d}
}

type every struct{ d time.Duration }

func (e every) First(now time.Time, id string) time.Time {
	phase := time.Duration(hash(id) % uint64(e.d))
	n := now.UnixNano()
	d := int64(e.d)
	// base is the latest grid point (epoch + phase + k×d) at or before now.
	base := (n-int64(phase))/d*d + int64(phase)
	if base > n {
		base -= d
	}
	if base < n {
		base += d
	}
	return time.Unix(0, base)
}

func (e every) Next(prev time.Time) time.Time { return prev.Add(e.d) }
func (e every) String() string                { return "every " + e.d.String() }

// Calendar is a cron-like schedule (config.Schedule is one).
type Calendar interface {
	// Next returns the first firing time strictly after t.
	Next(t time.Time) time.Time
	String() string
}

// CronJitter bounds the offset a Cron timing adds to every firing time.
const CronJitter = 10 * time.Second

// Cron returns a Timing firing at c's times, each delayed by a fixed
// per-job offset in [0, CronJitter) so that jobs sharing an expression do
// not all start in the same second.
func Cron(c Calendar) Timing { return cron{c: c} }

type cron struct {
	c      Calendar
	offset time.Duration
}

func (c cron) First(now time.Time, id string) time.Time {
	c.offset = time.Duration(hash(id) % uint64(CronJitter))
	// The firing whose jittered time is at or after now.
	return c.c.Next(now.Add(-c.offset).Add(-time.Nanosecond)).Add(c.offset)
}

func (c cron) Next(prev time.Time) time.Time {
	// prev carries the offset; firing times are whole minutes and the
	// offset is under a minute, so the truncation recovers the firing.
	fired := prev.Truncate(time.Minute)
	return c.c.Next(fired).Add(prev.Sub(fired))
}

func (c cron) String() string { return "cron " + c.c.String() }

// hash spreads IDs over the phase space.
func hash(id string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(id))
	// fnv's low bits mix poorly for similar strings; fold the high half in.
	v := h.Sum64()
	v ^= v >> 29
	v *= 0xbf58476d1ce4e5b9
	v ^= v >> 32
	return v
}
