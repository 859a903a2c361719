package alert

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/portwatch/portwatch/internal/alert/notify"
	"github.com/portwatch/portwatch/internal/store"
)

func marshalMessage(m notify.Message) ([]byte, error) { return json.Marshal(m) }

// DispatchOptions tunes a Dispatcher.
type DispatchOptions struct {
	// Poll is how often due entries are looked for when nothing wakes the
	// dispatcher (default 1 s).
	Poll time.Duration
	// AttemptTimeout bounds one delivery attempt (default 15 s).
	AttemptTimeout time.Duration
	// BaseDelay and MaxDelay bound the exponential back-off with full
	// jitter between attempts (defaults 2 s and 60 s, so a receiver that
	// comes back is served within a minute).
	BaseDelay, MaxDelay time.Duration
	// MaxAge gives an entry up (dead letter) once it has been failing
	// this long (default 24 h).
	MaxAge time.Duration
	Logger *slog.Logger
	Now    func() time.Time
}

// Dispatcher sends the outbox: due entries in order, per receiver, with
// retries, back-off and dead letters. A message goes out at least once;
// its ID is the receiver's idempotency key, so a crash between sending
// and recording the delivery sends it again with the same key.
type Dispatcher struct {
	st        store.Alerting
	mu        sync.Mutex // guards notifiers
	notifiers map[string]notify.Notifier
	opts      DispatchOptions
	wake      chan struct{}

	Delivered, Failed, Dead atomic.Uint64

	smu        sync.Mutex // guards byReceiver
	byReceiver map[string]*DeliveryStats
}

// DeliveryStats counts one receiver's delivery outcomes since the
// dispatcher was created: entries delivered, attempts that failed, and
// entries given up (dead letters).
type DeliveryStats struct {
	Receiver                string
	Delivered, Failed, Dead uint64
}

// count adds one outcome of receiver to its totals.
func (d *Dispatcher) count(receiver string, add func(*DeliveryStats)) {
	d.smu.Lock()
	defer d.smu.Unlock()
	if d.byReceiver == nil {
		d.byReceiver = map[string]*DeliveryStats{}
	}
	s := d.byReceiver[receiver]
	if s == nil {
		s = &DeliveryStats{Receiver: receiver}
		d.byReceiver[receiver] = s
	}
	add(s)
}

// Stats returns the per-receiver totals, sorted by receiver. Receivers
// appear once they have had an outcome.
func (d *Dispatcher) Stats() []DeliveryStats {
	d.smu.Lock()
	out := make([]DeliveryStats, 0, len(d.byReceiver))
	for _, s := range d.byReceiver {
		out = append(out, *s)
	}
	d.smu.Unlock()
	slices.SortFunc(out, func(a, b DeliveryStats) int { return strings.Compare(a.Receiver, b.Receiver) })
	return out
}

// NewDispatcher sends entries to the notifiers by receiver name.
func NewDispatcher(st store.Alerting, notifiers map[string]notify.Notifier, opts DispatchOptions) *Dispatcher {
	if opts.Poll <= 0 {
		opts.Poll = time.Second
	}
	if opts.AttemptTimeout <= 0 {
		opts.AttemptTimeout = 15 * time.Second
	}
	if opts.BaseDelay <= 0 {
		opts.BaseDelay = 2 * time.Second
	}
	if opts.MaxDelay <= 0 {
		opts.MaxDelay = time.Minute
	}
	if opts.MaxAge <= 0 {
		opts.MaxAge = 24 * time.Hour
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &Dispatcher{st: st, notifiers: notifiers, opts: opts, wake: make(chan struct{}, 1)}
}

// SetNotifiers replaces the notifiers (a configuration reload).
func (d *Dispatcher) SetNotifiers(n map[string]notify.Notifier) {
	d.mu.Lock()
	d.notifiers = n
	d.mu.Unlock()
}

// Drain makes one pass over the due entries (at shutdown, bounded by ctx).
func (d *Dispatcher) Drain(ctx context.Context) { d.round(ctx) }

// Wake makes the dispatcher look for due entries now.
func (d *Dispatcher) Wake() {
	select {
	case d.wake <- struct{}{}:
	default:
	}
}

// Run sends until ctx ends. Attempts in progress when ctx ends finish
// (bounded by AttemptTimeout) and are recorded.
func (d *Dispatcher) Run(ctx context.Context) {
	t := time.NewTicker(d.opts.Poll)
	defer t.Stop()
	for {
		d.round(ctx)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-d.wake:
		}
	}
}

