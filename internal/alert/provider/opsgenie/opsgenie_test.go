package opsgenie

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

const testAPIKey = "eb243592-faa2-4ba2-a551q-1afdf565c889"

// received is one request as the receiver saw it.
type received struct {
	method, uri string
	header      http.Header
	body        []byte
}

// receiver is a local Alert API stand-in answering every request with
// status (and header), recording what it got.
func receiver(t *testing.T, status int, header http.Header) (*httptest.Server, <-chan received) {
	t.Helper()
	got := make(chan received, 8)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, err := io.ReadAll(r.Body)
		if err != nil {
			t.Errorf("read body: %v", err)
		}
		got <- received{r.Method, r.RequestURI, r.Header.Clone(), b}
		for k, vs := range header {
			w.Header()[k] = vs
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		if status == http.StatusAccepted {
			io.WriteString(w, `{"result":"Request will be processed","took":0.302,"requestId":"43a29c5c-3dbf-4fa4-9c26-f4f71023e120"}`)
		} else {
			io.WriteString(w, `{"message":"Request failed","took":0.01,"requestId":"f1a3b8f1"}`)
		}
	}))
	t.Cleanup(srv.Close)
	return srv, got
}

func newNotifier(t *testing.T, url string, responders []string) *Notifier {
	t.Helper()
	n, err := New(Config{APIKey: testAPIKey, APIURL: url + "/", Responders: responders})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func checkHeaders(t *testing.T, r received) {
	t.Helper()
	if got := r.header.Get("Authorization"); got != "GenieKey "+testAPIKey {
		t.Errorf("Authorization %q", got)
	}
	if got := r.header.Get("Content-Type"); got != "application/json" {
		t.Errorf("Content-Type %q", got)
	}
}

func TestSendCreate(t *testing.T) {
	for _, ev := range []notify.Event{notify.EventTrigger, notify.EventReminder, notify.EventFlapping} {
		t.Run(string(ev), func(t *testing.T) {
			srv, got := receiver(t, http.StatusAccepted, nil)
			n := newNotifier(t, srv.URL, sampleResponders)
			m := sampleMessage()
			m.Event = ev
			if err := n.Send(context.Background(), m); err != nil {
				t.Fatalf("Send: %v", err)
			}
			r := <-got
			if r.method != http.MethodPost || r.uri != "/v2/alerts" {
				t.Errorf("request %s %s, want POST /v2/alerts", r.method, r.uri)
			}
			checkHeaders(t, r)
			body := strings.Replace(string(r.body), `"event":"`+string(ev)+`"`, `"event":"trigger"`, 1)
			assertGolden(t, "create.json", []byte(body))
		})
	}
}

func TestSendTest(t *testing.T) {
	srv, got := receiver(t, http.StatusAccepted, nil)
	n := newNotifier(t, srv.URL, nil)
	m := notify.Message{ID: "test-7", Event: notify.EventTest, Severity: notify.SeverityInfo,
		Title: "portwatch test notification for route oncall", Route: "oncall"}
	if err := n.Send(context.Background(), m); err != nil {
		t.Fatalf("Send: %v", err)
	}
	r := <-got
	if r.uri != "/v2/alerts" {
		t.Errorf("request to %s, want /v2/alerts", r.uri)
	}
	assertGolden(t, "create-test.json", r.body)
	if len(got) != 0 {
		t.Errorf("%d extra requests (a test alert is only created)", len(got))
	}
}

func TestSendClose(t *testing.T) {
	for _, ev := range []notify.Event{notify.EventResolve, notify.EventStable} {
		t.Run(string(ev), func(t *testing.T) {
			srv, got := receiver(t, http.StatusAccepted, nil)
			n := newNotifier(t, srv.URL, nil)
			m := sampleMessage()
			m.Event = ev
			m.Title = "RESOLVED: 198.18.0.11:6379/tcp closed"
			m.Text = "Closed at 10:12 UTC after 14m."
			if err := n.Send(context.Background(), m); err != nil {
				t.Fatalf("Send: %v", err)
			}
			r := <-got
			if want := "/v2/alerts/inc-42/close?identifierType=alias"; r.method != http.MethodPost || r.uri != want {
				t.Errorf("request %s %s, want POST %s", r.method, r.uri, want)
			}
			checkHeaders(t, r)
			assertGolden(t, "close.json", r.body)
		})
	}
}

// An alias with characters special in a path is escaped into one segment.
func TestSendCloseEscapesAlias(t *testing.T) {
	srv, got := receiver(t, http.StatusAccepted, nil)
	n := newNotifier(t, srv.URL, nil)
	m := sampleMessage()
	m.Event = notify.EventResolve
	m.IncidentKey = "group:dmz/198.18.0.11 6379?x"
	if err := n.Send(context.Background(), m); err != nil {
		t.Fatalf("Send: %v", err)
	}
	r := <-got
	if want := "/v2/alerts/group:dmz%2F198.18.0.11%206379%3Fx/close?identifierType=alias"; r.uri != want {
		t.Errorf("request to %s, want %s", r.uri, want)
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
		{"unauthorized", http.StatusUnauthorized, nil, true, 0},
		{"unprocessable", http.StatusUnprocessableEntity, nil, true, 0},
		{"rate limited", http.StatusTooManyRequests, nil, false, 0},
		{"rate limited with retry-after", http.StatusTooManyRequests, http.Header{"Retry-After": {"12"}}, false, 12 * time.Second},
		{"server error", http.StatusInternalServerError, nil, false, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv, got := receiver(t, tc.status, tc.header)
			n := newNotifier(t, srv.URL, nil)
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
			if !strings.Contains(err.Error(), "opsgenie: create alert n-0001") {
				t.Errorf("error %q does not say what failed", err)
			}
			if strings.Contains(err.Error(), testAPIKey) {
				t.Errorf("error %q leaks the API key", err)
			}
			<-got
		})
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
	n := newNotifier(t, srv.URL, nil)
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
	n := newNotifier(t, srv.URL, nil)
	m := sampleMessage()
	m.Event = "exploded"
	if err := n.Send(context.Background(), m); !notify.IsPermanent(err) {
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
		{Config{}, "opsgenie: api_key: missing"},
		{Config{APIKey: "a b"}, "opsgenie: api_key: contains white space"},
		{Config{APIKey: "k", APIURL: "api.opsgenie.com"}, `opsgenie: api_url: scheme "": want https (or http)`},
		{Config{APIKey: "k", APIURL: "https://api.opsgenie.com/?x=1"}, "opsgenie: api_url: want the base URL without query (e.g. https://api.opsgenie.com)"},
		{Config{APIKey: "k", Timeout: -time.Second}, "opsgenie: timeout: -1s is negative"},
		{Config{APIKey: "k", Responders: []string{"db"}}, `opsgenie: responders: "db": want TYPE:NAME, e.g. team:db-oncall`},
		{Config{APIKey: "k", Responders: []string{"group:db"}}, `opsgenie: responders: "group:db": type "group" is not team, user, escalation or schedule`},
	} {
		_, err := New(tc.cfg)
		if err == nil || err.Error() != tc.want {
			t.Errorf("New(%+v) = %v, want %q", tc.cfg, err, tc.want)
		}
	}
	n, err := New(Config{APIKey: "k"})
	if err != nil {
		t.Fatal(err)
	}
	if n.base != DefaultAPIURL || n.cfg.Timeout != DefaultTimeout || n.Kind() != "opsgenie" {
		t.Errorf("defaults: base %q, %+v, kind %q", n.base, n.cfg, n.Kind())
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
	n, err := New(Config{APIKey: testAPIKey, APIURL: srv.URL, Responders: sampleResponders}, WithClient(srv.Client()))
	if err != nil {
		t.Fatal(err)
	}
	if err := n.Send(context.Background(), sampleMessage()); err != nil {
		t.Fatalf("Send: %v", err)
	}
	assertGolden(t, "create.json", <-got)
}
