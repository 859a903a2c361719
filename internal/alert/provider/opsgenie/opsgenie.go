// Package opsgenie delivers notifications to Opsgenie through the Alert
// API v2: trigger events create an alert whose alias is the incident key
// (Opsgenie de-duplicates open alerts by alias), resolve events close it.
package opsgenie

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/portwatch/portwatch/internal/alert/notify"
	"github.com/portwatch/portwatch/internal/alert/provider/httpsend"
)

// API endpoints of the two Opsgenie instances.
const (
	DefaultAPIURL = "https://api.opsgenie.com"
	EUAPIURL      = "https://api.eu.opsgenie.com"
)

// DefaultTimeout bounds one delivery when Config.Timeout is zero.
const DefaultTimeout = 10 * time.Second

// Config configures one Opsgenie receiver.
type Config struct {
	// APIKey is the key of an API integration ("GenieKey" authorization).
	APIKey string
	// APIURL is the API base URL: DefaultAPIURL, EUAPIURL for the EU
	// instance, or a local receiver in tests.
	APIURL string
	// Responders are who the alert is assigned to, each "TYPE:NAME" with
	// TYPE one of team, user (NAME is the username), escalation or
	// schedule: "team:db-oncall". Optional: without responders the
	// integration's own settings decide.
	Responders []string
	// Timeout bounds one delivery (default DefaultTimeout).
	Timeout time.Duration
}

// Notifier sends to one Opsgenie integration. It is safe for concurrent use.
type Notifier struct {
	cfg        Config
	base       string // APIURL without a trailing slash
	responders []responder
	sender     httpsend.Sender
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
	if cfg.APIURL == "" {
		cfg.APIURL = DefaultAPIURL
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = DefaultTimeout
	}
	if strings.TrimSpace(cfg.APIKey) == "" {
		return nil, errors.New("opsgenie: api_key: missing")
	}
	if strings.ContainsAny(cfg.APIKey, " \t\r\n") {
		return nil, errors.New("opsgenie: api_key: contains white space")
	}
	if err := validateURL(cfg.APIURL); err != nil {
		return nil, fmt.Errorf("opsgenie: api_url: %w", err)
	}
	if cfg.Timeout < 0 {
		return nil, fmt.Errorf("opsgenie: timeout: %v is negative", cfg.Timeout)
	}
	rs, err := parseResponders(cfg.Responders)
	if err != nil {
		return nil, fmt.Errorf("opsgenie: responders: %w", err)
	}
	n := &Notifier{cfg: cfg, base: strings.TrimRight(cfg.APIURL, "/"), responders: rs}
	for _, o := range opts {
		o(n)
	}
	return n, nil
}

// Kind returns "opsgenie".
func (n *Notifier) Kind() string { return "opsgenie" }

// Send creates the alert for trigger, reminder, flapping and test
// messages (a reminder for an open alert only raises its count) and
// closes it for resolve and stable. A test alert is not closed: Opsgenie
// processes requests asynchronously and may run a close before its create.
func (n *Notifier) Send(ctx context.Context, m notify.Message) error {
	var (
		req httpsend.Request
		err error
		op  string
	)
	switch m.Event {
	case notify.EventTrigger, notify.EventReminder, notify.EventFlapping, notify.EventTest:
		op = "create"
		req.URL = n.base + "/v2/alerts"
		req.Body, err = encodeCreate(m, n.responders)
	case notify.EventResolve, notify.EventStable:
		op = "close"
		alias := alias(m)
		req.URL = n.base + "/v2/alerts/" + url.PathEscape(alias) + "/close?identifierType=alias"
		req.Body, err = encodeClose(m)
	default:
		return notify.Permanent(fmt.Errorf("opsgenie: unknown event %q", m.Event))
	}
	if err != nil {
		return notify.Permanent(fmt.Errorf("opsgenie: encode %s %s: %w", op, m.ID, err))
	}
	req.Header = http.Header{"Authorization": {"GenieKey " + n.cfg.APIKey}}
	ctx, cancel := context.WithTimeout(ctx, n.cfg.Timeout)
	defer cancel()
	if _, err := n.sender.Post(ctx, req); err != nil {
		return fmt.Errorf("opsgenie: %s alert %s: %w", op, m.ID, err)
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
	if u.RawQuery != "" || u.Fragment != "" {
		return errors.New("want the base URL without query (e.g. " + DefaultAPIURL + ")")
	}
	return nil
}
