package integration

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// chromium returns Debian's chromium, or skips.
func chromium(t *testing.T) string {
	for _, p := range []string{"/usr/bin/chromium", "/usr/bin/chromium-browser"} {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	if path, err := exec.LookPath("chromium"); err == nil {
		return path
	}
	t.Skip("chromium not installed (scripts/install-deps.sh installs it)")
	return ""
}

// artifactDir is where screenshots go: $PORTWATCH_ARTIFACTS or
// artifacts/ at the repository root.
func artifactDir(t *testing.T) string {
	dir := os.Getenv("PORTWATCH_ARTIFACTS")
	if dir == "" {
		dir = filepath.Join("..", "..", "artifacts")
	}
	dir = filepath.Join(dir, "browser")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	abs, _ := filepath.Abs(dir)
	return abs
}

var bootstrapPassword = regexp.MustCompile(`(?m)^\s+password: (\S+)`)

// TestBrowserDashboard is the new user's first morning, in a real
// browser: log in with the bootstrap secret, choose a password, watch a
// newly opened lab port appear on the overview, follow it to its host
// and endpoint pages (with charts), acknowledge its finding. Then the
// API and /metrics from outside: no token refused, a viewer token reads
// but cannot write, /metrics parses.
func TestBrowserDashboard(t *testing.T) {
	exe := chromium(t)
	f := newServeFixture(t)
	f.writeConfig(t, "")
	p := f.start(t)
	// The browser runs inside the scanner namespace, like the daemon: it
	// reaches the daemon on that namespace's loopback, and nothing it
	// tries can leave the machine (the namespace has no default route).
	base := "http://" + serveListen
	wrapper := filepath.Join(t.TempDir(), "chromium-in-netns")
	script := fmt.Sprintf("#!/bin/sh\nexec ip netns exec %s %s \"$@\"\n", f.e.truth.ScannerNetns, exe)
	if err := os.WriteFile(wrapper, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	shots := artifactDir(t)

	var secret string
	waitFor(t, 10*time.Second, "bootstrap password printed", func() bool {
		m := bootstrapPassword.FindStringSubmatch(p.log.String())
		if m != nil {
			secret = m[1]
		}
		return m != nil
	})

	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(wrapper), chromedp.NoSandbox,
		chromedp.Flag("disable-gpu", true), chromedp.WindowSize(1400, 1000),
		chromedp.Flag("no-proxy-server", true), chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()))
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancelAlloc()
	ctx, cancel := chromedp.NewContext(actx, chromedp.WithLogf(t.Logf))
	defer cancel()
	ctx, cancelT := context.WithTimeout(ctx, 3*time.Minute)
	defer cancelT()

	// The first run on ctx itself starts the browser; later steps run on
	// child contexts with their own timeouts (cancelling a child whose
	// run started the browser would close it).
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	shot := func(name string) {
		buf, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
		if err != nil {
			t.Errorf("screenshot %s: %v", name, err)
			return
		}
		path := filepath.Join(shots, name+".png")
		if err := os.WriteFile(path, buf, 0o644); err != nil {
			t.Error(err)
		}
		t.Logf("screenshot %s", path)
	}
	run := func(what string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		stepCtx, cancel := context.WithTimeout(ctx, 30*time.Second)
		defer cancel()
		if err := chromedp.Do(stepCtx, actions...); err != nil {
			shot("failed-" + strings.ReplaceAll(what, " ", "-"))
			t.Fatalf("%s: %v", what, err)
		}
	}

	// Log in with the bootstrap secret; the one-time password must be replaced.
	run("open login", chromedp.Navigate(base+"/"), chromedp.WaitVisible("#login-user"))
	shot("01-login")
	run("log in", chromedp.SendKeys("#login-user", "admin"),
		chromedp.SendKeys("#login-password", secret),
		chromedp.Click("#login-submit"),
		chromedp.WaitVisible("#new-password"))
	shot("02-choose-password")
	run("choose a password", chromedp.SendKeys("#new-password", "morning-coffee-42"),
		chromedp.SendKeys("#new-password2", "morning-coffee-42"),
		chromedp.Click("#password-submit"),
		chromedp.WaitVisible("#exposure"))
	who, err := chromedp.Run(ctx, chromedp.Text("#whoami"))
	if err != nil || !strings.Contains(who, "admin") {
		t.Errorf("#whoami = %q (%v)", who, err)
	}
	shot("03-overview")

	// A forbidden port opens on h1 while the overview is open: live
	// refresh brings it in without a reload.
	ln, err := f.e.truth.HostListen("h1", "tcp", ":2375")
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
	ep := fmt.Sprintf("%s:2375/tcp", f.h1.IPv4)
	row := fmt.Sprintf(`#recent-changes tr[data-endpoint="%s"]`, ep)
	run("new port on the overview", chromedp.WaitVisible(row))
	shot("04-overview-new-port")

	// Follow it to its host page, then its endpoint page with charts.
	run("host page", chromedp.Click(row+" a.host-link"), chromedp.WaitVisible("main"))
	hostText, err := chromedp.Run(ctx, chromedp.Text("main"))
	if err != nil || !strings.Contains(hostText, "2375") {
		t.Errorf("host page lacks port 2375: %.300q", hostText)
	}
	shot("05-host")
	run("endpoint page", chromedp.Navigate(base+"/"), chromedp.WaitVisible(row),
		chromedp.Click(row+" a.endpoint-link"),
		chromedp.WaitVisible("#latency-chart svg"),
		chromedp.WaitVisible("#availability-chart svg"))
	shot("06-endpoint")
	avail, err := chromedp.Run(ctx, chromedp.Text("#availability-figure"))
	var pctv float64
	if _, perr := fmt.Sscanf(avail, "%f %%", &pctv); err != nil || perr != nil || pctv < 0 || pctv > 100 {
		t.Errorf("availability figure %q (%v, %v): want a percentage within 0..100", avail, err, perr)
	}

	// Acknowledge its finding.
	run("findings page", chromedp.Navigate(base+"/findings"), chromedp.WaitVisible("tr[data-finding] button.ack"))
	row0, err := chromedp.Run(ctx, chromedp.AttributeValue("tr[data-finding]", "data-finding"))
	if err != nil || !row0.Exists {
		t.Fatalf("finding row: %v", err)
	}
	frow := fmt.Sprintf(`tr[data-finding="%s"]`, row0.Value)
	run("acknowledge", chromedp.Click(frow+" button.ack"), chromedp.WaitVisible(frow+" .acked"))
	shot("07-acknowledged")

	// The API and metrics from outside the browser.
	client := f.http
	status := func(method, path, token string) int {
		req, _ := http.NewRequest(method, base+path, nil)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		if method != "GET" {
			req.Header.Set("Content-Type", "application/json")
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatalf("%s %s: %v", method, path, err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if got := status("GET", "/api/v1/hosts", ""); got != http.StatusUnauthorized {
		t.Errorf("API without a token: %d, want 401", got)
	}
	out, err := exec.Command(f.e.bin, "token", "create", "--db", f.db, "--name", "viewer", "--role", "viewer").Output()
	if err != nil {
		t.Fatal(err)
	}
	viewer := strings.TrimSpace(string(out))
	if got := status("GET", "/api/v1/hosts", viewer); got != http.StatusOK {
		t.Errorf("API with a viewer token: %d, want 200", got)
	}
	if got := status("POST", "/api/v1/findings/1/resolve", viewer); got != http.StatusForbidden {
		t.Errorf("viewer resolving a finding: %d, want 403", got)
	}
	if got := status("GET", "/metrics", ""); got != http.StatusUnauthorized {
		t.Errorf("/metrics without a token: %d, want 401", got)
	}
	req, _ := http.NewRequest("GET", base+"/metrics", nil)
	req.Header.Set("Authorization", "Bearer "+viewer)
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	parser := expfmt.NewTextParser(model.UTF8Validation)
	families, err := parser.TextToMetricFamilies(resp.Body)
	if err != nil {
		t.Fatalf("/metrics does not parse: %v", err)
	}
	for _, name := range []string{"portwatch_build_info", "portwatch_endpoint_up", "portwatch_findings_open", "portwatch_scheduler_lag_seconds"} {
		if families[name] == nil {
			t.Errorf("/metrics lacks %s", name)
		}
	}
}
