package integration

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/portwatch/portwatch/internal/alert/notify"
)

const webhookSecret = "lab-secret-0123456789abcdef"

// hook is a local webhook receiver in the scanner namespace: it checks
// each request's signature, counts deliveries by Idempotency-Key (as a
// receiver that de-duplicates would), and can be taken down (503).
type hook struct {
	mu        sync.Mutex
	down      bool
	attempts  int
	delivered map[string]int
	messages  []received
	badSig    int
}

type received struct {
	at time.Time
	m  notify.Message
}

func (h *hook) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	h.mu.Lock()
	defer h.mu.Unlock()
	h.attempts++
	if h.down {
		w.WriteHeader(http.StatusServiceUnavailable)
		return
	}
	if !validSignature(r.Header.Get("X-Portwatch-Signature"), body) {
		h.badSig++
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	var env struct {
		Message notify.Message `json:"message"`
	}
	if err := json.Unmarshal(body, &env); err != nil {
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	key := r.Header.Get("Idempotency-Key")
	h.delivered[key]++
	if h.delivered[key] == 1 {
		h.messages = append(h.messages, received{time.Now(), env.Message})
	}
	w.WriteHeader(http.StatusOK)
}

// validSignature checks "t=<unix>,v1=<hex hmac of "<unix>.<body>">".
func validSignature(header string, body []byte) bool {
	var ts, sig string
	for _, part := range strings.Split(header, ",") {
		k, v, _ := strings.Cut(part, "=")
		switch k {
		case "t":
			ts = v
		case "v1":
			sig = v
		}
	}
	mac := hmac.New(sha256.New, []byte(webhookSecret))
	mac.Write([]byte(ts + "."))
	mac.Write(body)
	want := hex.EncodeToString(mac.Sum(nil))
	return ts != "" && hmac.Equal([]byte(sig), []byte(want))
}

func (h *hook) setDown(down bool) {
	h.mu.Lock()
	h.down = down
	h.mu.Unlock()
}

// find returns the first message (after index from) with an item on port
// of the given event and kind ("" for any kind).
func (h *hook) find(from int, event notify.Event, kind string, port uint16) (received, int, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for i := from; i < len(h.messages); i++ {
		m := h.messages[i]
		if m.m.Event != event {
			continue
		}
		for _, it := range m.m.Items {
			if it.Port == port && (kind == "" || it.Kind == kind) {
				return m, i, true
			}
		}
	}
	return received{}, 0, false
}

func (h *hook) count(event notify.Event, port uint16) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	n := 0
	for _, m := range h.messages {
		if m.m.Event != event {
			continue
		}
		for _, it := range m.m.Items {
			if it.Port == port {
				n++
				break
			}
		}
	}
	return n
}

func (h *hook) duplicates() map[string]int {
	h.mu.Lock()
	defer h.mu.Unlock()
	out := map[string]int{}
	for k, n := range h.delivered {
		if n > 1 {
			out[k] = n
		}
	}
	return out
}

func (h *hook) len() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.messages)
}

// serviceOn listens on a lab host's port until stopped.
type serviceOn struct {
	ln net.Listener
}

func startService(t *testing.T, f *serveFixture, port int) *serviceOn {
	t.Helper()
	s, err := listenOnH1(f, port)
	if err != nil {
		t.Fatal(err)
	}
	// Every service started on the shared lab host ends with the test,
	// whatever path the test takes: other tests scan h1 against its truth.
	t.Cleanup(s.stop)
	return s
}

// listenOnH1 starts a service on h1 (safe to call from any goroutine).
func listenOnH1(f *serveFixture, port int) (*serviceOn, error) {
	ln, err := f.e.truth.HostListen("h1", "tcp", fmt.Sprintf(":%d", port))
	if err != nil {
		return nil, err
	}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			c.Close()
		}
	}()
	return &serviceOn{ln}, nil
}

func (s *serviceOn) stop() { s.ln.Close() }

