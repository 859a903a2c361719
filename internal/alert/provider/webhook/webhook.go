// Package webhook is the generic JSON webhook notifier: it POSTs every
// notification as a versioned JSON envelope, with the notification's ID
// in an Idempotency-Key header, the operator's custom headers, and an
// HMAC-SHA256 signature over a timestamp and the body when a secret is
// configured (see docs/notifiers/webhook.md for the schema and how to
// verify the signature).
package webhook

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/portwatch/portwatch/internal/alert/notify"
	"github.com/portwatch/portwatch/internal/alert/provider/httpsend"
)

// Kind is the provider name.
const Kind = "webhook"

// DefaultTimeout bounds one delivery when Config.Timeout is zero.
const DefaultTimeout = 10 * time.Second

// MinSecretLen is the shortest accepted signing secret, in bytes.
const MinSecretLen = 16

// Headers set by the notifier itself.
const (
	// IdempotencyHeader carries Message.ID, the same on every retry.
	IdempotencyHeader = "Idempotency-Key"
	// SignatureHeader carries "t=<unix seconds>,v1=<hex HMAC-SHA256>".
	SignatureHeader = "X-Portwatch-Signature"
	// EventHeader carries Message.Event, for receivers that route on it
	// without parsing the body.
	EventHeader = "X-Portwatch-Event"
)

// reserved reports whether custom headers may not set name: the
// notifier or the HTTP stack owns it.
func reserved(name string) bool {
	switch http.CanonicalHeaderKey(name) {
	case "Content-Type", "Content-Length", "Host", "Transfer-Encoding", "Connection",
		"User-Agent", IdempotencyHeader, SignatureHeader, EventHeader:
		return true
	}
	return false
}

// Config configures one webhook receiver.
type Config struct {
	// URL receives the POST (http or https).
	URL string
	// Secret, when set, signs every request (SignatureHeader). At least
	// MinSecretLen bytes.
	Secret string
	// Headers are added to every request (e.g. Authorization). Names the
	// notifier sets itself are rejected.
	Headers map[string]string
	// Timeout bounds one delivery attempt (default DefaultTimeout); an
	// earlier context deadline wins.
	Timeout time.Duration
}

// Option changes how a Notifier delivers; the defaults suit production.
type Option func(*Notifier)

// WithClient makes the notifier send with c instead of httpsend's
// default client (tests: a client that trusts the receiver's certificate).
func WithClient(c *http.Client) Option {
	return func(n *Notifier) { n.target.Sender.Client = c }
}

// WithClock sets the clock that stamps signatures (tests).
func WithClock(now func() time.Time) Option {
	return func(n *Notifier) { n.now = now }
}

// Notifier posts notifications to one webhook receiver. It is safe for
// concurrent use.
type Notifier struct {
	target  httpsend.Target
	secret  []byte
	headers http.Header
	now     func() time.Time
}

var _ notify.Notifier = (*Notifier)(nil)

// New validates cfg and returns its notifier.
func New(cfg Config, opts ...Option) (*Notifier, error) {
	t, err := httpsend.NewTarget(cfg.URL, cfg.Timeout, DefaultTimeout)
	if err != nil {
		return nil, fmt.Errorf("webhook: %w", err)
	}
	if cfg.Secret != "" && len(cfg.Secret) < MinSecretLen {
		return nil, fmt.Errorf("webhook: secret: %d bytes, want at least %d (e.g. openssl rand -hex 32)", len(cfg.Secret), MinSecretLen)
	}
	h, err := checkHeaders(cfg.Headers)
	if err != nil {
		return nil, fmt.Errorf("webhook: headers: %w", err)
	}
	n := &Notifier{
		target:  t,
		secret:  []byte(cfg.Secret),
		headers: h,
		now:     time.Now,
	}
	for _, o := range opts {
		o(n)
	}
	return n, nil
}

// Kind returns "webhook".
func (n *Notifier) Kind() string { return Kind }

// Send posts m once. The body is the same bytes on every retry of m;
// the signature timestamp is the time of this attempt.
func (n *Notifier) Send(ctx context.Context, m notify.Message) error {
	body, err := Encode(m)
	if err != nil {
		return notify.Permanent(fmt.Errorf("webhook: encode message %s: %w", m.ID, err))
	}
	h := n.headers.Clone()
	if m.ID != "" {
		h.Set(IdempotencyHeader, m.ID)
	}
	if m.Event != "" {
		h.Set(EventHeader, string(m.Event))
	}
	if len(n.secret) > 0 {
		h.Set(SignatureHeader, Sign(n.secret, n.now(), body))
	}
	if _, err := n.target.Post(ctx, h, body); err != nil {
		return fmt.Errorf("webhook: message %s: %w", m.ID, err)
	}
	return nil
}

// checkHeaders validates custom headers and returns them canonicalised.
// Errors name the header but never its value (often a credential).
func checkHeaders(in map[string]string) (http.Header, error) {
	h := make(http.Header, len(in))
	for k, v := range in {
		if !validName(k) {
			return nil, fmt.Errorf("%q is not a valid header name", k)
		}
		if !validValue(v) {
			return nil, fmt.Errorf("header %q: value contains invalid characters", k)
		}
		if reserved(k) {
			return nil, fmt.Errorf("header %q is set by portwatch and cannot be overridden", k)
		}
		h.Set(k, v)
	}
	return h, nil
}

// validName reports whether s is an RFC 9110 token (a header name).
func validName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		case strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0:
		default:
			return false
		}
	}
	return true
}

// validValue reports whether s may be sent as a header value: no control
// characters other than horizontal tab (so no CR/LF header injection).
func validValue(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; (c < ' ' && c != '\t') || c == 0x7f {
			return false
		}
	}
	return true
}
