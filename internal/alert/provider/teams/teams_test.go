package teams

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/portwatch/portwatch/internal/alert/notify"
)

type received struct {
	header http.Header
	body   []byte
}

// receiver is a loopback HTTPS server standing in for a workflow
// trigger: it records requests and answers status with body.
func receiver(t *testing.T, status int, body, retryAfter string, hang bool) (*httptest.Server, <-chan received) {
	t.Helper()
	got := make(chan received, 4)
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got <- received{r.Header.Clone(), b}
		if hang {
			<-r.Context().Done()
			// A handler that returns writes an implicit 200: abort
			// instead, so a hanging receiver never answers at all.
			panic(http.ErrAbortHandler)
		}
		if retryAfter != "" {
			w.Header().Set("Retry-After", retryAfter)
		}
		w.WriteHeader(status)
		fmt.Fprint(w, body)
	}))
	t.Cleanup(srv.Close)
	return srv, got
}

const triggerPath = "/workflows/0a1b/triggers/manual/paths/invoke?api-version=2016-06-01&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig=SECRETSIG"

func TestSendDelivers(t *testing.T) {
	srv, got := receiver(t, http.StatusAccepted, "", "", false)
	n, err := New(Config{URL: srv.URL + triggerPath}, WithClient(srv.Client()))
	if err != nil {
		t.Fatal(err)
	}
	if n.Kind() != "teams" {
		t.Errorf("Kind = %q", n.Kind())
	}
	if err := n.Send(context.Background(), sampleMessage()); err != nil {
		t.Fatalf("Send: %v", err)
	}
	r := <-got
	golden(t, "trigger.json", r.body)
	if ct := r.header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type %q", ct)
	}
}

func TestSendClassifiesAnswers(t *testing.T) {
	cases := []struct {
		status     int
		retryAfter string
		permanent  bool
		delay      time.Duration
	}{
		{http.StatusBadRequest, "", true, 0},
		{http.StatusUnauthorized, "", true, 0},
		{http.StatusNotFound, "", true, 0},
		{http.StatusTooManyRequests, "12", false, 12 * time.Second},
		{http.StatusBadGateway, "", false, 0},
	}
	for _, c := range cases {
		t.Run(fmt.Sprint(c.status), func(t *testing.T) {
			srv, got := receiver(t, c.status, `{"error":{"code":"x","message":"y"}}`, c.retryAfter, false)
			n, err := New(Config{URL: srv.URL + triggerPath}, WithClient(srv.Client()))
			if err != nil {
				t.Fatal(err)
			}
			err = n.Send(context.Background(), sampleMessage())
			<-got
			if err == nil {
				t.Fatal("Send succeeded")
			}
			if notify.IsPermanent(err) != c.permanent {
				t.Errorf("IsPermanent = %v (%v)", !c.permanent, err)
			}
			if d, _ := notify.RetryDelay(err); d != c.delay {
				t.Errorf("RetryDelay = %v, want %v", d, c.delay)
			}
			if strings.Contains(err.Error(), "SECRETSIG") {
				t.Errorf("error leaks the signature: %v", err)
			}
		})
	}
}

func TestSendHangingReceiver(t *testing.T) {
	srv, _ := receiver(t, http.StatusAccepted, "", "", true)
	n, err := New(Config{URL: srv.URL + triggerPath}, WithClient(srv.Client()))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	err = n.Send(ctx, sampleMessage())
	if !errors.Is(err, context.DeadlineExceeded) || notify.IsPermanent(err) {
		t.Fatalf("Send = %v, want a retryable deadline error", err)
	}
}

func TestNewRejects(t *testing.T) {
	for _, c := range []struct {
		cfg  Config
		want string
	}{
		{Config{}, "teams: url: no URL configured"},
		{Config{URL: "mailto:x@example.org"}, `teams: url: scheme "mailto" not supported (want https or http)`},
		{Config{URL: "https://h/x", Timeout: -time.Second}, "teams: timeout: -1s is negative"},
	} {
		if _, err := New(c.cfg); err == nil || err.Error() != c.want {
			t.Errorf("New(%+v) = %v, want %q", c.cfg, err, c.want)
		}
	}
}

func TestSendReceiverDownHidesURL(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	u := srv.URL
	srv.Close()
	n, err := New(Config{URL: u + "/hook/SECRETTOKEN?sig=SECRETSIG"})
	if err != nil {
		t.Fatal(err)
	}
	err = n.Send(context.Background(), sampleMessage())
	if err == nil || notify.IsPermanent(err) {
		t.Fatalf("Send = %v, want a retryable error", err)
	}
	if strings.Contains(err.Error(), "SECRET") {
		t.Errorf("error leaks the URL: %v", err)
	}
	if !strings.Contains(err.Error(), "connection refused") {
		t.Errorf("error lacks its cause: %v", err)
	}
}
