// Package httpsend is the one HTTP client every webhook-style notifier
// shares: a bounded POST with the response classified for the outbox
// (2xx delivered; 429 and 5xx and network errors retryable, with the
// receiver's Retry-After; other 4xx permanent), response bodies read up to
// a cap for the error message, and no redirects followed (a webhook that
// redirects is misconfigured, and following would re-send the payload
// somewhere else).
package httpsend

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/portwatch/portwatch/internal/alert/notify"
)

// maxErrorBody bounds how much of a failed response is kept for the error.
const maxErrorBody = 512

// DefaultTimeout bounds one request when the context has no deadline (a
// deadline on the context always wins).
const DefaultTimeout = 15 * time.Second

// Sender posts payloads. The zero value uses a client with DefaultTimeout
// that follows no redirects.
type Sender struct {
	// Client is the HTTP client (default: one that follows no redirects).
	// Tests inject clients that trust their receivers' certificates; an
	// injected client follows redirects unless its CheckRedirect says
	// otherwise.
	Client *http.Client
	// UserAgent is sent with every request (default "portwatch").
	UserAgent string
}

// Request is one POST.
type Request struct {
	URL         string
	ContentType string // default application/json
	Header      http.Header
	Body        []byte
}

// Response is what a delivered request returned.
type Response struct {
	Status int
	Header http.Header
	Body   []byte // up to 64 KiB, for providers whose answer carries an id
}

func (s *Sender) client() *http.Client {
	if s.Client != nil {
		return s.Client
	}
	return &http.Client{
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// unwrapURL drops the *url.Error layer, whose text repeats the full URL
// (webhook tokens live in it), keeping its cause.
func unwrapURL(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// Post sends r and classifies the outcome: nil for 2xx, an error wrapped
// with notify.Permanent for 4xx other than 408 and 429, notify.RetryAfter
// when the receiver said when to come back, a plain (retryable) error
// otherwise.
func (s *Sender) Post(ctx context.Context, r Request) (*Response, error) {
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, DefaultTimeout)
		defer cancel()
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, r.URL, bytes.NewReader(r.Body))
	if err != nil {
		return nil, notify.Permanent(fmt.Errorf("build request to %s: %w", redact(r.URL), unwrapURL(err)))
	}
	for k, vs := range r.Header {
		for _, v := range vs {
			req.Header.Add(k, v)
		}
	}
	ct := r.ContentType
	if ct == "" {
		ct = "application/json"
	}
	req.Header.Set("Content-Type", ct)
	ua := s.UserAgent
	if ua == "" {
		ua = "portwatch"
	}
	req.Header.Set("User-Agent", ua)
	resp, err := s.client().Do(req)
	if err != nil {
		return nil, fmt.Errorf("post %s: %w", redact(r.URL), unwrapURL(err))
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	out := &Response{Status: resp.StatusCode, Header: resp.Header, Body: body}
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		return out, nil
	}
	err = fmt.Errorf("post %s: %s: %s", redact(r.URL), resp.Status, snippet(body))
	switch {
	case resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500 || resp.StatusCode == http.StatusRequestTimeout:
		if d, ok := retryAfter(resp.Header.Get("Retry-After"), time.Now()); ok {
			return out, notify.RetryAfter(err, d)
		}
		return out, err
	case resp.StatusCode >= 300 && resp.StatusCode < 400:
		return out, notify.Permanent(fmt.Errorf("%w (redirects are not followed: fix the URL)", err))
	default:
		return out, notify.Permanent(err)
	}
}

// retryAfter parses a Retry-After header: seconds or an HTTP date.
func retryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if n, err := strconv.Atoi(v); err == nil && n >= 0 {
		return time.Duration(n) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(t.Sub(now), 0), true
	}
	return 0, false
}

// snippet renders the start of a response body for an error message.
func snippet(b []byte) string {
	s := strings.TrimSpace(string(b))
	if len(s) > maxErrorBody {
		s = s[:maxErrorBody] + "..."
	}
	if s == "" {
		return "(empty body)"
	}
	return strconv.Quote(s)
}

// redact keeps scheme, host and path of a URL out of secrets: webhook
// URLs often carry their token in the path (Slack, Teams), so only the
// host is shown.
func redact(raw string) string {
	i := strings.Index(raw, "://")
	if i < 0 {
		return "(url)"
	}
	rest := raw[i+3:]
	if j := strings.IndexAny(rest, "/?#"); j >= 0 {
		rest = rest[:j]
	}
	if k := strings.LastIndex(rest, "@"); k >= 0 {
		rest = rest[k+1:]
	}
	return raw[:i+3] + rest + "/…"
}

// CheckURL accepts absolute http(s) URLs, the webhook providers' check.
// Its errors never quote the URL: it may carry a token.
func CheckURL(raw string) error {
	if raw == "" {
		return ErrNoURL
	}
	u, err := url.Parse(raw)
	if err != nil {
		return errors.New("not a valid URL")
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return fmt.Errorf("scheme %q not supported (want https or http)", u.Scheme)
	}
	if u.Host == "" {
		return errors.New("no host")
	}
	return nil
}

// ErrNoURL is returned by providers configured without a URL.
var ErrNoURL = errors.New("no URL configured")

// Target is one configured receiver URL with its per-attempt timeout, as
// the webhook-style providers (webhook, Slack, Teams) hold it.
type Target struct {
	URL     string
	Timeout time.Duration
	Sender  Sender
}

// NewTarget checks a configured URL and timeout (0 takes def). Errors
// name the field ("url: ...", "timeout: ...") and never quote the URL.
func NewTarget(rawURL string, timeout, def time.Duration) (Target, error) {
	if err := CheckURL(rawURL); err != nil {
		return Target{}, fmt.Errorf("url: %w", err)
	}
	if timeout < 0 {
		return Target{}, fmt.Errorf("timeout: %v is negative", timeout)
	}
	if timeout == 0 {
		timeout = def
	}
	return Target{URL: rawURL, Timeout: timeout}, nil
}

// Post sends body (and header) to the target within its timeout; the
// outcome is classified as by Sender.Post.
func (t *Target) Post(ctx context.Context, header http.Header, body []byte) (*Response, error) {
	ctx, cancel := context.WithTimeout(ctx, t.Timeout)
	defer cancel()
	return t.Sender.Post(ctx, Request{URL: t.URL, Header: header, Body: body})
}
