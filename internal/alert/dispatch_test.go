package alert

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/portwatch/portwatch/internal/alert/notify"
	"github.com/portwatch/portwatch/internal/alert/provider/httpsend"
	"github.com/portwatch/portwatch/internal/store"
)

// postNotifier posts the message as JSON with its ID as Idempotency-Key,
// through the shared sender: the smallest real HTTP notifier.
type postNotifier struct {
	url string
	s   httpsend.Sender
}

func (p *postNotifier) Kind() string { return "test-post" }
func (p *postNotifier) Send(ctx context.Context, m notify.Message) error {
	body, _ := json.Marshal(m)
	_, err := p.s.Post(ctx, httpsend.Request{URL: p.url, Header: http.Header{"Idempotency-Key": {m.ID}}, Body: body})
	return err
}

// receiver is a local HTTP receiver that fails while down and
// de-duplicates by Idempotency-Key, as a well-behaved webhook does.
type receiver struct {
	mu       sync.Mutex
	down     bool
	status   int // when down (default 503)
	requests int
	seen     map[string]int
}

func (r *receiver) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.requests++
	if r.down {
		w.Header().Set("Retry-After", "0")
		if r.status == 0 {
			r.status = http.StatusServiceUnavailable
		}
		w.WriteHeader(r.status)
		return
	}
	if r.seen == nil {
		r.seen = map[string]int{}
	}
	r.seen[req.Header.Get("Idempotency-Key")]++
	w.WriteHeader(http.StatusOK)
}

func (r *receiver) set(down bool, status int) {
	r.mu.Lock()
	r.down, r.status = down, status
	r.mu.Unlock()
}

func enqueueTest(t *testing.T, st store.Alerting, keys ...string) {
	t.Helper()
	var es []store.OutboxEntry
	for i, k := range keys {
		m := notify.Message{ID: k, IncidentKey: "inc", Event: notify.EventTrigger, Time: time.Now()}
		b, _ := json.Marshal(m)
		es = append(es, store.OutboxEntry{Key: k, Receiver: "hook", Route: "r", Incident: "inc", Event: "trigger",
			Payload: b, Created: time.Now().Add(time.Duration(i) * time.Millisecond)})
	}
	if _, err := st.Enqueue(context.Background(), es); err != nil {
		t.Fatal(err)
	}
}

func TestDispatcherRetriesUntilTheReceiverIsBackThenDeliversEachOnce(t *testing.T) {
	ctx := context.Background()
	st := openStore(t)
	rcv := &receiver{down: true}
	srv := httptest.NewServer(rcv)
	defer srv.Close()
	d := NewDispatcher(st, map[string]notify.Notifier{"hook": &postNotifier{url: srv.URL}},
		DispatchOptions{BaseDelay: time.Millisecond, MaxDelay: 5 * time.Millisecond, Logger: quiet})
	enqueueTest(t, st, "trigger/hook/1", "resolve/hook/1")
	for range 5 {
		d.round(ctx)
		time.Sleep(10 * time.Millisecond)
	}
	if rcv.requests < 3 {
		t.Fatalf("only %d attempts while the receiver was down", rcv.requests)
	}
	pend, _ := st.ListOutbox(ctx, store.OutboxFilter{State: store.OutboxPending})
	if len(pend) != 2 || pend[1].Attempts == 0 || pend[1].LastError == "" || pend[0].Attempts != 0 {
		t.Fatalf("while down: %+v (the resolve must wait behind its trigger)", pend)
	}
	rcv.set(false, 0)
	for range 5 {
		d.round(ctx)
		time.Sleep(10 * time.Millisecond)
	}
	if rcv.seen["trigger/hook/1"] != 1 || rcv.seen["resolve/hook/1"] != 1 {
		t.Fatalf("deliveries by key: %v", rcv.seen)
	}
	done, _ := st.ListOutbox(ctx, store.OutboxFilter{State: store.OutboxDelivered})
	if len(done) != 2 {
		t.Fatalf("delivered: %+v", done)
	}
}

func TestDispatcherDeadLettersPermanentFailures(t *testing.T) {
	ctx := context.Background()
	st := openStore(t)
	rcv := &receiver{down: true, status: http.StatusBadRequest}
	srv := httptest.NewServer(rcv)
	defer srv.Close()
	d := NewDispatcher(st, map[string]notify.Notifier{"hook": &postNotifier{url: srv.URL}}, DispatchOptions{Logger: quiet})
	enqueueTest(t, st, "trigger/hook/9")
	d.round(ctx)
	dead, _ := st.ListOutbox(ctx, store.OutboxFilter{State: store.OutboxDead})
	if len(dead) != 1 || dead[0].Attempts != 1 || rcv.requests != 1 {
		t.Fatalf("400 must dead-letter at once: %+v after %d requests", dead, rcv.requests)
	}
}

// forgetful fails to record deliveries, as a daemon killed between
// sending and recording would.
type forgetful struct {
	store.Alerting
	fail bool
}

func (f *forgetful) MarkDelivered(ctx context.Context, id int64, at time.Time, attempts int) error {
	if f.fail {
		return errors.New("killed before recording")
	}
	return f.Alerting.MarkDelivered(ctx, id, at, attempts)
}

func TestACrashBetweenSendAndRecordResendsWithTheSameKey(t *testing.T) {
	ctx := context.Background()
	st := openStore(t)
	rcv := &receiver{}
	srv := httptest.NewServer(rcv)
	defer srv.Close()
	fs := &forgetful{Alerting: st, fail: true}
	n := map[string]notify.Notifier{"hook": &postNotifier{url: srv.URL}}
	enqueueTest(t, st, "trigger/hook/5")
	NewDispatcher(fs, n, DispatchOptions{Logger: quiet}).round(ctx) // "killed" after sending
	fs.fail = false
	NewDispatcher(fs, n, DispatchOptions{Logger: quiet}).round(ctx) // after the restart
	if rcv.requests != 2 || len(rcv.seen) != 1 || rcv.seen["trigger/hook/5"] != 2 {
		t.Fatalf("requests %d, by key %v: want the same key twice, which the receiver de-duplicates", rcv.requests, rcv.seen)
	}
	if done, _ := st.ListOutbox(ctx, store.OutboxFilter{State: store.OutboxDelivered}); len(done) != 1 {
		t.Fatalf("delivered entries: %+v", done)
	}
}
