package store

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/portwatch/portwatch/internal/model"
)

// ErrWriterClosed is returned when submitting to a closed Writer.
var ErrWriterClosed = errors.New("store: writer closed")

// BatchWriter is the part of Store the Writer needs.
type BatchWriter interface {
	WriteBatch(ctx context.Context, b Batch) error
}

// WriterOptions tunes a Writer. Zero fields take the defaults.
type WriterOptions struct {
	// MaxBatch commits once this many items are pending (default 2000).
	MaxBatch int
	// MaxDelay commits pending items at most this long after the first
	// arrived (default 200 ms).
	MaxDelay time.Duration
	// Queue is the channel capacity in submissions (default 1024); a full
	// queue blocks Submit, which bounds memory.
	Queue int
	// Retries is how many times a failed commit is retried before its
	// items are counted as failed and reported (default 2).
	Retries int
	// OnError is told about every batch that failed for good (optional;
	// the error is also returned by the next Flush or Close).
	OnError func(err error, b Batch)
}

func (o WriterOptions) withDefaults() WriterOptions {
	if o.MaxBatch <= 0 {
		o.MaxBatch = 2000
	}
	if o.MaxDelay <= 0 {
		o.MaxDelay = 200 * time.Millisecond
	}
	if o.Queue <= 0 {
		o.Queue = 1024
	}
	if o.Retries < 0 {
		o.Retries = 0
	} else if o.Retries == 0 {
		o.Retries = 2
	}
	return o
}

// WriterStats counts what a Writer did.
type WriterStats struct {
	Committed int64 // items committed
	Failed    int64 // items whose batch failed for good
	Batches   int64 // transactions committed
	// Observations and Changes count the committed items that are
	// observations and changes.
	Observations int64
	Changes      int64
}

// Writer is the daemon's single writer: it takes observations, states and
// changes from a channel and commits them in one transaction every
// MaxBatch items or MaxDelay, whichever comes first. Items submitted
// together in one Submit always land in the same transaction.
type Writer struct {
	dst  BatchWriter
	opts WriterOptions
	in   chan request
	done chan struct{}

	// life guards closed: senders hold it shared while sending, Close
	// holds it exclusively to close the channel.
	life   sync.RWMutex
	closed bool

	mu    sync.Mutex // guards errs, stats
	errs  []error
	stats WriterStats
}

// request is one submission or, when flushed is set, a flush barrier.
type request struct {
	batch   Batch
	flushed chan error
}

// NewWriter starts a Writer committing into dst. Call Close to flush and stop it.
func NewWriter(dst BatchWriter, opts WriterOptions) *Writer {
	w := &Writer{dst: dst, opts: opts.withDefaults(), done: make(chan struct{})}
	w.in = make(chan request, w.opts.Queue)
	go w.loop()
	return w
}

// Submit queues b; it blocks while the queue is full or until ctx ends.
func (w *Writer) Submit(ctx context.Context, b Batch) error {
	if b.Len() == 0 {
		return nil
	}
	return w.send(ctx, request{batch: b})
}

// AddObservation queues one observation.
func (w *Writer) AddObservation(ctx context.Context, o model.Observation) error {
	return w.Submit(ctx, Batch{Observations: []model.Observation{o}})
}

// PutState queues one state upsert.
func (w *Writer) PutState(ctx context.Context, s model.EndpointState) error {
	return w.Submit(ctx, Batch{States: []model.EndpointState{s}})
}

// AddChange queues one change.
func (w *Writer) AddChange(ctx context.Context, c model.Change) error {
	return w.Submit(ctx, Batch{Changes: []model.Change{c}})
}

// Flush commits everything submitted before it and returns the write
// errors seen since the previous Flush (nil if none).
func (w *Writer) Flush(ctx context.Context) error {
	ch := make(chan error, 1)
	if err := w.send(ctx, request{flushed: ch}); err != nil {
		return err
	}
	select {
	case err := <-ch:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Close commits what is pending, stops the Writer and returns the write
// errors not yet returned by Flush. It does not close the Store.
func (w *Writer) Close() error {
	w.life.Lock()
	if !w.closed {
		w.closed = true
		close(w.in)
	}
	w.life.Unlock()
	<-w.done
	return w.takeErrs()
}

// Stats returns the counters so far.
func (w *Writer) Stats() WriterStats {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.stats
}

func (w *Writer) send(ctx context.Context, r request) error {
	w.life.RLock()
	defer w.life.RUnlock()
	if w.closed {
		return ErrWriterClosed
	}
	select {
	case w.in <- r:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (w *Writer) loop() {
	defer close(w.done)
	var pending Batch
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	armed := false
	commit := func() {
		if armed {
			timer.Stop()
			armed = false
		}
		if pending.Len() > 0 {
			w.commit(pending)
			pending = Batch{}
		}
	}
	for {
		select {
		case r, ok := <-w.in:
			if !ok {
				commit()
				return
			}
			if r.flushed != nil {
				commit()
				r.flushed <- w.takeErrs()
				continue
			}
			pending.append(r.batch)
			if pending.Len() >= w.opts.MaxBatch {
				commit()
			} else if !armed {
				timer.Reset(w.opts.MaxDelay)
				armed = true
			}
		case <-timer.C:
			armed = false
			commit()
		}
	}
}

// commit writes b, retrying transient failures, and records the outcome.
// The commit runs under a background context: shutdown must finish
// in-flight writes rather than abandon them.
func (w *Writer) commit(b Batch) {
	var err error
	for attempt := 0; attempt <= w.opts.Retries; attempt++ {
		if attempt > 0 {
			time.Sleep(time.Duration(attempt) * 50 * time.Millisecond)
		}
		if err = w.dst.WriteBatch(context.Background(), b); err == nil {
			break
		}
	}
	w.mu.Lock()
	if err == nil {
		w.stats.Committed += int64(b.Len())
		w.stats.Observations += int64(len(b.Observations))
		w.stats.Changes += int64(len(b.Changes))
		w.stats.Batches++
	} else {
		w.stats.Failed += int64(b.Len())
		w.errs = append(w.errs, fmt.Errorf("write batch of %d items: %w", b.Len(), err))
	}
	w.mu.Unlock()
	if err != nil && w.opts.OnError != nil {
		w.opts.OnError(err, b)
	}
}

func (w *Writer) takeErrs() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	err := errors.Join(w.errs...)
	w.errs = nil
	return err
}