// TestAlertingOnTheLab: a forbidden port opened is notified within the
// monitor interval + 2 s; a service that stops is notified only after the
// failure threshold and resolved after the success threshold; a port
// toggled at every check gives one flapping notification; notifications
// written while the receiver is down are delivered once it is back, each
// exactly once, across a kill -9 of the daemon.
func TestAlertingOnTheLab(t *testing.T) {
	f := newServeFixture(t)
	h := &hook{delivered: map[string]int{}}
	ln, err := f.e.truth.ScannerListen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second}
	go srv.Serve(ln)
	defer srv.Close()

	svc := startService(t, f, 9100)
	cfg := fmt.Sprintf(`server:
  listen: %[1]s
  location: lab
scope: [%[2]s, 127.0.0.1]
groups:
  - name: edge
    targets: [%[3]s]
    internet_facing: true
monitors:
  - name: docker
    endpoint: %[3]s:2375
    expect: closed
    interval: 2s
    timeout: 1s
  - name: svc
    endpoint: %[3]s:9100
    interval: 1s
    timeout: 500ms
    failure_threshold: 2
    success_threshold: 2
  - name: flappy
    endpoint: %[3]s:9300
    expect: closed
    interval: 1s
    timeout: 500ms
notifiers:
  - name: hook
    type: webhook
    url: http://%[4]s/hook
    secret: %[5]s
routes:
  - name: all
    receivers: [hook]
alerting:
  group_wait: 500ms
  retry_base: 200ms
  retry_max: 1s
`, serveListen, f.e.truth.CIDR, f.h1.IPv4, ln.Addr(), webhookSecret)
	if err := os.WriteFile(f.config, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	d := f.start(t)
	defer func() {
		if t.Failed() {
			h.mu.Lock()
			for _, m := range h.messages {
				t.Logf("received %s %s: %s", m.at.Format("15:04:05.000"), m.m.Event, m.m.Title)
			}
			h.mu.Unlock()
		}
	}()
	waitFor(t, 15*time.Second, "svc seen open", func() bool { return f.states(t)[f.h1.IPv4+":9100/tcp"] == "open/syn-ack" })

	// 1. A forbidden port opens.
	opened := time.Now()
	docker := startService(t, f, 2375)
	waitFor(t, 10*time.Second, "notification for the forbidden port", func() bool {
		_, _, ok := h.find(0, notify.EventTrigger, "forbidden-port", 2375)
		return ok
	})
	m, _, _ := h.find(0, notify.EventTrigger, "forbidden-port", 2375)
	took := m.at.Sub(opened)
	t.Logf("forbidden port notified %v after it opened (monitor interval 2s): %s", took.Round(time.Millisecond), m.m.Title)
	if took > 2*time.Second+2*time.Second+time.Second {
		t.Errorf("forbidden port notified after %v, want within the interval + 2 s", took)
	}
	docker.stop()
	waitFor(t, 10*time.Second, "resolve for the forbidden port", func() bool {
		_, _, ok := h.find(0, notify.EventResolve, "", 2375)
		return ok
	})

	// 2. A monitored service stops, then comes back.
	svc.stop()
	waitFor(t, 15*time.Second, "service-down notification", func() bool {
		_, _, ok := h.find(0, notify.EventTrigger, "expected-open-down", 9100)
		return ok
	})
	m, _, _ = h.find(0, notify.EventTrigger, "expected-open-down", 9100)
	if !strings.Contains(m.m.Text, "2 consecutive checks") {
		t.Errorf("service-down notified before the failure threshold of 2:\n%s", m.m.Text)
	}
	svc = startService(t, f, 9100)
	waitFor(t, 15*time.Second, "service-up resolve", func() bool {
		_, _, ok := h.find(0, notify.EventResolve, "", 9100)
		return ok
	})

	// 3. A port toggled at every check.
	stopToggle := make(chan struct{})
	toggled := make(chan struct{})
	go func() {
		defer close(toggled)
		for {
			s, err := listenOnH1(f, 9300)
			if err != nil {
				t.Errorf("toggle: %v", err)
				return
			}
			select {
			case <-stopToggle:
				s.stop()
				return
			case <-time.After(1100 * time.Millisecond):
			}
			s.stop()
			select {
			case <-stopToggle:
				return
			case <-time.After(1100 * time.Millisecond):
			}
		}
	}()
	waitFor(t, 40*time.Second, "flapping notification", func() bool { return h.count(notify.EventFlapping, 9300) > 0 })
	time.Sleep(8 * time.Second) // keep toggling: nothing more may come
	close(stopToggle)
	<-toggled
	if n := h.count(notify.EventFlapping, 9300); n != 1 {
		t.Errorf("%d flapping notifications, want 1", n)
	}
	if n := h.count(notify.EventTrigger, 9300); n > 4 {
		t.Errorf("%d triggers for the toggled port: flapping was not suppressed", n)
	}

	// 4. The receiver goes down; notifications pile up; the daemon is
	// killed; it comes back, then the receiver: everything arrives once.
	h.setDown(true)
	before := h.len()
	docker = startService(t, f, 2375)
	waitFor(t, 15*time.Second, "notification written while the receiver is down", func() bool {
		var pending []json.RawMessage
		f.cli(t, &pending, "alert", "outbox", "--state", "pending")
		return len(pending) > 0
	})
	docker.stop()
	time.Sleep(3 * time.Second) // the resolve is written too, and retried
	if err := d.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	<-d.done
	d = f.start(t)
	time.Sleep(2 * time.Second)
	h.setDown(false)
	waitFor(t, 30*time.Second, "trigger and resolve delivered after the outage", func() bool {
		_, i, ok := h.find(before, notify.EventTrigger, "forbidden-port", 2375)
		if !ok {
			return false
		}
		_, _, ok = h.find(i, notify.EventResolve, "", 2375)
		return ok
	})
	time.Sleep(2 * time.Second)
	if dup := h.duplicates(); len(dup) > 0 {
		t.Logf("keys sent more than once (receiver de-duplicated them): %v", dup)
	}
	var dead []json.RawMessage
	f.cli(t, &dead, "alert", "outbox", "--state", "dead")
	if len(dead) != 0 {
		t.Errorf("dead letters: %s", dead)
	}
	h.mu.Lock()
	bad := h.badSig
	h.mu.Unlock()
	if bad > 0 {
		t.Errorf("%d requests with a bad signature", bad)
	}
	_ = d.cmd.Process.Signal(syscall.SIGTERM)
	<-d.done
}
