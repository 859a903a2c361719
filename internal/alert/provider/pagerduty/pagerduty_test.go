package pagerduty

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/portwatch/portwatch/internal/alert/notify"
)

// received is one request as the receiver saw it.
type received struct {
	method, path string
	header       http.Header
	body         []byte
}

// receiver is a local Events API stand-in answering every request with
// status (and header), recording what it got.
func receiver(t *testing.T, status int, header http.Header) (*httptest.Server, <-chan received) {
	t.Helper()
	got := make(chan received, 8)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, err := io.ReadAll(r.Body)
		if err != nil {
			t.Errorf("read body: %v", err)
		}
		got <- received{r.Method, r.URL.Path, r.Header.Clone(), b}
		for k, vs := range header {
			w.Header()[k] = vs
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		if status == http.StatusAccepted {
			io.WriteString(w, `{"status":"success","message":"Event processed","dedup_key":"inc-42"}`)
		} else {
			io.WriteString(w, `{"status":"invalid event","message":"Event object is invalid"}`)
		}
	}))
	t.Cleanup(srv.Close)
	return srv, got
}

func newNotifier(t *testing.T, url string) *Notifier {
	t.Helper()
	n, err := New(Config{RoutingKey: testKey, URL: url + "/v2/enqueue"})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestSendTrigger(t *testing.T) {
	srv, got := receiver(t, http.StatusAccepted, nil)
	n := newNotifier(t, srv.URL)
	if err := n.Send(context.Background(), sampleMessage()); err != nil {
		t.Fatalf("Send: %v", err)
	}
	r := <-got
	if r.method != http.MethodPost || r.path != "/v2/enqueue" {
		t.Errorf("request %s %s, want POST /v2/enqueue", r.method, r.path)
	}
	if ct := r.header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type %q", ct)
	}
	if ua := r.header.Get("User-Agent"); ua != "portwatch" {
		t.Errorf("User-Agent %q", ua)
	}
	assertGolden(t, "trigger.json", r.body)
	if len(got) != 0 {
		t.Errorf("%d extra requests", len(got))
	}
}

func TestSendEvents(t *testing.T) {
	for _, tc := range []struct {
		event  notify.Event
		golden []string
	}{
		{notify.EventReminder, []string{"trigger.json"}},
		{notify.EventFlapping, []string{"trigger.json"}},
		{notify.EventResolve, []string{"resolve.json"}},
		{notify.EventStable, []string{"resolve.json"}},
		{notify.EventTest, []string{"trigger.json", "resolve.json"}},
	} {
		t.Run(string(tc.event), func(t *testing.T) {
			srv, got := receiver(t, http.StatusAccepted, nil)
			n := newNotifier(t, srv.URL)
			m := sampleMessage()
			m.Event = tc.event
			if err := n.Send(context.Background(), m); err != nil {
				t.Fatalf("Send: %v", err)
			}
			if len(got) != len(tc.golden) {
				t.Fatalf("%d requests, want %d", len(got), len(tc.golden))
			}
			for _, g := range tc.golden {
				r := <-got
				// The golden trigger says "event": "trigger"; the event
				// name is the only field that differs.
				body := strings.Replace(string(r.body), `"event":"`+string(tc.event)+`"`, `"event":"trigger"`, 1)
				assertGolden(t, g, []byte(body))
			}
		})
	}
}

func TestSendStatus(t *testing.T) {
	for _, tc := range []struct {
		name      string
		status    int
		header    http.Header
		permanent bool
		delay     time.Duration
	}{
		{"bad request", http.StatusBadRequest, nil, true, 0},
		{"forbidden", http.StatusForbidden, nil, true, 0},
		{"rate limited", http.StatusTooManyRequests, nil, false, 0},
		{"rate limited with retry-after", http.StatusTooManyRequests, http.Header{"Retry-After": {"30"}}, false, 30 * time.Second},
		{"server error", http.StatusInternalServerError, nil, false, 0},
		{"unavailable", http.StatusServiceUnavailable, nil, false, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv, got := receiver(t, tc.status, tc.header)
			n := newNotifier(t, srv.URL)
			err := n.Send(context.Background(), sampleMessage())
			if err == nil {
				t.Fatal("Send: no error")
			}
			if notify.IsPermanent(err) != tc.permanent {
				t.Errorf("IsPermanent(%v) = %v, want %v", err, !tc.permanent, tc.permanent)
			}
			d, ok := notify.RetryDelay(err)
			if ok != (tc.delay > 0) || d != tc.delay {
				t.Errorf("RetryDelay = %v, %v; want %v", d, ok, tc.delay)
			}
			if !strings.Contains(err.Error(), "pagerduty: trigger event n-0001") {
				t.Errorf("error %q does not say what failed", err)
			}
			if strings.Contains(err.Error(), testKey) {
				t.Errorf("error %q leaks the routing key", err)
			}
			<-got
		})
	}
}

