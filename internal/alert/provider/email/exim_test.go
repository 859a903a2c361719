package email

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

// stripReceived removes the Received header exim puts first, leaving the
// message as portwatch wrote it (exim stores LF line endings).
func stripReceived(t *testing.T, stored string) string {
	t.Helper()
	if !strings.HasPrefix(stored, "Received: ") {
		t.Fatalf("stored message does not start with exim's Received header:\n%s", stored)
	}
	lines := strings.SplitAfter(stored, "\n")
	i := 1
	for i < len(lines) && (strings.HasPrefix(lines[i], " ") || strings.HasPrefix(lines[i], "\t")) {
		i++
	}
	return strings.Join(lines[i:], "")
}

func send(t *testing.T, cfg Config, m notify.Message) error {
	t.Helper()
	n, err := New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	return n.Send(ctx, m)
}

// TestExim delivers through a real exim4 over every TLS mode and checks
// the stored message byte for byte and the error classification of real
// SMTP replies.
func TestExim(t *testing.T) {
	rx := receivers.StartExim(t)
	base := Config{Host: "127.0.0.1", From: "portwatch <pw@example.org>",
		To: []string{"ops@example.org", "Zoë Sec <sec@example.org>"}, SubjectPrefix: "[portwatch]",
		LocalName: "pw.test", RootCAs: rx.CA, Username: rx.User, Password: rx.Password}

	delivered := func(t *testing.T, cfg Config, id string) {
		t.Helper()
		m := testMessage()
		m.ID = id
		if err := send(t, cfg, m); err != nil {
			t.Fatalf("Send: %v", err)
		}
		s, _ := validate(cfg)
		want := strings.ReplaceAll(string(buildMessage(s, m)), "\r\n", "\n")
		got := stripReceived(t, rx.WaitMessage(t, "Message-ID: "+msgID(id)))
		if got != want {
			t.Errorf("stored message differs:\n--- got\n%s\n--- want\n%s", got, want)
		}
	}

	t.Run("starttls auth plain", func(t *testing.T) {
		c := base
		c.Port = rx.StartTLSPort
		delivered(t, c, "starttls-1")
	})
	t.Run("implicit tls auth login", func(t *testing.T) {
		c := base
		c.Port, c.TLS = rx.TLSPort, TLSImplicit
		delivered(t, c, "tls-1")
	})
	t.Run("none on loopback", func(t *testing.T) {
		c := base
		c.Port, c.TLS, c.Username, c.Password = rx.PlainPort, TLSNone, "", ""
		delivered(t, c, "plain-1")
	})
	t.Run("insecure skip verify", func(t *testing.T) {
		c := base
		c.Port, c.RootCAs, c.InsecureSkipVerify = rx.StartTLSPort, "", true
		delivered(t, c, "insecure-1")
	})

	failures := []struct {
		name      string
		edit      func(*Config)
		permanent bool
		contains  string
	}{
		{"unknown recipient", func(c *Config) { c.To = []string{"ops@example.org", "bad@example.org"} }, true, "RCPT TO <bad@example.org>: 550"},
		{"deferred recipient", func(c *Config) { c.To = []string{"later@example.org"} }, false, "RCPT TO <later@example.org>: 451"},
		{"wrong password", func(c *Config) { c.Password = "wrong" }, true, "AUTH: 535"},
		{"starttls not offered", func(c *Config) { c.Port = rx.PlainPort }, true, "server does not offer STARTTLS"},
		{"untrusted certificate", func(c *Config) { c.RootCAs = "" }, true, "STARTTLS: tls: failed to verify certificate"},
	}
	for _, f := range failures {
		t.Run(f.name, func(t *testing.T) {
			c := base
			c.Port = rx.StartTLSPort
			f.edit(&c)
			before := rx.Count()
			err := send(t, c, testMessage())
			if err == nil {
				t.Fatal("Send succeeded")
			}
			if notify.IsPermanent(err) != f.permanent {
				t.Errorf("IsPermanent(%v) = %v, want %v", err, !f.permanent, f.permanent)
			}
			if !strings.Contains(err.Error(), f.contains) {
				t.Errorf("error %q does not contain %q", err, f.contains)
			}
			time.Sleep(200 * time.Millisecond)
			if n := rx.Count(); n != before {
				t.Errorf("%d messages delivered after a failed send", n-before)
			}
		})
	}
}

// TestDeadline: a server that accepts and never greets is abandoned at
// the context deadline, with a retryable error.
func TestDeadline(t *testing.T) {
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
	port := l.Addr().(*net.TCPAddr).Port
	n, err := New(Config{Host: "127.0.0.1", Port: port, TLS: TLSNone, From: "pw@example.org", To: []string{"ops@example.org"}})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	err = n.Send(ctx, testMessage())
	if err == nil || notify.IsPermanent(err) {
		t.Fatalf("Send = %v, want a retryable error", err)
	}
	if !strings.Contains(err.Error(), "127.0.0.1:"+strconv.Itoa(port)+": greeting") {
		t.Errorf("error %q does not name the step", err)
	}
}

// TestRefused: nothing listening is retryable.
func TestRefused(t *testing.T) {
	port := receivers.FreePorts(t, "tcp", 1)[0]
	err := send(t, Config{Host: "127.0.0.1", Port: port, TLS: TLSNone, From: "pw@example.org", To: []string{"ops@example.org"}}, testMessage())
	if err == nil || notify.IsPermanent(err) {
		t.Fatalf("Send = %v, want a retryable error", err)
	}
}
