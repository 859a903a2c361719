package webhook

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/portwatch/portwatch/internal/alert/notify"
)

// received is one request as the receiver saw it.
type received struct {
	method string
	header http.Header
	body   []byte
}

// receiver is a loopback HTTP server that records requests and answers
// with status (and Retry-After when set); hang makes it wait until the
// client gives up.
func receiver(t *testing.T, tls bool, status int, retryAfter string, hang bool) (*httptest.Server, <-chan received) {
	t.Helper()
	got := make(chan received, 4)
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		got <- received{r.Method, r.Header.Clone(), body}
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
		fmt.Fprint(w, http.StatusText(status))
	})
	var srv *httptest.Server
	if tls {
		srv = httptest.NewTLSServer(h)
	} else {
		srv = httptest.NewServer(h)
	}
	t.Cleanup(srv.Close)
	return srv, got
}

const testSecret = "whsec_0123456789abcdef"

var sentAt = time.Date(2026, 11, 21, 21, 0, 5, 0, time.UTC)

// verifySignature is the receiver-side check from docs/notifiers/webhook.md.
func verifySignature(secret, header string, body []byte, now time.Time, tolerance time.Duration) error {
	var ts, sig string
	for _, part := range strings.Split(header, ",") {
		k, v, _ := strings.Cut(part, "=")
		switch k {
		case "t":
			ts = v
		case "v1":
			sig = v
		}
	}
	unix, err := strconv.ParseInt(ts, 10, 64)
	if err != nil || sig == "" {
		return errors.New("malformed signature header")
	}
	if d := now.Sub(time.Unix(unix, 0)); d > tolerance || d < -tolerance {
		return errors.New("timestamp outside tolerance (replay?)")
	}
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(ts + "."))
	mac.Write(body)
	want := hex.EncodeToString(mac.Sum(nil))
	if !hmac.Equal([]byte(sig), []byte(want)) {
		return errors.New("signature mismatch")
	}
	return nil
}

func TestSendDelivers(t *testing.T) {
	for _, tls := range []bool{false, true} {
		t.Run(fmt.Sprintf("tls=%v", tls), func(t *testing.T) {
			srv, got := receiver(t, tls, http.StatusOK, "", false)
			n, err := New(Config{
				URL:     srv.URL + "/hooks/portwatch?src=pw",
				Secret:  testSecret,
				Headers: map[string]string{"authorization": "Bearer t0k3n", "X-Team": "db"},
			}, WithClient(srv.Client()), WithClock(func() time.Time { return sentAt }))
			if err != nil {
				t.Fatal(err)
			}
			if n.Kind() != "webhook" {
				t.Errorf("Kind = %q", n.Kind())
			}
			if err := n.Send(context.Background(), sampleMessage()); err != nil {
				t.Fatalf("Send: %v", err)
			}
			r := <-got
			if r.method != http.MethodPost {
				t.Errorf("method %s", r.method)
			}
			golden(t, "envelope.json", r.body)
			want, _ := Encode(sampleMessage())
			if string(r.body) != string(want) {
				t.Errorf("body is not the exact Encode bytes")
			}
			for k, v := range map[string]string{
				"Content-Type":          "application/json",
				"User-Agent":            "portwatch",
				"Idempotency-Key":       "ntf-01JD7XQ3Z8",
				"X-Portwatch-Event":     "trigger",
				"Authorization":         "Bearer t0k3n",
				"X-Team":                "db",
				"X-Portwatch-Signature": Sign([]byte(testSecret), sentAt, want),
			} {
				if g := r.header.Get(k); g != v {
					t.Errorf("header %s = %q, want %q", k, g, v)
				}
			}
			sig := r.header.Get(SignatureHeader)
			if !strings.HasPrefix(sig, "t=1795294805,v1=") {
				t.Errorf("signature header %q", sig)
			}
			if err := verifySignature(testSecret, sig, r.body, sentAt.Add(2*time.Minute), 5*time.Minute); err != nil {
				t.Errorf("receiver-side verification: %v", err)
			}
			if err := verifySignature(testSecret, sig, r.body, sentAt.Add(time.Hour), 5*time.Minute); err == nil {
				t.Error("a replay an hour later verified")
			}
			if err := verifySignature("whsec_another_secret_00", sig, r.body, sentAt, 5*time.Minute); err == nil {
				t.Error("wrong secret verified")
			}
			tampered := append([]byte{}, r.body...)
			tampered[len(tampered)-2] = ' '
			if err := verifySignature(testSecret, sig, tampered, sentAt, 5*time.Minute); err == nil {
				t.Error("tampered body verified")
			}
		})
	}
}

