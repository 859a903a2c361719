// Package pagerduty delivers notifications to PagerDuty through the Events
// API v2: trigger events open (or add to) an incident keyed by the
// notification's IncidentKey, resolve events close it.
package pagerduty

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/portwatch/portwatch/internal/alert/notify"
	"github.com/portwatch/portwatch/internal/alert/provider/httpsend"
)

// DefaultURL is the Events API v2 endpoint.
const DefaultURL = "https://events.pagerduty.com/v2/enqueue"

// DefaultTimeout bounds one delivery when Config.Timeout is zero.
const DefaultTimeout = 10 * time.Second

// routingKeyLen is the length of an Events API v2 integration (routing) key.
const routingKeyLen = 32

// Config configures one PagerDuty receiver.
type Config struct {
	// RoutingKey is the 32-character integration key of an Events API v2
	// integration on a service (or of a global event orchestration).
	RoutingKey string
	// URL is the Events API endpoint (default DefaultURL); tests point it
	// at a local receiver.
	URL string
	// Timeout bounds one delivery (default DefaultTimeout). A test
	// delivery makes two requests within it.
	Timeout time.Duration
}

// Notifier sends to one PagerDuty routing key. It is safe for concurrent use.
type Notifier struct {
	cfg    Config
	sender httpsend.Sender
}

var _ notify.Notifier = (*Notifier)(nil)

// Option changes how a Notifier delivers; the defaults suit production.
type Option func(*Notifier)

// WithClient makes the notifier send with c instead of httpsend's
// default client (tests: a client that trusts the receiver's certificate).
func WithClient(c *http.Client) Option {
	return func(n *Notifier) { n.sender.Client = c }
}

// New validates cfg, fills its defaults and returns the notifier.
func New(cfg Config, opts ...Option) (*Notifier, error) {
	if cfg.URL == "" {
		cfg.URL = DefaultURL
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = DefaultTimeout
	}
	if err := validateRoutingKey(cfg.RoutingKey); err != nil {
		return nil, fmt.Errorf("pagerduty: routing_key: %w", err)
	}
	if err := validateURL(cfg.URL); err != nil {
		return nil, fmt.Errorf("pagerduty: url: %w", err)
	}
	if cfg.Timeout < 0 {
		return nil, fmt.Errorf("pagerduty: timeout: %v is negative", cfg.Timeout)
	}
	n := &Notifier{cfg: cfg}
	for _, o := range opts {
		o(n)
	}
	return n, nil
}

// Kind returns "pagerduty".
func (n *Notifier) Kind() string { return "pagerduty" }

// Send delivers m as one Events API v2 event: trigger for trigger,
// reminder and flapping, resolve for resolve and stable. A test message
// is sent as a trigger followed by a resolve of the same dedup key, so the
// receiver is paged once and no incident stays open.
func (n *Notifier) Send(ctx context.Context, m notify.Message) error {
	actions, err := actionsFor(m.Event)
	if err != nil {
		return notify.Permanent(fmt.Errorf("pagerduty: %w", err))
	}
	ctx, cancel := context.WithTimeout(ctx, n.cfg.Timeout)
	defer cancel()
	for _, a := range actions {
		body, err := encodeEvent(n.cfg.RoutingKey, a, m)
		if err != nil {
			return notify.Permanent(fmt.Errorf("pagerduty: encode %s event %s: %w", a, m.ID, err))
		}
		if _, err := n.sender.Post(ctx, httpsend.Request{URL: n.cfg.URL, Body: body}); err != nil {
			return fmt.Errorf("pagerduty: %s event %s: %w", a, m.ID, err)
		}
	}
	return nil
}

// actionsFor maps a notification event onto Events API actions.
func actionsFor(e notify.Event) ([]action, error) {
	switch e {
	case notify.EventTrigger, notify.EventReminder, notify.EventFlapping:
		return []action{actionTrigger}, nil
	case notify.EventResolve, notify.EventStable:
		return []action{actionResolve}, nil
	case notify.EventTest:
		return []action{actionTrigger, actionResolve}, nil
	}
	return nil, fmt.Errorf("unknown event %q", e)
}

func validateRoutingKey(k string) error {
	if k == "" {
		return errors.New("missing")
	}
	if len(k) != routingKeyLen {
		return fmt.Errorf("has %d characters, want %d", len(k), routingKeyLen)
	}
	for _, c := range k {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
			return fmt.Errorf("contains %q: only letters and digits are allowed", c)
		}
	}
	return nil
}

func validateURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil {
		return fmt.Errorf("parse: %w", err)
	}
	if u.Scheme != "https" && u.Scheme != "http" {
		return fmt.Errorf("scheme %q: want https (or http)", u.Scheme)
	}
	if u.Host == "" {
		return errors.New("no host")
	}
	return nil
}
