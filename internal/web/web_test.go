package web

import (
	"bufio"
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/portwatch/portwatch/internal/auth"
	"github.com/portwatch/portwatch/internal/store"
	"github.com/portwatch/portwatch/internal/store/sqlite"
)

func smallEnv(t *testing.T) (*env, int64) {
	var fid int64
	e := newEnv(t, "", func(ctx context.Context, st *sqlite.DB) { fid = seedSmall(ctx, t, st, time.Now().UTC()) })
	return e, fid
}

func TestLoginBadPasswordRateLimitAndCookie(t *testing.T) {
	e, _ := smallEnv(t)
	e.addUser(t, "alice", auth.RoleViewer)
	c := e.client(t)

	resp, _ := c.get("/hosts?q=x")
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/login?next="+url.QueryEscape("/hosts?q=x") {
		t.Fatalf("anonymous page: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	for i := range 3 {
		resp, body := c.post("/login", url.Values{"user": {"alice"}, "password": {"wrong password " + strconv.Itoa(i)}})
		if resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("bad password %d: %d", i, resp.StatusCode)
		}
		mustContain(t, body, "Wrong user name or password", "bad password page")
	}
	resp, body := c.post("/login", url.Values{"user": {"alice"}, "password": {testPassword}})
	if resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") == "" {
		t.Fatalf("after 3 failures: %d, Retry-After %q", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
	mustContain(t, body, "Try again in", "rate limit page")

	e.addUser(t, "bob", auth.RoleViewer)
	c = e.client(t)
	resp, _ = c.post("/login", url.Values{"user": {"bob"}, "password": {testPassword}, "next": {"//evil.example/x"}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/" {
		t.Fatalf("login: %d to %q (a foreign next must become /)", resp.StatusCode, resp.Header.Get("Location"))
	}
	var sess *http.Cookie
	for _, ck := range resp.Cookies() {
		if ck.Name == auth.SessionCookie(false) {
			sess = ck
		}
	}
	if sess == nil || !sess.HttpOnly || sess.SameSite == http.SameSiteNoneMode || sess.SameSite == http.SameSiteDefaultMode {
		t.Fatalf("session cookie: %+v", sess)
	}
	resp, body = c.get("/")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("overview after login: %d", resp.StatusCode)
	}
	mustContain(t, body, `id="whoami" data-role="viewer">bob<`, "overview")
	for _, h := range []string{"Content-Security-Policy", "X-Content-Type-Options", "Referrer-Policy"} {
		if resp.Header.Get(h) == "" {
			t.Errorf("header %s missing", h)
		}
	}
	if resp.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("page Cache-Control %q", resp.Header.Get("Cache-Control"))
	}

	// Logout needs the CSRF token and ends the session.
	tok := c.csrf()
	if resp, _ := c.post("/logout", nil); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("logout without CSRF: %d", resp.StatusCode)
	}
	if resp, _ := c.post("/logout", url.Values{"csrf_token": {tok}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("logout: %d", resp.StatusCode)
	}
	if resp, _ := c.get("/"); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("after logout: %d", resp.StatusCode)
	}
}

func TestMustChangePasswordFlow(t *testing.T) {
	e, _ := smallEnv(t)
	ctx := context.Background()
	user, secret, err := e.auth.Bootstrap(ctx)
	if err != nil || user != "admin" {
		t.Fatalf("bootstrap: %q %v", user, err)
	}
	c := e.client(t)
	resp, _ := c.post("/login", url.Values{"user": {"admin"}, "password": {secret}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/account/password" {
		t.Fatalf("bootstrap login: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	for _, p := range []string{"/", "/findings", "/hosts/198.18.0.11"} {
		if resp, _ := c.get(p); resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/account/password" {
			t.Fatalf("%s before the change: %d to %q", p, resp.StatusCode, resp.Header.Get("Location"))
		}
	}
	_, body := c.get("/account/password")
	for _, id := range []string{`id="new-password"`, `id="new-password2"`, `id="password-submit"`} {
		mustContain(t, body, id, "password form")
	}
	tok := csrfRE.FindStringSubmatch(body)[1]
	if resp, _ := c.post("/account/password", url.Values{"password": {testPassword}, "password2": {testPassword}}); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("password without CSRF: %d", resp.StatusCode)
	}
	if resp, body := c.post("/account/password", url.Values{"csrf_token": {tok}, "password": {testPassword}, "password2": {testPassword + "x"}}); resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("different passwords: %d", resp.StatusCode)
	} else {
		mustContain(t, body, "differ", "password error")
	}
	if resp, _ := c.post("/account/password", url.Values{"csrf_token": {tok}, "password": {testPassword}, "password2": {testPassword}}); resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/" {
		t.Fatalf("password change: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	if resp, _ := c.get("/"); resp.StatusCode != http.StatusOK {
		t.Fatalf("overview after the change: %d", resp.StatusCode)
	}
	e.login(t, "admin")
	entries, err := e.st.ListAudit(ctx, store.AuditFilter{})
	if err != nil || !hasAudit(entries, "web.password.change", "user:admin", http.StatusSeeOther) {
		t.Fatalf("audit of the password change: %+v %v", entries, err)
	}
}