// round sends every due entry once. Receivers are served concurrently,
// each receiver's entries in order; an entry whose incident has an
// earlier entry still failing for the same receiver waits for it (a
// resolve never overtakes its trigger).
func (d *Dispatcher) round(ctx context.Context) {
	if ctx.Err() != nil {
		return
	}
	due, err := d.st.DueOutbox(ctx, d.opts.Now(), 500)
	if err != nil {
		d.opts.Logger.Error("read outbox", "err", err)
		return
	}
	byReceiver := map[string][]store.OutboxEntry{}
	var order []string
	for _, e := range due {
		if _, ok := byReceiver[e.Receiver]; !ok {
			order = append(order, e.Receiver)
		}
		byReceiver[e.Receiver] = append(byReceiver[e.Receiver], e)
	}
	// Every pending entry, due or not, by receiver and incident: an entry
	// waits while an older one of its incident is pending (one query per
	// round; each receiver's goroutine owns its part).
	all, err := d.st.ListOutbox(ctx, store.OutboxFilter{State: store.OutboxPending})
	if err != nil {
		d.opts.Logger.Error("read outbox", "err", err)
		return
	}
	pending := map[string]map[string][]int64{}
	for _, e := range all {
		if pending[e.Receiver] == nil {
			pending[e.Receiver] = map[string][]int64{}
		}
		pending[e.Receiver][e.Incident] = append(pending[e.Receiver][e.Incident], e.ID)
	}
	var wg sync.WaitGroup
	for _, rc := range order {
		wg.Add(1)
		go func(entries []store.OutboxEntry, pend map[string][]int64) {
			defer wg.Done()
			blocked := map[string]bool{}
			for _, e := range entries {
				if ctx.Err() != nil {
					return
				}
				if blocked[e.Incident] || slices.ContainsFunc(pend[e.Incident], func(id int64) bool { return id < e.ID }) {
					continue
				}
				if d.send(ctx, e) != store.OutboxDelivered {
					blocked[e.Incident] = true
					continue
				}
				pend[e.Incident] = slices.DeleteFunc(pend[e.Incident], func(id int64) bool { return id == e.ID })
			}
		}(byReceiver[rc], pending[rc])
	}
	wg.Wait()
}

// send makes one attempt, records its outcome and returns the entry's
// new state.
func (d *Dispatcher) send(ctx context.Context, e store.OutboxEntry) store.OutboxState {
	rec := context.WithoutCancel(ctx)
	d.mu.Lock()
	n, ok := d.notifiers[e.Receiver]
	d.mu.Unlock()
	attempts := e.Attempts + 1
	if !ok {
		d.dead(rec, e, attempts, fmt.Sprintf("no notifier named %q in the configuration", e.Receiver))
		return store.OutboxDead
	}
	var m notify.Message
	if err := json.Unmarshal(e.Payload, &m); err != nil {
		d.dead(rec, e, attempts, "unreadable payload: "+err.Error())
		return store.OutboxDead
	}
	actx, cancel := context.WithTimeout(rec, d.opts.AttemptTimeout)
	err := n.Send(actx, m)
	cancel()
	now := d.opts.Now()
	if err == nil {
		d.Delivered.Add(1)
		d.count(e.Receiver, func(s *DeliveryStats) { s.Delivered++ })
		if err := d.st.MarkDelivered(rec, e.ID, now, attempts); err != nil {
			d.opts.Logger.Error("record delivery", "err", err, "key", e.Key)
			return store.OutboxPending // the store still says pending: sent again, same key
		}
		d.opts.Logger.Info("notification delivered", "receiver", e.Receiver, "key", e.Key, "event", e.Event, "attempts", attempts)
		return store.OutboxDelivered
	}
	d.Failed.Add(1)
	d.count(e.Receiver, func(s *DeliveryStats) { s.Failed++ })
	if notify.IsPermanent(err) || now.Sub(e.Created) >= d.opts.MaxAge {
		d.dead(rec, e, attempts, err.Error())
		return store.OutboxDead
	}
	delay := d.backoff(attempts)
	if after, ok := notify.RetryDelay(err); ok && after > delay {
		delay = min(after, 10*d.opts.MaxDelay)
	}
	if err := d.st.MarkRetry(rec, e.ID, attempts, now.Add(delay), err.Error()); err != nil {
		d.opts.Logger.Error("record failed attempt", "err", err, "key", e.Key)
	}
	d.opts.Logger.Warn("notification failed; will retry", "receiver", e.Receiver, "key", e.Key, "attempts", attempts,
		"retry_in", delay.Round(time.Millisecond), "err", err)
	return store.OutboxPending
}

func (d *Dispatcher) dead(ctx context.Context, e store.OutboxEntry, attempts int, why string) {
	d.Dead.Add(1)
	d.count(e.Receiver, func(s *DeliveryStats) { s.Dead++ })
	if err := d.st.MarkDead(ctx, e.ID, d.opts.Now(), attempts, why); err != nil {
		d.opts.Logger.Error("record dead letter", "err", err, "key", e.Key)
	}
	d.opts.Logger.Error("notification given up (dead letter)", "receiver", e.Receiver, "key", e.Key, "attempts", attempts, "err", why)
}

// backoff is exponential with full jitter: uniform in [base/2, min(max,
// base·2^(n-1))].
func (d *Dispatcher) backoff(attempt int) time.Duration {
	ceil := d.opts.BaseDelay << min(attempt-1, 20)
	if ceil <= 0 || ceil > d.opts.MaxDelay {
		ceil = d.opts.MaxDelay
	}
	lo := d.opts.BaseDelay / 2
	return lo + time.Duration(rand.Int64N(int64(ceil-lo)+1))
}
