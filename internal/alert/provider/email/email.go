// Package email delivers notifications as e-mail over SMTP: STARTTLS
// (required, never skipped) or implicit TLS, AUTH PLAIN/LOGIN over TLS
// only, one text/plain UTF-8 message per notification. The Message-ID
// carries the notification ID and In-Reply-To/References the incident
// key, so mail clients thread a trigger, its reminders and its resolve.
package email

import (
	"context"

	"github.com/portwatch/portwatch/internal/alert/notify"
)

// Kind is the provider name.
const Kind = "email"

// Notifier sends e-mail. It is safe for concurrent use: every Send opens
// its own SMTP connection.
type Notifier struct {
	s *settings
}

var _ notify.Notifier = (*Notifier)(nil)

// New validates cfg and returns a Notifier.
func New(cfg Config) (*Notifier, error) {
	s, err := validate(cfg)
	if err != nil {
		return nil, err
	}
	return &Notifier{s: s}, nil
}

// Kind returns "email".
func (n *Notifier) Kind() string { return Kind }

// Send delivers m to every configured recipient in one SMTP transaction.
// 5xx replies and untrusted certificates are permanent; 4xx replies and
// network errors are retryable.
func (n *Notifier) Send(ctx context.Context, m notify.Message) error {
	env := envelope{from: n.s.from.Address}
	for _, a := range n.s.to {
		env.to = append(env.to, a.Address)
	}
	return deliver(ctx, n.s, env, buildMessage(n.s, m))
}