// A test event stops at a failed trigger: no resolve without a trigger.
func TestSendTestStopsAtFailure(t *testing.T) {
	srv, got := receiver(t, http.StatusInternalServerError, nil)
	n := newNotifier(t, srv.URL)
	m := sampleMessage()
	m.Event = notify.EventTest
	if err := n.Send(context.Background(), m); err == nil {
		t.Fatal("Send: no error")
	}
	if len(got) != 1 {
		t.Errorf("%d requests, want 1", len(got))
	}
}

func TestSendHangingReceiver(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-release:
		}
	}))
	t.Cleanup(srv.Close)
	t.Cleanup(func() { close(release) })
	n := newNotifier(t, srv.URL)
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	err := n.Send(ctx, sampleMessage())
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Send to a hanging receiver: %v, want a deadline error", err)
	}
	if notify.IsPermanent(err) {
		t.Errorf("deadline error marked permanent: %v", err)
	}
}

func TestSendUnknownEvent(t *testing.T) {
	srv, got := receiver(t, http.StatusAccepted, nil)
	n := newNotifier(t, srv.URL)
	m := sampleMessage()
	m.Event = "exploded"
	err := n.Send(context.Background(), m)
	if !notify.IsPermanent(err) {
		t.Fatalf("unknown event: %v, want a permanent error", err)
	}
	if len(got) != 0 {
		t.Errorf("%d requests for an unknown event", len(got))
	}
}

func TestNewValidates(t *testing.T) {
	for _, tc := range []struct {
		cfg  Config
		want string
	}{
		{Config{}, "pagerduty: routing_key: missing"},
		{Config{RoutingKey: "abc"}, "pagerduty: routing_key: has 3 characters, want 32"},
		{Config{RoutingKey: "R0123456789abcdefABCDEF01234567-"}, `pagerduty: routing_key: contains '-': only letters and digits are allowed`},
		{Config{RoutingKey: testKey, URL: "ftp://x/y"}, `pagerduty: url: scheme "ftp": want https (or http)`},
		{Config{RoutingKey: testKey, URL: "https:///v2"}, "pagerduty: url: no host"},
		{Config{RoutingKey: testKey, Timeout: -time.Second}, "pagerduty: timeout: -1s is negative"},
	} {
		_, err := New(tc.cfg)
		if err == nil || err.Error() != tc.want {
			t.Errorf("New(%+v) = %v, want %q", tc.cfg, err, tc.want)
		}
	}
	n, err := New(Config{RoutingKey: testKey})
	if err != nil {
		t.Fatal(err)
	}
	if n.cfg.URL != DefaultURL || n.cfg.Timeout != DefaultTimeout || n.Kind() != "pagerduty" {
		t.Errorf("defaults: %+v, kind %q", n.cfg, n.Kind())
	}
}

// Over TLS, with a client that trusts the receiver's certificate.
func TestSendTLS(t *testing.T) {
	got := make(chan []byte, 1)
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got <- b
		w.WriteHeader(http.StatusAccepted)
	}))
	t.Cleanup(srv.Close)
	n, err := New(Config{RoutingKey: testKey, URL: srv.URL + "/v2/enqueue"}, WithClient(srv.Client()))
	if err != nil {
		t.Fatal(err)
	}
	if err := n.Send(context.Background(), sampleMessage()); err != nil {
		t.Fatalf("Send: %v", err)
	}
	assertGolden(t, "trigger.json", <-got)
}
