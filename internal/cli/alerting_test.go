package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/portwatch/portwatch/internal/store"
	"github.com/portwatch/portwatch/internal/store/sqlite"
)

func TestAlertTestAckAndSilences(t *testing.T) {
	var got atomic.Int32
	var key atomic.Value
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got.Add(1)
		key.Store(r.Header.Get("Idempotency-Key"))
		w.WriteHeader(http.StatusOK)
	}))
	defer srv.Close()
	dir := t.TempDir()
	db := filepath.Join(dir, "pw.db")
	st, err := sqlite.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	st.Close()
	cfg := filepath.Join(dir, "pw.yaml")
	if err := os.WriteFile(cfg, []byte(fmt.Sprintf(`notifiers:
  - name: hook
    type: webhook
    url: %s/in
    secret: 0123456789abcdef0123
routes:
  - name: ops
    receivers: [hook]
`, srv.URL)), 0o644); err != nil {
		t.Fatal(err)
	}
	out, errOut, code := run(t, "alert", "test", "ops", "--config", cfg, "--db", db)
	if code != ExitOK || out != "hook: delivered\n" || got.Load() != 1 || !strings.HasPrefix(key.Load().(string), "test/hook/") {
		t.Fatalf("alert test: code %d out %q err %q, %d requests", code, out, errOut, got.Load())
	}
	out, _, code = run(t, "alert", "outbox", "--db", db, "-o", "json")
	var es []store.OutboxEntry
	if code != ExitOK || json.Unmarshal([]byte(out), &es) != nil || len(es) != 1 || es[0].State != store.OutboxDelivered {
		t.Fatalf("outbox: code %d %s", code, out)
	}
	if _, _, code = run(t, "alert", "test", "nope", "--config", cfg, "--db", db); code != ExitUsage {
		t.Errorf("unknown route: exit %d", code)
	}
	if _, errOut, code = run(t, "ack", "99", "--db", db); code != ExitUsage || !strings.Contains(errOut, "no finding 99") {
		t.Errorf("ack of an unknown finding: exit %d %q", code, errOut)
	}
	if _, errOut, code = run(t, "silence", "add", "group=web", "--db", db); code != ExitUsage || !strings.Contains(errOut, "--comment") {
		t.Errorf("silence without a comment: exit %d %q", code, errOut)
	}
	if _, errOut, code = run(t, "silence", "add", "group", "--comment", "x", "--db", db); code != ExitUsage {
		t.Errorf("bad matcher: exit %d %q", code, errOut)
	}
	if out, _, code = run(t, "silence", "add", "host=~198\\.18\\..*", "--for", "30m", "--comment", "lab", "--db", db); code != ExitOK || !strings.HasPrefix(out, "silence 1 until ") {
		t.Fatalf("silence add: %d %q", code, out)
	}
	if out, _, _ = run(t, "silence", "list", "--db", db); !strings.Contains(out, `host=~198\.18\..*`) {
		t.Errorf("silence list: %q", out)
	}
}
