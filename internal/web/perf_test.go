package web

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"testing"
	"time"

	"github.com/portwatch/portwatch/internal/auth"
	"github.com/portwatch/portwatch/internal/fingerprint"
	"github.com/portwatch/portwatch/internal/model"
	"github.com/portwatch/portwatch/internal/scan"
	"github.com/portwatch/portwatch/internal/store/sqlite"
)

// perfEndpoints is the size the dashboard must stay fast at.
const perfEndpoints = 10_000

// perfPages are fetched at that size.
var perfPages = []string{
	"/", "/hosts", "/hosts?sort=-open&offset=500", "/hosts?q=198.18.3", "/hosts/198.18.0.11",
	"/endpoints", "/endpoints?q=ssh&sort=-latency", "/endpoints?state=open&offset=2000", "/endpoints?limit=1000",
	"/endpoints/198.18.0.11/tcp/2375?window=1h", "/endpoints/198.18.0.11/tcp/2375", "/endpoints/198.18.0.11/tcp/2375?window=7d",
	"/endpoints/198.18.0.11/tcp/2375?window=30d", "/changes", "/changes?kind=opened&host=198.18.0.11", "/findings",
	"/findings?status=all", "/scans", "/silences",
}

// seedLarge writes 10,000 endpoint states (2,000 hosts × 5 ports), 5,000
// changes, 500 open findings and a week of observations for one endpoint
// with the store's API.
func seedLarge(ctx context.Context, t testing.TB, st *sqlite.DB, now time.Time) {
	t.Helper()
	seedSmall(ctx, t, st, now)
	ports := []uint16{22, 80, 443, 5432, 6379}
	var states []model.EndpointState
	var changes []model.Change
	for i := 0; len(states) < perfEndpoints-2; i++ {
		a := netip.AddrFrom4([4]byte{198, 18, byte(1 + i/250), byte(i % 250)})
		for j, p := range ports {
			ep := model.Endpoint{Addr: a, Protocol: scan.TCP, Port: p}
			s := model.EndpointState{Endpoint: ep, Location: model.LocalLocation, State: scan.Closed, Reason: "rst",
				Since: now.Add(-time.Duration(i%300) * time.Minute), FirstSeen: now.Add(-72 * time.Hour), LastSeen: now, Consecutive: 1}
			if (i+j)%3 == 0 {
				s.State, s.Reason, s.LastRTT = scan.Open, "syn-ack", time.Duration(1+i%7)*time.Millisecond
				s.Service = &fingerprint.Service{Name: []string{"ssh", "http", "https", "postgresql", "redis"}[j], Product: "Product", Version: fmt.Sprint(i % 10)}
			}
			states = append(states, s)
			if len(changes) < 5000 && (i+j)%2 == 0 {
				changes = append(changes, model.Change{Endpoint: ep, Location: model.LocalLocation, Time: s.Since, Kind: model.ChangeOpened, From: "closed", To: "open"})
			}
		}
	}
	if err := st.PutStates(ctx, states); err != nil {
		t.Fatal(err)
	}
	if err := st.AddChanges(ctx, changes); err != nil {
		t.Fatal(err)
	}
	for i := range 500 {
		s := states[i*7]
		if _, _, err := st.OpenFinding(ctx, model.Finding{Kind: model.FindingUnexpectedPort, Severity: model.SeverityWarning, Endpoint: s.Endpoint,
			Location: s.Location, Rule: "group lab", Message: "not in the allow-list", Opened: now.Add(-time.Duration(i) * time.Minute)}); err != nil {
			t.Fatal(err)
		}
	}
	var obs []model.Observation
	for i := range 7 * 24 * 6 {
		obs = append(obs, model.Observation{Endpoint: epA, Location: model.LocalLocation, Time: now.Add(-time.Duration(i) * 10 * time.Minute),
			State: scan.Open, Reason: "syn-ack", RTT: time.Duration(1+i%9) * time.Millisecond, Source: model.SourceMonitor, Origin: "docker"})
	}
	if err := st.AddObservations(ctx, obs); err != nil {
		t.Fatal(err)
	}
}

func largeEnv(t testing.TB) *env {
	e := newEnv(t, "", func(ctx context.Context, st *sqlite.DB) { seedLarge(ctx, t, st, time.Now().UTC()) })
	e.addUser(t, "vera", auth.RoleViewer)
	return e
}

// TestPagesAt10000Endpoints logs each page's server time; it fails only
// on errors (timings vary too much between machines to assert).
func TestPagesAt10000Endpoints(t *testing.T) {
	if testing.Short() {
		t.Skip("seeds 10,000 endpoints")
	}
	e := largeEnv(t)
	if n := len(e.d.States()); n < perfEndpoints {
		t.Fatalf("daemon restored %d endpoints, want at least %d", n, perfEndpoints)
	}
	c := e.login(t, "vera")
	for _, p := range perfPages {
		c.get(p) // warm up (first SQL statements, page cache)
		best := time.Duration(1 << 62)
		for range 3 {
			start := time.Now()
			resp, _ := c.get(p)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("%s: %d", p, resp.StatusCode)
			}
			best = min(best, time.Since(start))
		}
		t.Logf("%-48s %6.1f ms", p, float64(best.Microseconds())/1000)
	}
}

// BenchmarkPages measures each page at 10,000 endpoints, served straight
// by the handler (no network).
func BenchmarkPages(b *testing.B) {
	e := largeEnv(b)
	c := e.login(b, "vera")
	u, _ := http.NewRequest(http.MethodGet, e.srv.URL, nil)
	cookies := c.hc.Jar.Cookies(u.URL)
	for _, p := range perfPages {
		b.Run(p, func(b *testing.B) {
			for b.Loop() {
				req := httptest.NewRequest(http.MethodGet, p, nil)
				for _, ck := range cookies {
					req.AddCookie(ck)
				}
				w := httptest.NewRecorder()
				e.h.ServeHTTP(w, req)
				if w.Code != http.StatusOK {
					b.Fatalf("%s: %d", p, w.Code)
				}
			}
		})
	}
}