func TestSendWithoutSecretOrID(t *testing.T) {
	srv, got := receiver(t, false, http.StatusAccepted, "", false)
	n, err := New(Config{URL: srv.URL}, WithClient(srv.Client()))
	if err != nil {
		t.Fatal(err)
	}
	m := sampleMessage()
	m.ID = ""
	if err := n.Send(context.Background(), m); err != nil {
		t.Fatalf("Send: %v", err)
	}
	r := <-got
	for _, k := range []string{SignatureHeader, IdempotencyHeader} {
		if v, ok := r.header[k]; ok {
			t.Errorf("unexpected header %s: %q", k, v)
		}
	}
}

func TestSendClassifiesFailures(t *testing.T) {
	cases := []struct {
		name       string
		status     int
		retryAfter string
		permanent  bool
		delay      time.Duration
		hasDelay   bool
	}{
		{"429 retry-after", http.StatusTooManyRequests, "7", false, 7 * time.Second, true},
		{"503 retry-after", http.StatusServiceUnavailable, "120", false, 2 * time.Minute, true},
		{"500", http.StatusInternalServerError, "", false, 0, false},
		{"400", http.StatusBadRequest, "", true, 0, false},
		{"401", http.StatusUnauthorized, "", true, 0, false},
		{"404", http.StatusNotFound, "", true, 0, false},
		{"410", http.StatusGone, "", true, 0, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			srv, got := receiver(t, false, c.status, c.retryAfter, false)
			n, err := New(Config{URL: srv.URL + "/secret-path"}, WithClient(srv.Client()))
			if err != nil {
				t.Fatal(err)
			}
			err = n.Send(context.Background(), sampleMessage())
			<-got
			if err == nil {
				t.Fatal("Send succeeded")
			}
			if notify.IsPermanent(err) != c.permanent {
				t.Errorf("IsPermanent = %v, want %v (%v)", !c.permanent, c.permanent, err)
			}
			d, ok := notify.RetryDelay(err)
			if ok != c.hasDelay || d != c.delay {
				t.Errorf("RetryDelay = %v, %v; want %v, %v", d, ok, c.delay, c.hasDelay)
			}
			if strings.Contains(err.Error(), "secret-path") {
				t.Errorf("error leaks the URL path: %v", err)
			}
			if !strings.Contains(err.Error(), strconv.Itoa(c.status)) {
				t.Errorf("error does not name the status: %v", err)
			}
		})
	}
}

func TestSendHangingReceiver(t *testing.T) {
	t.Run("context deadline", func(t *testing.T) {
		srv, _ := receiver(t, false, http.StatusOK, "", true)
		n, err := New(Config{URL: srv.URL}, WithClient(srv.Client()))
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
		defer cancel()
		err = n.Send(ctx, sampleMessage())
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("Send = %v, want a deadline error", err)
		}
		if notify.IsPermanent(err) {
			t.Error("a timeout is permanent")
		}
	})
	t.Run("config timeout", func(t *testing.T) {
		srv, _ := receiver(t, false, http.StatusOK, "", true)
		n, err := New(Config{URL: srv.URL, Timeout: 200 * time.Millisecond}, WithClient(srv.Client()))
		if err != nil {
			t.Fatal(err)
		}
		err = n.Send(context.Background(), sampleMessage())
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("Send = %v, want a deadline error", err)
		}
	})
}

func TestNewRejects(t *testing.T) {
	cases := []struct {
		cfg  Config
		want string
	}{
		{Config{}, "webhook: url: no URL configured"},
		{Config{URL: "ftp://example.org/x"}, `webhook: url: scheme "ftp" not supported (want https or http)`},
		{Config{URL: "https:///path-only"}, "webhook: url: no host"},
		{Config{URL: "http://a b/\x7f"}, "webhook: url: not a valid URL"},
		{Config{URL: "https://h/", Secret: "short"}, "webhook: secret: 5 bytes, want at least 16 (e.g. openssl rand -hex 32)"},
		{Config{URL: "https://h/", Timeout: -time.Second}, "webhook: timeout: -1s is negative"},
		{Config{URL: "https://h/", Headers: map[string]string{"Bad Name": "x"}}, `webhook: headers: "Bad Name" is not a valid header name`},
		{Config{URL: "https://h/", Headers: map[string]string{"X-A": "v\r\nX-Injected: 1"}}, `webhook: headers: header "X-A": value contains invalid characters`},
		{Config{URL: "https://h/", Headers: map[string]string{"idempotency-key": "x"}}, `webhook: headers: header "idempotency-key" is set by portwatch and cannot be overridden`},
		{Config{URL: "https://h/", Headers: map[string]string{"Content-Type": "text/plain"}}, `webhook: headers: header "Content-Type" is set by portwatch and cannot be overridden`},
	}
	for _, c := range cases {
		_, err := New(c.cfg)
		if err == nil || err.Error() != c.want {
			t.Errorf("New(%+v) = %v, want %q", c.cfg, err, c.want)
		}
	}
}

func TestSendReceiverDownHidesURL(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	u := srv.URL
	srv.Close()
	n, err := New(Config{URL: u + "/hook/SECRETTOKEN?key=SECRETKEY"})
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
