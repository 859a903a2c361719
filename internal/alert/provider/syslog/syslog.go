// Package syslog delivers notifications as RFC 5424 syslog messages over
// UDP (one datagram, RFC 5426), TCP (RFC 6587 octet counting) or TLS
// (RFC 5425), with either a plain title as MSG and the details in
// STRUCTURED-DATA, or an ArcSight CEF record as MSG for SIEMs.
package syslog

import (
	"context"

	"github.com/portwatch/portwatch/internal/alert/notify"
)

// Kind is the provider name.
const Kind = "syslog"

// Notifier sends syslog messages. It is safe for concurrent use: every
// Send opens its own connection.
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

// Kind returns "syslog".
func (n *Notifier) Kind() string { return Kind }

// Send delivers m once. Untrusted TLS certificates and messages that
// cannot fit a datagram are permanent; network errors are retryable.
// Over UDP a nil error only means the datagram left: UDP has no receipt.
func (n *Notifier) Send(ctx context.Context, m notify.Message) error {
	max := 0
	if n.s.Network == NetworkUDP {
		max = MaxUDPSize
	}
	msg, err := line(n.s, m, max)
	if err != nil {
		return err
	}
	payload := []byte(msg)
	if n.s.Network != NetworkUDP {
		payload = frame(msg)
	}
	return deliver(ctx, n.s, payload)
}