func hasAudit(es []store.AuditEntry, action, actor string, status int) bool {
	for _, e := range es {
		if e.Action == action && e.Actor == actor && e.Status == status {
			return true
		}
	}
	return false
}

func TestEveryPageForAViewerAndEscaping(t *testing.T) {
	e, fid := smallEnv(t)
	e.addUser(t, "vera", auth.RoleViewer)
	c := e.login(t, "vera")
	pages := []string{"/", "/hosts", "/hosts?sort=-open&q=198.18", "/hosts/198.18.0.11", "/endpoints", "/endpoints?state=open&sort=-latency",
		"/endpoints/198.18.0.11/tcp/2375", "/endpoints/198.18.0.11/tcp/2375?window=1h", "/endpoints/198.18.0.11/tcp/2375?window=7d",
		"/endpoints/198.18.0.11/tcp/2375?window=30d", "/changes", "/changes?kind=opened&host=198.18.0.11&sort=time", "/findings",
		"/findings?status=all&severity=critical&acked=no", "/scans", "/silences", "/account/password"}
	for _, p := range pages {
		resp, body := c.get(p)
		if resp.StatusCode != http.StatusOK {
			t.Errorf("%s: %d", p, resp.StatusCode)
			continue
		}
		if strings.Contains(body, "<script>alert") || strings.Contains(body, "<b>2") {
			t.Errorf("%s: hostile text appears raw", p)
		}
		if strings.Contains(body, `<script>`) || strings.Contains(body, " style=") {
			t.Errorf("%s: inline script or style attribute (the CSP forbids them)", p)
		}
		if strings.Contains(body, "http://") || strings.Contains(body, "https://") {
			if !strings.Contains(body, `xmlns="http://www.w3.org/2000/svg"`) || strings.Count(body, "http") != strings.Count(body, "http://www.w3.org/") {
				t.Errorf("%s: an external URL", p)
			}
		}
		if strings.Contains(body, `class="ack"`) || strings.Contains(body, `class="resolve"`) || strings.Contains(body, "/silences\" id=\"silence-form") {
			t.Errorf("%s: a viewer sees write buttons", p)
		}
	}
	_, body := c.get("/")
	mustContain(t, body, `id="recent-changes"`, "overview")
	mustContain(t, body, `data-endpoint="198.18.0.11:2375/tcp"`, "overview")
	mustContain(t, body, `class="host-link" href="/hosts/198.18.0.11"`, "overview")
	mustContain(t, body, `class="endpoint-link" href="/endpoints/198.18.0.11/tcp/2375"`, "overview")
	mustContain(t, body, `data-finding="`+strconv.FormatInt(fid, 10)+`"`, "overview")
	_, body = c.get("/endpoints/198.18.0.11/tcp/2375?window=24h")
	for _, id := range []string{`id="latency-chart" class="chart"><svg`, `id="availability-chart" class="chart"><svg`, "&lt;script&gt;"} {
		mustContain(t, body, id, "endpoint page")
	}
	_, body = c.get("/hosts/198.18.0.11")
	mustContain(t, body, `id="state-timeline" class="chart"><svg`, "host page")
	for p, want := range map[string]int{"/hosts/nonsense": 404, "/endpoints/198.18.0.11/tcp/9": 404, "/endpoints?sort=bogus": 400, "/nope": 404, "/scans/999": 404} {
		if resp, _ := c.get(p); resp.StatusCode != want {
			t.Errorf("%s: %d, want %d", p, resp.StatusCode, want)
		}
	}
	// The stylesheet and script are served, cacheable, from their hashed URLs.
	_, body = c.get("/")
	for _, m := range []string{"app.css", "app.js"} {
		i := strings.Index(body, "/static/")
		if i < 0 {
			t.Fatal("no static URL")
		}
		u := body[i:]
		u = u[:strings.IndexByte(u, '"')]
		if strings.HasSuffix(u, m) {
			resp, _ := c.get(u)
			if resp.StatusCode != 200 || !strings.Contains(resp.Header.Get("Cache-Control"), "immutable") {
				t.Errorf("%s: %d %q", u, resp.StatusCode, resp.Header.Get("Cache-Control"))
			}
		}
		body = body[i+1:]
	}
}

