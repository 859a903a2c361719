package email

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/smtp"
	"net/textproto"
	"strconv"
	"strings"
	"time"

	"github.com/portwatch/portwatch/internal/alert/notify"
)

// deliver runs one SMTP transaction: connect (implicit TLS or
// STARTTLS, never falling back to plain), AUTH over TLS only, MAIL,
// RCPT for every recipient, DATA, QUIT. The connection deadline is the
// earlier of ctx's deadline and s.Timeout, and cancelling ctx aborts it.
func deliver(ctx context.Context, s *settings, env envelope, msg []byte) error {
	deadline := time.Now().Add(s.Timeout)
	if d, ok := ctx.Deadline(); ok && d.Before(deadline) {
		deadline = d
	}
	ctx, cancel := context.WithDeadline(ctx, deadline)
	defer cancel()
	addr := net.JoinHostPort(s.Host, strconv.Itoa(s.Port))
	conn, err := dial(ctx, s, addr)
	if err != nil {
		return err
	}
	defer conn.Close()
	if err := conn.SetDeadline(deadline); err != nil {
		return fmt.Errorf("smtp %s: set deadline: %w", addr, err)
	}
	stop := context.AfterFunc(ctx, func() { conn.SetDeadline(time.Unix(1, 0)) })
	defer stop()

	c, err := smtp.NewClient(conn, s.Host)
	if err != nil {
		return classify(ctx, addr, "greeting", err)
	}
	defer c.Close()
	if err := c.Hello(s.LocalName); err != nil {
		return classify(ctx, addr, "EHLO", err)
	}
	if s.TLS == TLSStartTLS {
		if ok, _ := c.Extension("STARTTLS"); !ok {
			return notify.Permanent(fmt.Errorf("smtp %s: server does not offer STARTTLS (tls: starttls is required; not falling back to plain text)", addr))
		}
		if err := c.StartTLS(s.tls); err != nil {
			return classify(ctx, addr, "STARTTLS", err)
		}
	}
	if s.Username != "" {
		ok, mechs := c.Extension("AUTH")
		if !ok {
			return notify.Permanent(fmt.Errorf("smtp %s: server offers no AUTH but a username is configured", addr))
		}
		a := chooseAuth(mechs, s.Username, s.Password)
		if a == nil {
			return notify.Permanent(fmt.Errorf("smtp %s: server offers AUTH %s, neither PLAIN nor LOGIN", addr, mechs))
		}
		if err := c.Auth(a); err != nil {
			return classify(ctx, addr, "AUTH", err)
		}
	}
	if err := c.Mail(env.from); err != nil {
		return classify(ctx, addr, "MAIL FROM <"+env.from+">", err)
	}
	for _, rcpt := range env.to {
		if err := c.Rcpt(rcpt); err != nil {
			// One refused recipient fails the whole notification: a
			// partial delivery cannot be retried without duplicates.
			c.Reset()
			return classify(ctx, addr, "RCPT TO <"+rcpt+">", err)
		}
	}
	w, err := c.Data()
	if err != nil {
		return classify(ctx, addr, "DATA", err)
	}
	if _, err := w.Write(msg); err != nil {
		return classify(ctx, addr, "DATA", err)
	}
	if err := w.Close(); err != nil {
		return classify(ctx, addr, "end of DATA", err)
	}
	// The message is accepted; a failed QUIT changes nothing.
	c.Quit()
	return nil
}

// dial connects, with TLS from the first byte in implicit mode.
func dial(ctx context.Context, s *settings, addr string) (net.Conn, error) {
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, classify(ctx, addr, "dial", err)
	}
	if s.TLS != TLSImplicit {
		return conn, nil
	}
	tc := tls.Client(conn, s.tls)
	if err := tc.HandshakeContext(ctx); err != nil {
		conn.Close()
		return nil, classify(ctx, addr, "TLS handshake", err)
	}
	return tc, nil
}

// classify wraps err with the step that failed and marks what will not
// succeed on retry as permanent: 5xx replies (unknown recipient, failed
// authentication, policy rejection) and untrusted certificates. 4xx
// replies and network errors stay retryable.
func classify(ctx context.Context, addr, step string, err error) error {
	if ctxErr := ctx.Err(); ctxErr != nil && !errors.Is(err, ctxErr) {
		err = fmt.Errorf("%w (%w)", err, ctxErr)
	}
	wrapped := fmt.Errorf("smtp %s: %s: %w", addr, step, err)
	var te *textproto.Error
	if errors.As(err, &te) && te.Code >= 500 {
		return notify.Permanent(wrapped)
	}
	var ve *tls.CertificateVerificationError
	if errors.As(err, &ve) {
		return notify.Permanent(wrapped)
	}
	return wrapped
}

// splitFields splits an EHLO keyword's parameters.
func splitFields(s string) []string {
	return strings.Fields(strings.ToUpper(s))
}
