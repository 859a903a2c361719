package syslog

import (
	"context"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/portwatch/portwatch/internal/alert/notify"
	"github.com/portwatch/portwatch/internal/alert/provider/internal/receivers"
)

func sendTo(t *testing.T, cfg Config, m notify.Message) error {
	t.Helper()
	n, err := New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return n.Send(ctx, m)
}

// TestRsyslog sends over UDP, TCP and TLS in both formats to a real
// rsyslogd and checks the raw message it received byte for byte and the
// fields its RFC 5424 parser extracted.
func TestRsyslog(t *testing.T) {
	rx := receivers.StartRsyslog(t)
	port := map[string]int{NetworkUDP: rx.UDPPort, NetworkTCP: rx.TCPPort, NetworkTLS: rx.TLSPort}
	for _, network := range []string{NetworkUDP, NetworkTCP, NetworkTLS} {
		for _, format := range []string{FormatRFC5424, FormatCEF} {
			t.Run(network+"/"+format, func(t *testing.T) {
				cfg := Config{Network: network, Address: "127.0.0.1:" + strconv.Itoa(port[network]), Facility: "local4",
					Format: format, Hostname: "pw-host", ProductVersion: "1.2.3"}
				if network == NetworkTLS {
					cfg.RootCAs = rx.CA
				}
				m := testMessage()
				m.ID = "id-" + network + "-" + format
				if err := sendTo(t, cfg, m); err != nil {
					t.Fatalf("Send: %v", err)
				}
				s, _ := validate(cfg)
				want, _ := line(s, m, 0)
				r := rx.WaitRecord(t, `id="`+m.ID+`"`)
				if r.Input != network {
					t.Errorf("received on input %q, want %q", r.Input, network)
				}
				if r.Raw != want {
					t.Errorf("raw message differs:\n got %q\nwant %q", r.Raw, want)
				}
				sd := structuredData(m, true)
				msg := rfc5424Msg(m)
				if format == FormatCEF {
					msg = cefMsg(s, m)
				}
				parsed := receivers.Record{Input: network, Raw: want, Pri: "162", Time: "2026-11-21T21:00:00.123456Z",
					Hostname: "pw-host", AppName: "portwatch", ProcID: "-", MsgID: "trigger", SD: sd, Msg: msg}
				if r != parsed {
					t.Errorf("rsyslog parsed\n %+v\nwant\n %+v", r, parsed)
				}
			})
		}
	}

	t.Run("tls untrusted certificate", func(t *testing.T) {
		err := sendTo(t, Config{Network: NetworkTLS, Address: "127.0.0.1:" + strconv.Itoa(rx.TLSPort)}, testMessage())
		if err == nil || !notify.IsPermanent(err) || !strings.Contains(err.Error(), "certificate") {
			t.Errorf("Send = %v, want a permanent certificate error", err)
		}
	})
	t.Run("tls insecure skip verify", func(t *testing.T) {
		m := testMessage()
		m.ID = "insecure"
		if err := sendTo(t, Config{Network: NetworkTLS, Address: "127.0.0.1:" + strconv.Itoa(rx.TLSPort), InsecureSkipVerify: true}, m); err != nil {
			t.Fatal(err)
		}
		rx.WaitRecord(t, `id="insecure"`)
	})
	t.Run("udp truncated", func(t *testing.T) {
		m := testMessage()
		m.ID = "long"
		m.Title = strings.Repeat("é", 2000)
		cfg := Config{Network: NetworkUDP, Address: "127.0.0.1:" + strconv.Itoa(rx.UDPPort), Hostname: "pw-host"}
		if err := sendTo(t, cfg, m); err != nil {
			t.Fatal(err)
		}
		r := rx.WaitRecord(t, `id="long"`)
		s, _ := validate(cfg)
		want, _ := line(s, m, MaxUDPSize)
		if r.Raw != want || len(r.Raw) > MaxUDPSize {
			t.Errorf("received %d bytes, want the %d-byte truncated message", len(r.Raw), len(want))
		}
	})
}

// TestTCPErrors: a refused connection is retryable, and a receiver that
// never reads or answers the TLS handshake is abandoned at the deadline.
func TestTCPErrors(t *testing.T) {
	port := receivers.FreePorts(t, "tcp", 1)[0]
	err := sendTo(t, Config{Network: NetworkTCP, Address: "127.0.0.1:" + strconv.Itoa(port)}, testMessage())
	if err == nil || notify.IsPermanent(err) {
		t.Errorf("refused: Send = %v, want a retryable error", err)
	}

	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			defer c.Close()
		}
	}()
	n, err := New(Config{Network: NetworkTLS, Address: l.Addr().String(), InsecureSkipVerify: true})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	if err := n.Send(ctx, testMessage()); err == nil || notify.IsPermanent(err) {
		t.Errorf("hanging: Send = %v, want a retryable error", err)
	}
}
