// Package slack is the Slack notifier: it posts one Block Kit message per
// notification to an incoming webhook (see docs/notifiers/slack.md).
//
// Incoming webhooks cannot de-duplicate: after a crash between Slack's
// "ok" and the outbox recording it, a retry posts the message again. The
// notification ID is shown in the message's context line so that people
// can recognise such a duplicate.
package slack

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
const Kind = "slack"

// DefaultTimeout bounds one delivery when Config.Timeout is zero.
const DefaultTimeout = 10 * time.Second

// Config configures one Slack incoming webhook.
type Config struct {
	// URL is the incoming webhook URL
	// (https://hooks.slack.com/services/T…/B…/…); it is a secret.
	URL string
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

// Notifier posts notifications to one Slack incoming webhook. It is safe
// for concurrent use.
type Notifier struct {
	target httpsend.Target
}

var _ notify.Notifier = (*Notifier)(nil)

// New validates cfg and returns its notifier.
func New(cfg Config, opts ...Option) (*Notifier, error) {
	t, err := httpsend.NewTarget(cfg.URL, cfg.Timeout, DefaultTimeout)
	if err != nil {
		return nil, fmt.Errorf("slack: %w", err)
	}
	n := &Notifier{target: t}
	for _, o := range opts {
		o(n)
	}
	return n, nil
}

// Kind returns "slack".
func (n *Notifier) Kind() string { return Kind }

// Send posts m once. Slack answers 200 "ok"; 400 invalid_payload and
// 403/404/410 (revoked hook, archived channel) are permanent; 429 and 5xx
// are retried, after Slack's Retry-After when it gives one.
func (n *Notifier) Send(ctx context.Context, m notify.Message) error {
	body, err := Encode(m)
	if err != nil {
		return notify.Permanent(fmt.Errorf("slack: encode message %s: %w", m.ID, err))
	}
	resp, err := n.target.Post(ctx, nil, body)
	if err != nil {
		if resp != nil {
			if h := hint(string(resp.Body)); h != "" {
				return fmt.Errorf("slack: message %s: %w (%s)", m.ID, err, h)
			}
		}
		return fmt.Errorf("slack: message %s: %w", m.ID, err)
	}
	return nil
}

// hint explains Slack's incoming-webhook error codes.
func hint(body string) string {
	switch strings.TrimSpace(body) {
	case "invalid_payload":
		return "Slack could not parse the message: a portwatch bug, please report it"
	case "no_service", "no_active_hooks", "invalid_token":
		return "the webhook was revoked or its app removed: create a new one"
	case "no_team", "team_disabled":
		return "the Slack workspace is gone or disabled"
	case "channel_is_archived", "channel_not_found":
		return "the webhook's channel was archived or deleted"
	case "action_prohibited", "posting_to_general_channel_denied":
		return "a workspace admin restricts posting to this channel"
	}
	return ""
}
