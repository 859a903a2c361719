package shoutrrr

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/portwatch/portwatch/internal/alert/notify"
)

// secretToken stands for the credential a webhook path carries.
const secretToken = "s3cr3t-t0ken-8f2a"

// received is one request as the receiver saw it.
type received struct {
	method, uri string
	header      http.Header
	body        string
}

// receiver is a local webhook answering every request with status,
// recording what it got.
func receiver(t *testing.T, status int) (*httptest.Server, <-chan received) {
	t.Helper()
	got := make(chan received, 4)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, err := io.ReadAll(r.Body)
		if err != nil {
			t.Errorf("read body: %v", err)
		}
		got <- received{r.Method, r.RequestURI, r.Header.Clone(), string(b)}
		w.WriteHeader(status)
	}))
	t.Cleanup(srv.Close)
	return srv, got
}

// genericURL is shoutrrr's generic-webhook URL for srv with query q.
func genericURL(srv *httptest.Server, q string) string {
	return "generic+" + srv.URL + "/hooks/" + secretToken + q
}

func sampleMessage() notify.Message {
	return notify.Message{
		ID:          "n-0001",
		IncidentKey: "inc-42",
		Event:       notify.EventTrigger,
		Severity:    notify.SeverityCritical,
		Title:       "CRITICAL: 198.18.0.11:6379/tcp open (redis 7.0.15), forbidden in group dmz",
		Text:        "198.18.0.11:6379/tcp opened at 09:58 UTC.\nClose the port or add it to allowed_ports of group dmz.",
	}
}

const sampleText = "CRITICAL: 198.18.0.11:6379/tcp open (redis 7.0.15), forbidden in group dmz\n\n" +
	"198.18.0.11:6379/tcp opened at 09:58 UTC.\nClose the port or add it to allowed_ports of group dmz."

func TestSendGenericPlain(t *testing.T) {
	srv, got := receiver(t, http.StatusOK)
	n, err := New(Config{URL: genericURL(srv, "")})
	if err != nil {
		t.Fatal(err)
	}
	if err := n.Send(context.Background(), sampleMessage()); err != nil {
		t.Fatalf("Send: %v", err)
	}
	r := <-got
	if r.method != http.MethodPost || r.uri != "/hooks/"+secretToken {
		t.Errorf("request %s %s", r.method, r.uri)
	}
	if ct := r.header.Get("Content-Type"); ct != "text/plain" {
		t.Errorf("Content-Type %q, want text/plain", ct)
	}
	if r.body != sampleText {
		t.Errorf("body:\n%q\nwant:\n%q", r.body, sampleText)
	}
}

// With template=json and a custom header (shoutrrr's "@" query prefix),
// the generic service posts {"message": ...}.
func TestSendGenericJSON(t *testing.T) {
	srv, got := receiver(t, http.StatusNoContent)
	n, err := New(Config{URL: genericURL(srv, "?template=json&@X-Portwatch=yes")})
	if err != nil {
		t.Fatal(err)
	}
	if err := n.Send(context.Background(), sampleMessage()); err != nil {
		t.Fatalf("Send: %v", err)
	}
	r := <-got
	if ct := r.header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type %q, want application/json", ct)
	}
	if h := r.header.Get("X-Portwatch"); h != "yes" {
		t.Errorf("X-Portwatch header %q, want yes", h)
	}
	want, _ := json.Marshal(map[string]string{"message": sampleText})
	if r.body != string(want) {
		t.Errorf("body:\n%s\nwant:\n%s", r.body, want)
	}
}

func TestSendErrorStatus(t *testing.T) {
	for _, status := range []int{http.StatusBadRequest, http.StatusTooManyRequests, http.StatusInternalServerError} {
		srv, got := receiver(t, status)
		n, err := New(Config{URL: genericURL(srv, "")})
		if err != nil {
			t.Fatal(err)
		}
		err = n.Send(context.Background(), sampleMessage())
		if err == nil {
			t.Fatalf("status %d: no error", status)
		}
		if notify.IsPermanent(err) {
			t.Errorf("status %d: %v marked permanent; shoutrrr errors are all retryable", status, err)
		}
		if !strings.HasPrefix(err.Error(), "shoutrrr generic: send n-0001: ") || !strings.Contains(err.Error(), http.StatusText(status)) {
			t.Errorf("status %d: error %q does not say what failed", status, err)
		}
		<-got
	}
}

// A refused connection makes the library quote the URL: the token in its
// path must not reach the error.
func TestSendErrorRedacted(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	url := genericURL(srv, "?apikey=another-secret-value")
	srv.Close() // nothing listens there any more
	n, err := New(Config{URL: url})
	if err != nil {
		t.Fatal(err)
	}
	err = n.Send(context.Background(), sampleMessage())
	if err == nil {
		t.Fatal("Send to a closed port: no error")
	}
	for _, s := range []string{secretToken, "another-secret-value"} {
		if strings.Contains(err.Error(), s) {
			t.Errorf("error %q leaks %q", err, s)
		}
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
	n, err := New(Config{URL: genericURL(srv, "")})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	err = n.Send(ctx, sampleMessage())
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Send to a hanging receiver: %v, want a deadline error", err)
	}
	if notify.IsPermanent(err) {
		t.Errorf("deadline error marked permanent: %v", err)
	}
}

func TestNewValidates(t *testing.T) {
	for _, tc := range []struct {
		cfg  Config
		want string
	}{
		{Config{}, "shoutrrr: url: missing"},
		{Config{URL: "carrierpigeon://coop/42"}, `shoutrrr: url: unknown service "carrierpigeon"`},
		{Config{URL: "Carrier+https://coop/42"}, `shoutrrr: url: unknown service "carrier"`},
		{Config{URL: "no-scheme-here"}, "shoutrrr: url: no scheme (want e.g. discord://token@id)"},
		{Config{URL: "%zz://x"}, "shoutrrr: url: not a URL"},
		{Config{URL: "logger://", Timeout: -time.Second}, "shoutrrr: timeout: -1s is negative"},
	} {
		_, err := New(tc.cfg)
		if err == nil || err.Error() != tc.want {
			t.Errorf("New(%+v) = %v, want %q", tc.cfg, err, tc.want)
		}
	}
	// A known service whose URL it rejects: the error names the service
	// and keeps the token out.
	_, err := New(Config{URL: "discord://" + secretToken + "@"})
	if err == nil || !strings.HasPrefix(err.Error(), "shoutrrr: url: discord: ") || strings.Contains(err.Error(), secretToken) {
		t.Errorf("New(bad discord URL) = %v, want a redacted discord error", err)
	}
	for _, ok := range []string{"discord://" + secretToken + "@123456789", "generic+https://hooks.example.org/x", "ntfy://ntfy.example.org/alerts", "logger://"} {
		n, err := New(Config{URL: ok})
		if err != nil {
			t.Errorf("New(%q): %v", ok, err)
			continue
		}
		if n.Kind() != "shoutrrr" || n.cfg.Timeout != DefaultTimeout {
			t.Errorf("New(%q): kind %q, timeout %v", ok, n.Kind(), n.cfg.Timeout)
		}
	}
	// matrix logs in when initialized: New checks only the scheme.
	if _, err := New(Config{URL: "matrix://user:pass@matrix.example.org"}); err != nil {
		t.Errorf("New(matrix URL): %v", err)
	}
}