func TestViewerCannotWriteOperatorAcks(t *testing.T) {
	e, fid := smallEnv(t)
	e.addUser(t, "vera", auth.RoleViewer)
	e.addUser(t, "otto", auth.RoleOperator)
	ctx := context.Background()
	id := strconv.FormatInt(fid, 10)

	v := e.login(t, "vera")
	tok := v.csrf()
	for _, p := range []string{"/findings/" + id + "/ack", "/findings/" + id + "/resolve", "/silences", "/scans/run"} {
		if resp, _ := v.post(p, url.Values{"csrf_token": {tok}, "matchers": {"host=198.18.0.11"}, "duration": {"1h"}, "comment": {"x"}}); resp.StatusCode != http.StatusForbidden {
			t.Errorf("viewer POST %s: %d", p, resp.StatusCode)
		}
	}
	_, body := v.get("/findings")
	if strings.Contains(body, `class="ack"`) {
		t.Error("a viewer sees the ack button")
	}

	o := e.login(t, "otto")
	_, body = o.get("/findings")
	mustContain(t, body, `class="ack"`, "operator findings page")
	if resp, _ := o.post("/findings/"+id+"/ack", url.Values{"back": {"/findings"}}); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("ack without CSRF: %d", resp.StatusCode)
	}
	tok = o.csrf()
	resp, _ := o.post("/findings/"+id+"/ack", url.Values{"csrf_token": {tok}, "back": {"/findings"}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/findings" {
		t.Fatalf("ack: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	_, body = o.get("/findings")
	i := strings.Index(body, `data-finding="`+id+`"`)
	if i < 0 || !strings.Contains(body[i:i+300], "acked") {
		t.Fatalf("acknowledged finding not shown as .acked")
	}
	if resp, _ := o.post("/findings/99999/ack", url.Values{"csrf_token": {tok}}); resp.StatusCode != http.StatusNotFound {
		t.Errorf("ack of an unknown finding: %d", resp.StatusCode)
	}
	// A silence made and expired.
	if resp, body := o.post("/silences", url.Values{"csrf_token": {tok}, "matchers": {"host=198.18.0.11"}, "duration": {"2h"}, "comment": {"maintenance"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("silence: %d %s", resp.StatusCode, body)
	}
	if resp, body := o.post("/silences", url.Values{"csrf_token": {tok}, "matchers": {"=x"}, "duration": {"2h"}, "comment": {"x"}}); resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("bad silence: %d %s", resp.StatusCode, body)
	}
	sils, err := e.st.ListSilences(ctx, time.Now())
	if err != nil || len(sils) != 1 {
		t.Fatalf("silences: %v %v", sils, err)
	}
	if resp, _ := o.post("/silences/"+strconv.FormatInt(sils[0].ID, 10)+"/expire", url.Values{"csrf_token": {tok}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("expire: %d", resp.StatusCode)
	}
	entries, err := e.st.ListAudit(ctx, store.AuditFilter{})
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range []string{"web.finding.ack", "web.silence.create", "web.silence.expire"} {
		if !hasAudit(entries, a, "user:otto", http.StatusSeeOther) {
			t.Errorf("no audit entry %s by otto", a)
		}
	}
}

func TestEventsAfterAChange(t *testing.T) {
	e, fid := smallEnv(t)
	e.addUser(t, "otto", auth.RoleOperator)
	o := e.login(t, "otto")
	tok := o.csrf()

	if resp, _ := e.client(t).get("/events"); resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("anonymous /events: %d", resp.StatusCode)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, e.srv.URL+"/events", nil)
	resp, err := o.hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "text/event-stream" {
		t.Fatalf("/events: %d %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	lines := make(chan string)
	go func() {
		sc := bufio.NewScanner(resp.Body)
		for sc.Scan() {
			select {
			case lines <- sc.Text():
			case <-ctx.Done():
				return
			}
		}
		close(lines)
	}()
	waitFor := func(prefix string) string {
		t.Helper()
		for {
			select {
			case l, ok := <-lines:
				if !ok {
					t.Fatalf("stream ended before %q", prefix)
				}
				if strings.HasPrefix(l, prefix) {
					return l
				}
			case <-ctx.Done():
				t.Fatalf("no %q within the deadline", prefix)
			}
		}
	}
	waitFor(": connected")
	if r, _ := o.post("/findings/"+strconv.FormatInt(fid, 10)+"/ack", url.Values{"csrf_token": {tok}}); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("ack: %d", r.StatusCode)
	}
	waitFor("event: update")
	if l := waitFor("data: "); !strings.Contains(l, `"writes":1`) {
		t.Errorf("event data %s", l)
	}
	waitFor(": heartbeat")
}
