package syslog

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"time"

	"github.com/portwatch/portwatch/internal/alert/notify"
)

// deliver connects, writes payload and closes: one datagram for udp, one
// octet-counted frame over tcp or tls. A connection per notification
// keeps the Notifier free of connection state; notifications are rare.
func deliver(ctx context.Context, s *settings, payload []byte) error {
	deadline := time.Now().Add(s.Timeout)
	if d, ok := ctx.Deadline(); ok && d.Before(deadline) {
		deadline = d
	}
	ctx, cancel := context.WithDeadline(ctx, deadline)
	defer cancel()
	network := "tcp"
	if s.Network == NetworkUDP {
		network = "udp"
	}
	var d net.Dialer
	conn, err := d.DialContext(ctx, network, s.Address)
	if err != nil {
		return fmt.Errorf("syslog %s %s: dial: %w", s.Network, s.Address, err)
	}
	defer conn.Close()
	if err := conn.SetDeadline(deadline); err != nil {
		return fmt.Errorf("syslog %s %s: set deadline: %w", s.Network, s.Address, err)
	}
	stop := context.AfterFunc(ctx, func() { conn.SetDeadline(time.Unix(1, 0)) })
	defer stop()
	if s.Network == NetworkTLS {
		tc := tls.Client(conn, s.tls)
		if err := tc.HandshakeContext(ctx); err != nil {
			err = fmt.Errorf("syslog %s %s: TLS handshake: %w", s.Network, s.Address, err)
			var ve *tls.CertificateVerificationError
			if errors.As(err, &ve) {
				return notify.Permanent(err)
			}
			return err
		}
		conn = tc
	}
	if _, err := conn.Write(payload); err != nil {
		return fmt.Errorf("syslog %s %s: write: %w", s.Network, s.Address, err)
	}
	if tc, ok := conn.(*tls.Conn); ok {
		// close_notify, so the receiver knows the frame was complete.
		if err := tc.CloseWrite(); err != nil {
			return fmt.Errorf("syslog %s %s: close: %w", s.Network, s.Address, err)
		}
	}
	return nil
}
