package daemon

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/netip"
	"path/filepath"
	"testing"
	"time"

	"github.com/portwatch/portwatch/internal/config"
	"github.com/portwatch/portwatch/internal/model"
	"github.com/portwatch/portwatch/internal/scan"
	"github.com/portwatch/portwatch/internal/store"
	"github.com/portwatch/portwatch/internal/store/sqlite"
)

// noNames resolves nothing: the tests use addresses only.
type noNames struct{}

func (noNames) LookupNetIP(_ context.Context, _, host string) ([]netip.Addr, error) {
	return nil, fmt.Errorf("no such host %s", host)
}

func parseConfig(t *testing.T, yaml string) *config.Config {
	t.Helper()
	cfg, err := config.Parse("test.yaml", []byte(yaml), func(string) (string, bool) { return "", false })
	if err != nil {
		t.Fatalf("config: %v", err)
	}
	return cfg
}

// loopbackListener accepts and closes connections until closed.
func loopbackListener(t *testing.T) (net.Listener, uint16) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
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
	return ln, uint16(ln.Addr().(*net.TCPAddr).Port)
}

func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		if cond() {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("%s: not within 15 s", what)
}

func TestDaemonRecordsMonitorsAndFindingsAndRefusesABadReload(t *testing.T) {
	ln, port := loopbackListener(t)
	cfgText := fmt.Sprintf(`scope: [127.0.0.1]
monitors:
  - name: svc
    endpoint: 127.0.0.1:%d
    interval: 1s
    timeout: 500ms
    failure_threshold: 2
`, port)
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "pw.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	d, err := New(ctx, parseConfig(t, cfgText), st, Options{Resolver: noNames{}, Logger: log,
		Writer: store.WriterOptions{MaxDelay: 10 * time.Millisecond}})
	if err != nil {
		t.Fatal(err)
	}
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- d.Run(runCtx) }()
	ep := model.Endpoint{Addr: netip.MustParseAddr("127.0.0.1"), Protocol: scan.TCP, Port: port}
	state := func() model.EndpointState {
		s, err := st.GetState(ctx, ep, model.LocalLocation)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			t.Fatal(err)
		}
		return s
	}
	eventually(t, "endpoint seen open", func() bool { return state().State == scan.Open })

	ln.Close() // the service dies: two failed checks open a major finding
	eventually(t, "expected-open-down finding", func() bool {
		fs, err := st.ListFindings(ctx, store.FindingFilter{OpenOnly: true})
		return err == nil && len(fs) == 1 && fs[0].Kind == model.FindingExpectedOpenDown && fs[0].Severity == model.SeverityMajor
	})
	// The finding is written at once, the state through the batching
	// writer a few milliseconds later.
	eventually(t, "state closed twice in a row", func() bool {
		s := state()
		return s.State == scan.Closed && s.Consecutive >= 2
	})

	// A configuration whose monitor host does not resolve is refused whole.
	bad := parseConfig(t, `scope: [127.0.0.1, nowhere.invalid]
monitors:
  - name: other
    endpoint: nowhere.invalid:80
`)
	if err := d.Reload(ctx, bad); err == nil {
		t.Fatal("reload with an unresolvable host accepted")
	}
	if got := d.Stats().Config["monitors"]; got != 1 {
		t.Fatalf("after a refused reload the daemon runs %v monitors, want the old 1", got)
	}
	// A valid reload dropping the monitor resolves its findings at once.
	if err := d.Reload(ctx, parseConfig(t, "scope: [127.0.0.1]\n")); err != nil {
		t.Fatal(err)
	}
	fs, err := st.ListFindings(ctx, store.FindingFilter{OpenOnly: true})
	if err != nil || len(fs) != 0 {
		t.Fatalf("open findings after the monitor was removed: %v %v", fs, err)
	}

	stop()
	if err := <-done; err != nil {
		t.Fatalf("Run: %v", err)
	}
	sn := d.Stats()
	if sn.Writer.Failed != 0 || uint64(sn.Writer.Observations) != sn.Observations || sn.Observations == 0 {
		t.Errorf("after shutdown: %d observations handed over, %d committed, %d failed",
			sn.Observations, sn.Writer.Observations, sn.Writer.Failed)
	}
	obs, err := st.ListObservations(ctx, store.ObservationFilter{Endpoint: &ep})
	if err != nil || uint64(len(obs)) != sn.Observations {
		t.Errorf("%d observations stored, %d recorded (%v)", len(obs), sn.Observations, err)
	}
}
