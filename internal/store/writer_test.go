package store

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/portwatch/portwatch/internal/model"
)

// fakeSink records batches and fails while fail is set.
type fakeSink struct {
	mu      sync.Mutex
	batches []Batch
	fail    error
}

func (f *fakeSink) WriteBatch(_ context.Context, b Batch) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.fail != nil {
		return f.fail
	}
	f.batches = append(f.batches, b)
	return nil
}

func (f *fakeSink) sizes() []int {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []int
	for _, b := range f.batches {
		out = append(out, b.Len())
	}
	return out
}

func TestWriterBatchesBySizeAndFlushesOnClose(t *testing.T) {
	ctx := context.Background()
	sink := &fakeSink{}
	w := NewWriter(sink, WriterOptions{MaxBatch: 10, MaxDelay: time.Hour})
	for range 25 {
		if err := w.AddObservation(ctx, model.Observation{}); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	got := sink.sizes()
	if len(got) != 3 || got[0] != 10 || got[1] != 10 || got[2] != 5 {
		t.Errorf("batch sizes %v, want [10 10 5]", got)
	}
	if st := w.Stats(); st.Committed != 25 || st.Batches != 3 {
		t.Errorf("stats %+v", st)
	}
	if err := w.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
}

func TestWriterCommitsAfterMaxDelay(t *testing.T) {
	ctx := context.Background()
	sink := &fakeSink{}
	w := NewWriter(sink, WriterOptions{MaxBatch: 1000, MaxDelay: 5 * time.Millisecond})
	defer w.Close()
	if err := w.PutState(ctx, model.EndpointState{}); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for len(sink.sizes()) == 0 {
		if time.Now().After(deadline) {
			t.Fatal("nothing committed without a flush")
		}
		time.Sleep(time.Millisecond)
	}
}

func TestWriterReportsFailedBatches(t *testing.T) {
	ctx := context.Background()
	boom := errors.New("disk full")
	sink := &fakeSink{fail: boom}
	var reported []int
	w := NewWriter(sink, WriterOptions{Retries: -1, OnError: func(err error, b Batch) { reported = append(reported, b.Len()) }})
	if err := w.AddChange(ctx, model.Change{}); err != nil {
		t.Fatal(err)
	}
	if err := w.Flush(ctx); !errors.Is(err, boom) {
		t.Errorf("Flush: %v, want %v", err, boom)
	}
	if err := w.Flush(ctx); err != nil {
		t.Errorf("second Flush repeats the error: %v", err)
	}
	if st := w.Stats(); st.Failed != 1 || st.Committed != 0 {
		t.Errorf("stats %+v, want 1 failed", st)
	}
	if err := w.AddObservation(ctx, model.Observation{}); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); !errors.Is(err, boom) {
		t.Errorf("Close: %v, want %v", err, boom)
	}
	if len(reported) != 2 {
		t.Errorf("OnError told about %v, want two batches", reported)
	}
}

func TestWriterSubmitHonoursContext(t *testing.T) {
	sink := &fakeSink{}
	block := make(chan struct{})
	blocking := blockingSink{sink, block}
	w := NewWriter(blocking, WriterOptions{MaxBatch: 1, Queue: 1})
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	var err error
	for err == nil { // the queue fills while the sink is stuck
		err = w.AddObservation(ctx, model.Observation{})
	}
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Submit on a full queue: %v", err)
	}
	close(block)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
}

type blockingSink struct {
	*fakeSink
	block chan struct{}
}

func (b blockingSink) WriteBatch(ctx context.Context, batch Batch) error {
	<-b.block
	return b.fakeSink.WriteBatch(ctx, batch)
}

func TestSketchQuantilesAndEncoding(t *testing.T) {
	var s LatencySketch
	for i := 1; i <= 100; i++ {
		s.Add(time.Duration(i) * time.Millisecond)
	}
	s.Add(0)
	b, err := s.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	var back LatencySketch
	if err := back.UnmarshalBinary(b); err != nil {
		t.Fatal(err)
	}
	if back.Count() != 101 {
		t.Fatalf("decoded count %d", back.Count())
	}
	for _, c := range []struct {
		q    float64
		want time.Duration
	}{{0.5, 50 * time.Millisecond}, {0.95, 95 * time.Millisecond}, {0.99, 99 * time.Millisecond}} {
		got := back.Quantile(c.q, 100*time.Millisecond)
		if d := float64(got-c.want) / float64(c.want); d > 0.1 || d < -0.1 {
			t.Errorf("q%.2f = %v, want %v ±10%%", c.q, got, c.want)
		}
	}
	if err := back.UnmarshalBinary([]byte{0xff}); err == nil {
		t.Error("truncated sketch decoded")
	}
	if got := (LatencySketch{}).Quantile(0.5, 0); got != 0 {
		t.Errorf("empty sketch quantile %v", got)
	}
}
