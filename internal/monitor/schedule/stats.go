package schedule

import (
	"math"
	"sync/atomic"
	"time"
)

// Stats are a scheduler's live counters, safe to read at any time.
type Stats struct {
	jobs      atomic.Int64
	queued    atomic.Int64
	running   atomic.Int64
	runs      atomic.Uint64 // runs started
	coalesced atomic.Uint64 // the same, counted as they happen
	lag       *Histogram
}

func newStats() *Stats { return &Stats{lag: NewHistogram()} }

func (s *Stats) started(r Run) {
	s.running.Add(1)
	s.runs.Add(1)
	s.lag.Observe(r.Lag)
}

func (s *Stats) finished() { s.running.Add(-1) }

// Snapshot is a point-in-time copy of Stats.
type Snapshot struct {
	Jobs    int64  `json:"jobs"`
	Queued  int64  `json:"queued"`  // runs due and waiting for a free slot
	Running int64  `json:"running"` // runs in progress
	Runs    uint64 `json:"runs"`    // runs started
	// Missed counts due times that were folded into a later run because
	// the job was still busy (each is also visible as that run's lag).
	Missed uint64        `json:"missed"`
	LagP50 time.Duration `json:"lag_p50_ns"`
	LagP99 time.Duration `json:"lag_p99_ns"`
	LagMax time.Duration `json:"lag_max_ns"`
}

// Snapshot copies the counters.
func (s *Stats) Snapshot() Snapshot {
	return Snapshot{
		Jobs:    s.jobs.Load(),
		Queued:  s.queued.Load(),
		Running: s.running.Load(),
		Runs:    s.runs.Load(),
		Missed:  s.coalesced.Load(),
		LagP50:  s.lag.Quantile(0.50),
		LagP99:  s.lag.Quantile(0.99),
		LagMax:  s.lag.Max(),
	}
}

// Lag returns the lag histogram.
func (s *Stats) Lag() *Histogram { return s.lag }

// Histogram counts durations in logarithmic buckets: 8 per doubling from
// 1 µs to about 73 minutes, so a quantile is known within 9 %. It is safe
// for concurrent use and never allocates after creation.
type Histogram struct {
	counts [histBuckets]atomic.Uint64
	total  atomic.Uint64
	max    atomic.Int64
}

const (
	histSubBuckets = 8
	histDoublings  = 32
	histBuckets    = histSubBuckets*histDoublings + 1 // bucket 0: under 1 µs
	histUnit       = time.Microsecond
)

// NewHistogram returns an empty histogram.
func NewHistogram() *Histogram { return &Histogram{} }

// Observe counts one duration (negative counts as zero).
func (h *Histogram) Observe(d time.Duration) {
	h.counts[bucketOf(d)].Add(1)
	h.total.Add(1)
	for {
		m := h.max.Load()
		if int64(d) <= m || h.max.CompareAndSwap(m, int64(d)) {
			return
		}
	}
}

// Count is the number of observations.
func (h *Histogram) Count() uint64 { return h.total.Load() }

// Max is the largest observation.
func (h *Histogram) Max() time.Duration { return time.Duration(h.max.Load()) }

// Quantile returns the upper bound of the bucket holding the q-quantile
// (0 < q <= 1), capped by the maximum; 0 when empty.
func (h *Histogram) Quantile(q float64) time.Duration {
	total := h.total.Load()
	if total == 0 {
		return 0
	}
	rank := uint64(math.Ceil(q * float64(total)))
	rank = min(max(rank, 1), total)
	var seen uint64
	for i := range h.counts {
		seen += h.counts[i].Load()
		if seen >= rank {
			return min(bucketUpper(i), h.Max())
		}
	}
	return h.Max()
}

// bucketOf maps a duration to its bucket.
func bucketOf(d time.Duration) int {
	if d < histUnit {
		return 0
	}
	x := float64(d) / float64(histUnit)
	b := 1 + int(math.Log2(x)*histSubBuckets)
	return min(b, histBuckets-1)
}

// bucketUpper is the largest duration in bucket i.
func bucketUpper(i int) time.Duration {
	if i == 0 {
		return histUnit
	}
	return time.Duration(float64(histUnit) * math.Exp2(float64(i)/histSubBuckets))
}

// Cumulative returns, for each of bounds (ascending), how many
// observations were at most that bound, with the total count and an
// estimate of the sum, for exposition as a coarser histogram. An
// observation is placed by the upper edge of its logarithmic bucket, so a
// count may overstate a duration by up to 9 % but never understate it;
// the sum counts each observation at its bucket's geometric middle. The
// total is the sum of the buckets read, so the counts are consistent
// with each other even while observations arrive.
func (h *Histogram) Cumulative(bounds []time.Duration) (counts []uint64, total uint64, sum time.Duration) {
	counts = make([]uint64, len(bounds))
	var fsum float64
	for i := range h.counts {
		n := h.counts[i].Load()
		if n == 0 {
			continue
		}
		total += n
		upper := bucketUpper(i)
		if i > 0 {
			fsum += float64(n) * float64(upper) / math.Exp2(0.5/histSubBuckets)
		}
		for j, b := range bounds {
			if upper <= b {
				counts[j] += n
			}
		}
	}
	return counts, total, time.Duration(fsum)
}
