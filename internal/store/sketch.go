package store

import (
	"encoding/binary"
	"errors"
	"math"
	"sort"
	"time"
)

// Sketch geometry: bucket 0 holds RTTs under 1 µs; bucket i ≥ 1 holds
// [1µs·2^((i-1)/4), 1µs·2^(i/4)), so each bucket is 19% wide and the
// geometric midpoint is within ±9.1% of any sample in it. The last bucket
// (i = 120, from about 15 minutes) takes everything above.
const (
	sketchPerOctave = 4
	sketchBuckets   = 121
	sketchUnit      = time.Microsecond
)

// LatencySketch is a log-bucketed RTT histogram: constant size per bucket
// whatever the sample count, mergeable, quantiles within ±9.1% relative.
// The zero value is empty and ready to use.
type LatencySketch struct {
	counts map[int]int64
}

// sketchIndex returns the bucket of d.
func sketchIndex(d time.Duration) int {
	if d < sketchUnit {
		return 0
	}
	i := int(math.Floor(math.Log2(float64(d)/float64(sketchUnit))*sketchPerOctave)) + 1
	return min(max(i, 1), sketchBuckets-1)
}

// sketchMid returns the geometric midpoint of bucket i.
func sketchMid(i int) time.Duration {
	if i == 0 {
		return sketchUnit / 2
	}
	exp := (float64(i-1) + 0.5) / sketchPerOctave
	return time.Duration(float64(sketchUnit) * math.Exp2(exp))
}

// Add records one RTT.
func (s *LatencySketch) Add(d time.Duration) {
	if s.counts == nil {
		s.counts = make(map[int]int64)
	}
	s.counts[sketchIndex(d)]++
}

// Merge adds o's samples to s.
func (s *LatencySketch) Merge(o LatencySketch) {
	for i, n := range o.counts {
		if s.counts == nil {
			s.counts = make(map[int]int64)
		}
		s.counts[i] += n
	}
}

// Count is the number of samples.
func (s LatencySketch) Count() int64 {
	var n int64
	for _, c := range s.counts {
		n += c
	}
	return n
}

// Quantile estimates the q-quantile (0 < q ≤ 1), never above maxRTT when
// maxRTT > 0; 0 when the sketch is empty.
func (s LatencySketch) Quantile(q float64, maxRTT time.Duration) time.Duration {
	total := s.Count()
	if total == 0 {
		return 0
	}
	rank := int64(math.Ceil(q * float64(total)))
	rank = max(rank, 1)
	var seen int64
	for _, i := range s.indexes() {
		seen += s.counts[i]
		if seen >= rank {
			d := sketchMid(i)
			if maxRTT > 0 && d > maxRTT {
				d = maxRTT
			}
			return d
		}
	}
	return maxRTT
}

func (s LatencySketch) indexes() []int {
	idx := make([]int, 0, len(s.counts))
	for i := range s.counts {
		idx = append(idx, i)
	}
	sort.Ints(idx)
	return idx
}

// MarshalBinary encodes the sketch sparsely: uvarint pairs of (bucket
// index delta, count).
func (s LatencySketch) MarshalBinary() ([]byte, error) {
	buf := make([]byte, 0, 4*len(s.counts))
	prev := 0
	for _, i := range s.indexes() {
		buf = binary.AppendUvarint(buf, uint64(i-prev))
		buf = binary.AppendUvarint(buf, uint64(s.counts[i]))
		prev = i
	}
	return buf, nil
}

// UnmarshalBinary decodes what MarshalBinary wrote.
func (s *LatencySketch) UnmarshalBinary(b []byte) error {
	s.counts = nil
	idx := 0
	for len(b) > 0 {
		d, n := binary.Uvarint(b)
		if n <= 0 {
			return errors.New("latency sketch: bad bucket index")
		}
		b = b[n:]
		c, n := binary.Uvarint(b)
		if n <= 0 {
			return errors.New("latency sketch: bad bucket count")
		}
		b = b[n:]
		idx += int(d)
		if idx >= sketchBuckets {
			return errors.New("latency sketch: bucket index out of range")
		}
		if s.counts == nil {
			s.counts = make(map[int]int64)
		}
		s.counts[idx] += int64(c)
	}
	return nil
}
