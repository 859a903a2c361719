package web

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/portwatch/portwatch/internal/auth"
	"github.com/portwatch/portwatch/internal/config"
	"github.com/portwatch/portwatch/internal/daemon"
	"github.com/portwatch/portwatch/internal/fingerprint"
	"github.com/portwatch/portwatch/internal/model"
	"github.com/portwatch/portwatch/internal/scan"
	"github.com/portwatch/portwatch/internal/store"
	"github.com/portwatch/portwatch/internal/store/sqlite"
)

// testPassword is every test user's password.
const testPassword = "correct horse battery staple"

// hostile is a service banner and label no page may show raw.
const hostile = `<script>alert("pw")</script>`

// env is a dashboard on a real store and daemon (never run: no check
// leaves the test), served by httptest on loopback.
type env struct {
	t     *testing.T
	st    *sqlite.DB
	d     *daemon.Daemon
	auth  *auth.Service
	srv   *httptest.Server
	h     http.Handler
	nowFn func() time.Time
}

type noNames struct{}

func (noNames) LookupNetIP(_ context.Context, _, host string) ([]netip.Addr, error) {
	return nil, fmt.Errorf("no such host %s", host)
}

func quietLog() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// newEnv seeds the store with seed, then starts the daemon on it (which
// restores states and findings) and the dashboard.
func newEnv(t testing.TB, cfgText string, seed func(ctx context.Context, st *sqlite.DB)) *env {
	t.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "pw.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if seed != nil {
		seed(ctx, st)
	}
	if cfgText == "" {
		cfgText = "scope: [198.18.0.0/16]\n"
	}
	cfg, err := config.Parse("test.yaml", []byte(cfgText), func(string) (string, bool) { return "", false })
	if err != nil {
		t.Fatalf("config: %v", err)
	}
	d, err := daemon.New(ctx, cfg, st, daemon.Options{Resolver: noNames{}, Logger: quietLog(), Writer: store.WriterOptions{MaxDelay: 10 * time.Millisecond}})
	if err != nil {
		t.Fatal(err)
	}
	as, err := auth.NewService(st, auth.Options{Hash: auth.HashParams{Memory: 64, Time: 1, Threads: 1}, Logger: quietLog(), LoginFailures: 3})
	if err != nil {
		t.Fatal(err)
	}
	h, err := New(Options{Daemon: d, Store: st, Auth: as, Logger: quietLog(), Version: "test", EventPoll: 50 * time.Millisecond, EventHeartbeat: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	tt, _ := t.(*testing.T)
	return &env{t: tt, st: st, d: d, auth: as, srv: srv, h: h}
}

func (e *env) addUser(t testing.TB, name string, role auth.Role) {
	t.Helper()
	if _, err := e.auth.AddUser(context.Background(), name, testPassword, role); err != nil {
		t.Fatal(err)
	}
}

// client is a browser: a cookie jar, redirects not followed.
type client struct {
	t    testing.TB
	base string
	hc   *http.Client
}

func (e *env) client(t testing.TB) *client {
	jar, _ := cookiejar.New(nil)
	return &client{t: t, base: e.srv.URL, hc: &http.Client{Jar: jar, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// login logs in as name and fails the test unless it worked.
func (e *env) login(t testing.TB, name string) *client {
	t.Helper()
	c := e.client(t)
	resp, _ := c.post("/login", url.Values{"user": {name}, "password": {testPassword}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("login %s: %d", name, resp.StatusCode)
	}
	return c
}

func (c *client) get(path string) (*http.Response, string) {
	c.t.Helper()
	resp, err := c.hc.Get(c.base + path)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

func (c *client) post(path string, form url.Values) (*http.Response, string) {
	c.t.Helper()
	resp, err := c.hc.PostForm(c.base+path, form)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

var csrfRE = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)

// csrf reads the session's CSRF token from a page.
func (c *client) csrf() string {
	c.t.Helper()
	_, body := c.get("/silences")
	m := csrfRE.FindStringSubmatch(body)
	if m == nil {
		c.t.Fatal("no csrf_token on /silences")
	}
	return m[1]
}

// seed data: a few endpoints with a hostile banner, changes, a finding
// and rollups.
var (
	addrA = netip.MustParseAddr("198.18.0.11")
	epA   = model.Endpoint{Addr: addrA, Protocol: scan.TCP, Port: 2375}
	epB   = model.Endpoint{Addr: addrA, Protocol: scan.TCP, Port: 22}
)

func seedSmall(ctx context.Context, t testing.TB, st *sqlite.DB, now time.Time) int64 {
	t.Helper()
	svc := &fingerprint.Service{Name: "docker", Product: hostile, Version: "1<b>2", Banner: hostile,
		TLS: &fingerprint.TLSInfo{NotAfter: now.Add(30 * 24 * time.Hour)}}
	states := []model.EndpointState{
		{Endpoint: epA, Location: model.LocalLocation, State: scan.Open, Reason: "syn-ack", Since: now.Add(-time.Hour), FirstSeen: now.Add(-48 * time.Hour), LastSeen: now, Consecutive: 3, LastRTT: 2 * time.Millisecond, Service: svc},
		{Endpoint: epB, Location: model.LocalLocation, State: scan.Closed, Reason: "rst", Since: now.Add(-2 * time.Hour), FirstSeen: now.Add(-48 * time.Hour), LastSeen: now, Consecutive: 3},
	}
	if err := st.PutStates(ctx, states); err != nil {
		t.Fatal(err)
	}
	if err := st.AddChanges(ctx, []model.Change{
		{Endpoint: epB, Location: model.LocalLocation, Time: now.Add(-2 * time.Hour), Kind: model.ChangeClosed, From: "open", To: "closed"},
		{Endpoint: epA, Location: model.LocalLocation, Time: now.Add(-time.Hour), Kind: model.ChangeOpened, From: "closed", To: "open"},
	}); err != nil {
		t.Fatal(err)
	}
	f, _, err := st.OpenFinding(ctx, model.Finding{Kind: model.FindingForbiddenPort, Severity: model.SeverityCritical, Endpoint: epA, Location: model.LocalLocation,
		Rule: "policy " + hostile, Message: "docker API exposed " + hostile, Labels: map[string]string{"team": hostile}, Opened: now.Add(-time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	var obs []model.Observation
	for i := range 120 {
		at := now.Add(-time.Duration(i) * time.Minute)
		state := scan.Open
		if i%10 == 0 {
			state = scan.Closed
		}
		obs = append(obs, model.Observation{Endpoint: epA, Location: model.LocalLocation, Time: at, State: state, Reason: "syn-ack",
			RTT: time.Duration(1+i%5) * time.Millisecond, Source: model.SourceMonitor, Origin: "docker"})
	}
	if err := st.AddObservations(ctx, obs); err != nil {
		t.Fatal(err)
	}
	return f.ID
}

func mustContain(t testing.TB, body, want, what string) {
	t.Helper()
	if !strings.Contains(body, want) {
		t.Errorf("%s: %q missing", what, want)
	}
}
