package slack

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

// receiver is a loopback HTTPS server standing in for hooks.slack.com:
// it records requests and answers status with body.
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

const hookPath = "/services/T0001/B0002/XXXXSECRETXXXX"

func TestSendDelivers(t *testing.T) {
	srv, got := receiver(t, http.StatusOK, "ok", "", false)
	n, err := New(Config{URL: srv.URL + hookPath}, WithClient(srv.Client()))
	if err != nil {
		t.Fatal(err)
	}
	if n.Kind() != "slack" {
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

func TestSendClassifiesSlackAnswers(t *testing.T) {
	cases := []struct {
		status           int
		body, retryAfter string
		permanent        bool
		delay            time.Duration
		hint             string
	}{
		{http.StatusBadRequest, "invalid_payload", "", true, 0, "could not parse"},
		{http.StatusForbidden, "action_prohibited", "", true, 0, "restricts posting"},
		{http.StatusNotFound, "no_service", "", true, 0, "revoked"},
		{http.StatusGone, "channel_is_archived", "", true, 0, "archived"},
		{http.StatusTooManyRequests, "rate_limited", "30", false, 30 * time.Second, ""},
		{http.StatusInternalServerError, "rollup_error", "", false, 0, ""},
	}
	for _, c := range cases {
		t.Run(c.body, func(t *testing.T) {
			srv, got := receiver(t, c.status, c.body, c.retryAfter, false)
			n, err := New(Config{URL: srv.URL + hookPath}, WithClient(srv.Client()))
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
			if !strings.Contains(err.Error(), c.hint) || !strings.Contains(err.Error(), c.body) {
				t.Errorf("error %q lacks %q or %q", err, c.body, c.hint)
			}
			if strings.Contains(err.Error(), "SECRET") {
				t.Errorf("error leaks the webhook token: %v", err)
			}
		})
	}
}

func TestSendHangingReceiver(t *testing.T) {
	srv, _ := receiver(t, http.StatusOK, "ok", "", true)
	n, err := New(Config{URL: srv.URL + hookPath, Timeout: 200 * time.Millisecond}, WithClient(srv.Client()))
	if err != nil {
		t.Fatal(err)
	}
	err = n.Send(context.Background(), sampleMessage())
	if !errors.Is(err, context.DeadlineExceeded) || notify.IsPermanent(err) {
		t.Fatalf("Send = %v, want a retryable deadline error", err)
	}
}

func TestNewRejects(t *testing.T) {
	for _, c := range []struct {
		cfg  Config
		want string
	}{
		{Config{}, "slack: url: no URL configured"},
		{Config{URL: "hooks.slack.com/services/x"}, `slack: url: scheme "" not supported (want https or http)`},
		{Config{URL: "https://"}, "slack: url: no host"},
		{Config{URL: "https://hooks.slack.com/x", Timeout: -time.Second}, "slack: timeout: -1s is negative"},
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
