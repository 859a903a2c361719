// Package shoutrrr is the long-tail notifier: it delivers notifications
// to any service github.com/nicholas-fedor/shoutrrr knows by URL
// ("discord://token@id", "ntfy://ntfy.sh/topic", "generic+https://...").
//
// shoutrrr's services take no context, so Send runs the delivery in a
// goroutine and returns when the context ends; the abandoned delivery may
// still complete later (and, for services whose HTTP client has no
// timeout, keeps its goroutine until the receiver answers or drops the
// connection).
package shoutrrr

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/nicholas-fedor/shoutrrr/pkg/router"
	"github.com/nicholas-fedor/shoutrrr/pkg/types"

	"github.com/portwatch/portwatch/internal/alert/notify"
)

// DefaultTimeout bounds one delivery when Config.Timeout is zero.
const DefaultTimeout = 10 * time.Second

// Config configures one shoutrrr receiver.
type Config struct {
	// URL is a shoutrrr service URL; it usually carries a secret.
	URL string
	// Timeout bounds one delivery (default DefaultTimeout); the outbox's
	// context deadline bounds it too.
	Timeout time.Duration
}

// Notifier sends through one shoutrrr service URL. It is safe for
// concurrent use: every Send builds its own service instance.
type Notifier struct {
	cfg     Config
	scheme  string
	secrets []string // parts of the URL kept out of error messages
}

var _ notify.Notifier = (*Notifier)(nil)

// New validates cfg.URL through shoutrrr's router (the scheme must name a
// service and the URL must satisfy it) and returns the notifier.
func New(cfg Config) (*Notifier, error) {
	if cfg.Timeout == 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.Timeout < 0 {
		return nil, fmt.Errorf("shoutrrr: timeout: %v is negative", cfg.Timeout)
	}
	if strings.TrimSpace(cfg.URL) == "" {
		return nil, errors.New("shoutrrr: url: missing")
	}
	u, err := url.Parse(cfg.URL)
	if err != nil {
		return nil, errors.New("shoutrrr: url: not a URL")
	}
	n := &Notifier{cfg: cfg, secrets: secrets(u)}
	scheme, _, _ := strings.Cut(u.Scheme, "+")
	n.scheme = strings.ToLower(scheme)
	if n.scheme == "" {
		return nil, errors.New("shoutrrr: url: no scheme (want e.g. discord://token@id)")
	}
	var r router.ServiceRouter
	if _, err := r.NewService(n.scheme); err != nil {
		return nil, fmt.Errorf("shoutrrr: url: unknown service %q", n.scheme)
	}
	if initDialsOut(n.scheme) {
		// Initializing would log in over the network; the credentials
		// are checked by the first delivery instead.
		return n, nil
	}
	if _, err := n.service(); err != nil {
		return nil, fmt.Errorf("shoutrrr: url: %w", err)
	}
	return n, nil
}

// initDialsOut reports whether initializing the scheme's service talks to
// the network (matrix logs in), which validation must not do.
func initDialsOut(scheme string) bool { return scheme == "matrix" }

// Kind returns "shoutrrr".
func (n *Notifier) Kind() string { return "shoutrrr" }

// Send delivers Title and Text as one message. Every error is retryable:
// shoutrrr's services do not tell a rejected message from an unreachable
// receiver, so the outbox retries until its last attempt.
func (n *Notifier) Send(ctx context.Context, m notify.Message) error {
	ctx, cancel := context.WithTimeout(ctx, n.cfg.Timeout)
	defer cancel()
	text := render(m)
	done := make(chan error, 1) // buffered: an abandoned send can still finish
	go func() {
		svc, err := n.service()
		if err == nil {
			err = svc.Send(text, &types.Params{})
		}
		done <- err
	}()
	select {
	case err := <-done:
		if err != nil {
			return fmt.Errorf("shoutrrr %s: send %s: %s", n.scheme, m.ID, n.redact(err.Error()))
		}
		return nil
	case <-ctx.Done():
		return fmt.Errorf("shoutrrr %s: send %s (may still complete): %w", n.scheme, m.ID, ctx.Err())
	}
}

// service builds and initializes a service instance for the URL, the way
// shoutrrr's router does, keeping the cause of a failure (the router
// replaces it with a generic one) and the secrets out of the message.
func (n *Notifier) service() (types.Service, error) {
	u, err := url.Parse(n.cfg.URL)
	if err != nil {
		return nil, errors.New("not a URL")
	}
	var r router.ServiceRouter
	svc, err := r.NewService(n.scheme)
	if err != nil {
		return nil, fmt.Errorf("unknown service %q", n.scheme)
	}
	if !strings.EqualFold(u.Scheme, n.scheme) {
		custom, ok := svc.(types.CustomURLService)
		if !ok {
			return nil, fmt.Errorf("service %q takes no custom URL (%s)", n.scheme, u.Scheme)
		}
		if u, err = custom.GetConfigURLFromCustom(u); err != nil {
			return nil, fmt.Errorf("%s: %s", n.scheme, n.redact(err.Error()))
		}
	}
	if err := svc.Initialize(u, nil); err != nil {
		return nil, fmt.Errorf("%s: %s", n.scheme, n.redact(err.Error()))
	}
	return svc, nil
}
