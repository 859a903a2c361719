// Package teams is the Microsoft Teams notifier: it posts one Adaptive
// Card per notification to a Power Automate "workflow" webhook (the
// replacement of the retired Office 365 connectors); see
// docs/notifiers/teams.md.
//
// Workflow webhooks cannot de-duplicate: a retry after a lost answer
// posts the card again. The notification ID is shown in the card's
// footer so that people can recognise such a duplicate.
package teams

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/portwatch/portwatch/internal/alert/notify"
	"github.com/portwatch/portwatch/internal/alert/provider/httpsend"
)

// Kind is the provider name.
const Kind = "teams"

// DefaultTimeout bounds one delivery when Config.Timeout is zero.
const DefaultTimeout = 10 * time.Second

// Config configures one Teams workflow webhook.
type Config struct {
	// URL is the workflow's "When a Teams webhook request is received"
	// trigger URL; its sig parameter is a secret.
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

// Notifier posts notifications to one Teams workflow webhook. It is safe
// for concurrent use.
type Notifier struct {
	target httpsend.Target
}

var _ notify.Notifier = (*Notifier)(nil)

// New validates cfg and returns its notifier.
func New(cfg Config, opts ...Option) (*Notifier, error) {
	t, err := httpsend.NewTarget(cfg.URL, cfg.Timeout, DefaultTimeout)
	if err != nil {
		return nil, fmt.Errorf("teams: %w", err)
	}
	n := &Notifier{target: t}
	for _, o := range opts {
		o(n)
	}
	return n, nil
}

// Kind returns "teams".
func (n *Notifier) Kind() string { return Kind }

// Send posts m once. Workflows answer 202 Accepted (any 2xx is success);
// 4xx other than 408/429 are permanent (a deleted or disabled workflow,
// an expired signature); 429 and 5xx are retried.
func (n *Notifier) Send(ctx context.Context, m notify.Message) error {
	body, err := Encode(m)
	if err != nil {
		return notify.Permanent(fmt.Errorf("teams: encode message %s: %w", m.ID, err))
	}
	if _, err := n.target.Post(ctx, nil, body); err != nil {
		return fmt.Errorf("teams: message %s: %w", m.ID, err)
	}
	return nil
}
