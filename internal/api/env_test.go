package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/portwatch/portwatch/internal/api"
	"github.com/portwatch/portwatch/internal/auth"
	"github.com/portwatch/portwatch/internal/config"
	"github.com/portwatch/portwatch/internal/daemon"
	"github.com/portwatch/portwatch/internal/store"
	"github.com/portwatch/portwatch/internal/store/sqlite"
)

// noNames resolves nothing: the tests use addresses only.
type noNames struct{}

func (noNames) LookupNetIP(_ context.Context, _, host string) ([]netip.Addr, error) {
	return nil, fmt.Errorf("no such host %s", host)
}

// env is a running daemon on loopback monitors, its store, the API over
// httptest and one token per role.
type env struct {
	t      *testing.T
	srv    *httptest.Server
	st     *sqlite.DB
	d      *daemon.Daemon
	au     *auth.Service
	tokens map[string]string // role name -> secret
	ports  []uint16          // open loopback listeners; ports[1] is the guard's
}

// listen opens a loopback listener that accepts and closes connections.
func listen(t *testing.T) uint16 {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			c.Close()
		}
	}()
	return uint16(ln.Addr().(*net.TCPAddr).Port)
}

func newEnv(t *testing.T) *env {
	t.Helper()
	e := &env{t: t, tokens: map[string]string{}}
	var mons strings.Builder
	for i := range 6 {
		p := listen(t)
		e.ports = append(e.ports, p)
		expect := "open"
		if i == 1 {
			expect = "closed" // a guard that sees its port open: a finding at once
		}
		fmt.Fprintf(&mons, "  - name: m%d\n    endpoint: 127.0.0.1:%d\n    expect: %s\n    interval: 1s\n    timeout: 500ms\n    group: local\n", i, p, expect)
	}
	cfgText := fmt.Sprintf(`scope: [127.0.0.1]
groups:
  - name: local
    targets: [127.0.0.1]
    labels: {team: core}
discovery:
  - name: loop
    targets: [127.0.0.1]
    ports: "%d"
    interval: 1h
monitors:
%smaintenance:
  - name: nightly
    match: ["group=local"]
    schedule: "0 2 * * *"
    duration: 1h
`, e.ports[0], mons.String())
	cfg, err := config.Parse("test.yaml", []byte(cfgText), func(string) (string, bool) { return "", false })
	if err != nil {
		t.Fatalf("config: %v", err)
	}
	ctx := context.Background()
	e.st, err = sqlite.Open(ctx, filepath.Join(t.TempDir(), "pw.db"))
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	e.d, err = daemon.New(ctx, cfg, e.st, daemon.Options{Resolver: noNames{}, Logger: log, Writer: store.WriterOptions{MaxDelay: 10 * time.Millisecond}})
	if err != nil {
		t.Fatal(err)
	}
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- e.d.Run(runCtx) }()
	e.au, err = auth.NewService(e.st, auth.Options{Hash: auth.HashParams{Memory: 64, Time: 1, Threads: 1}, Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range []auth.Role{auth.RoleViewer, auth.RoleOperator, auth.RoleAdmin} {
		secret, _, err := e.au.CreateToken(ctx, r.String(), r, time.Hour, "test")
		if err != nil {
			t.Fatal(err)
		}
		e.tokens[r.String()] = secret
	}
	mux := http.NewServeMux()
	mux.Handle("/api/v1/", api.New(api.Options{Daemon: e.d, Store: e.st, Auth: e.au, Logger: log, Version: "test"}))
	h := api.Health(e.d)
	mux.Handle("/healthz", h)
	mux.Handle("/readyz", h)
	e.srv = httptest.NewServer(mux)
	t.Cleanup(func() {
		e.srv.Close()
		stop()
		if err := <-done; err != nil {
			t.Errorf("daemon Run: %v", err)
		}
		e.st.Close()
	})
	e.eventually("every monitored endpoint seen", func() bool { return len(e.d.States()) >= len(e.ports) })
	return e
}

func (e *env) eventually(what string, cond func() bool) {
	e.t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		if cond() {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	e.t.Fatalf("%s: not within 15 s", what)
}

// req is one request: a bearer token (or none), extra headers, a body
// (a string is sent as is, anything else as JSON).
type req struct {
	token   string
	headers map[string]string
	body    any
}

func (e *env) do(method, path string, r req) (*http.Response, []byte) {
	e.t.Helper()
	var body io.Reader
	ctype := ""
	switch b := r.body.(type) {
	case nil:
	case string:
		body, ctype = strings.NewReader(b), "application/json"
	default:
		js, err := json.Marshal(b)
		if err != nil {
			e.t.Fatal(err)
		}
		body, ctype = bytes.NewReader(js), "application/json"
	}
	hr, err := http.NewRequest(method, e.srv.URL+path, body)
	if err != nil {
		e.t.Fatal(err)
	}
	if ctype != "" {
		hr.Header.Set("Content-Type", ctype)
	}
	if r.token != "" {
		hr.Header.Set("Authorization", "Bearer "+r.token)
	}
	for k, v := range r.headers {
		hr.Header.Set(k, v)
	}
	res, err := e.srv.Client().Do(hr)
	if err != nil {
		e.t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		e.t.Fatal(err)
	}
	return res, b
}

// as makes a request with a role's token and checks the status.
func (e *env) as(role, method, path string, body any, want int) []byte {
	e.t.Helper()
	res, b := e.do(method, path, req{token: e.tokens[role], body: body})
	if res.StatusCode != want {
		e.t.Fatalf("%s %s as %s: status %d, want %d: %s", method, path, role, res.StatusCode, want, b)
	}
	return b
}

func decodeJSON[T any](t *testing.T, b []byte) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("decode %s: %v", b, err)
	}
	return v
}

// page is the listing envelope.
type page[T any] struct {
	Items  []T     `json:"items"`
	Total  *int    `json:"total"`
	Limit  int     `json:"limit"`
	Offset int     `json:"offset"`
	Next   *string `json:"next"`
}

// apiErr is the error body.
type apiErr struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}
