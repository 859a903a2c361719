package api_test

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/portwatch/portwatch/internal/model"
	"github.com/portwatch/portwatch/internal/store"
)

type monitorItem struct {
	Name   string `json:"name"`
	Source string `json:"source"`
}

type endpointItem struct {
	ID       string            `json:"id"`
	URL      string            `json:"url"`
	State    string            `json:"state"`
	Groups   []string          `json:"groups"`
	Labels   map[string]string `json:"labels"`
	Monitors []string          `json:"monitors"`
}

func TestEndpointsFilterSortAndPagesAreStable(t *testing.T) {
	e := newEnv(t)
	full := decodeJSON[page[endpointItem]](t, e.as("viewer", "GET", "/api/v1/endpoints?sort=-port&limit=1000&group=local&label=team=core", nil, 200))
	if full.Total == nil || *full.Total != len(e.ports) || len(full.Items) != len(e.ports) || full.Next != nil {
		t.Fatalf("full listing: total %v, %d items, next %v", full.Total, len(full.Items), full.Next)
	}
	var want []string
	for _, it := range full.Items {
		want = append(want, it.ID)
	}
	sorted := slices.SortedFunc(slices.Values(e.ports), func(a, b uint16) int { return int(b) - int(a) })
	for i, p := range sorted {
		if want[i] != fmt.Sprintf("127.0.0.1:%d/tcp", p) {
			t.Fatalf("sort=-port gives %v", want)
		}
	}
	var got []string
	next := "/api/v1/endpoints?sort=-port&limit=2&group=local&label=team=core"
	for pages := 0; next != ""; pages++ {
		if pages > 10 {
			t.Fatal("pagination does not end")
		}
		p := decodeJSON[page[endpointItem]](t, e.as("viewer", "GET", next, nil, 200))
		for _, it := range p.Items {
			got = append(got, it.ID)
		}
		next = ""
		if p.Next != nil {
			next = *p.Next
		}
	}
	if !slices.Equal(got, want) {
		t.Fatalf("pages concatenated %v, want %v", got, want)
	}
	// Filters: text and state; detail of one endpoint.
	one := decodeJSON[page[endpointItem]](t, e.as("viewer", "GET", fmt.Sprintf("/api/v1/endpoints?q=m3&state=open"), nil, 200))
	if len(one.Items) != 1 || one.Items[0].Monitors[0] != "m3" {
		t.Fatalf("q=m3: %+v", one.Items)
	}
	detail := decodeJSON[map[string]any](t, e.as("viewer", "GET", one.Items[0].URL+"?window=1h", nil, 200))
	if detail["stats"] == nil || detail["state"] != "open" {
		t.Fatalf("endpoint detail: %v", detail)
	}
	e.as("viewer", "GET", "/api/v1/endpoints/127.0.0.1/tcp/1", nil, 404)
	e.as("viewer", "GET", one.Items[0].URL+"/history?limit=5", nil, 200)
	hosts := decodeJSON[page[map[string]any]](t, e.as("viewer", "GET", "/api/v1/hosts", nil, 200))
	if len(hosts.Items) != 1 {
		t.Fatalf("hosts: %v", hosts.Items)
	}
	e.as("viewer", "GET", "/api/v1/hosts/127.0.0.1", nil, 200)
	// Bad parameters name themselves.
	for param, q := range map[string]string{"limit": "limit=0", "sort": "sort=nope", "state": "state=up", "offset": "offset=-1"} {
		b := e.as("viewer", "GET", "/api/v1/endpoints?"+q, nil, 400)
		if msg := decodeJSON[apiErr](t, b).Error.Message; !strings.HasPrefix(msg, param) {
			t.Errorf("?%s: message %q does not name %s", q, msg, param)
		}
	}
	e.as("viewer", "GET", "/api/v1/changes?since=yesterday", nil, 400)
}

func TestAckAndResolveAFindingAreAudited(t *testing.T) {
	e := newEnv(t)
	var f model.Finding
	e.eventually("the guard's finding", func() bool {
		p := decodeJSON[page[model.Finding]](t, e.as("viewer", "GET", "/api/v1/findings?open=true&kind=expected-closed-open", nil, 200))
		if len(p.Items) > 0 {
			f = p.Items[0]
		}
		return len(p.Items) > 0
	})
	// A viewer cannot acknowledge, and nothing happens.
	e.as("viewer", "POST", fmt.Sprintf("/api/v1/findings/%d/ack", f.ID), nil, 403)
	if g := decodeJSON[model.Finding](t, e.as("viewer", "GET", fmt.Sprintf("/api/v1/findings/%d", f.ID), nil, 200)); g.Acked != nil {
		t.Fatalf("a viewer's ack was applied: %+v", g)
	}
	acked := decodeJSON[model.Finding](t, e.as("operator", "POST", fmt.Sprintf("/api/v1/findings/%d/ack", f.ID), nil, 200))
	if acked.Acked == nil || acked.AckedBy != "token:operator" {
		t.Fatalf("ack: %+v", acked)
	}
	if p := decodeJSON[page[model.Finding]](t, e.as("viewer", "GET", "/api/v1/findings?acked=false&kind=expected-closed-open&open=true", nil, 200)); len(p.Items) != 0 {
		t.Fatalf("acked=false still lists it: %+v", p.Items)
	}
	resolved := decodeJSON[model.Finding](t, e.as("operator", "POST", fmt.Sprintf("/api/v1/findings/%d/resolve", f.ID), nil, 200))
	if resolved.Resolved == nil {
		t.Fatalf("resolve: %+v", resolved)
	}
	e.as("operator", "POST", "/api/v1/findings/424242/ack", nil, 404)
	audit := decodeJSON[page[store.AuditEntry]](t, e.as("admin", "GET", "/api/v1/audit?actor=token:operator", nil, 200))
	var actions []string
	for _, a := range audit.Items {
		actions = append(actions, fmt.Sprintf("%s %s %d", a.Action, a.Object, a.Status))
	}
	for _, want := range []string{
		fmt.Sprintf("finding.ack finding/%d 200", f.ID),
		fmt.Sprintf("finding.resolve finding/%d 200", f.ID),
		"finding.ack finding/424242 404",
	} {
		if !slices.Contains(actions, want) {
			t.Errorf("audit log %v lacks %q", actions, want)
		}
	}
	denied := decodeJSON[page[store.AuditEntry]](t, e.as("admin", "GET", "/api/v1/audit?actor=token:viewer", nil, 200))
	if len(denied.Items) != 1 || denied.Items[0].Status != 403 {
		t.Errorf("the viewer's refused ack is not audited as 403: %+v", denied.Items)
	}
}

func TestRuntimeMonitorsCreateListDelete(t *testing.T) {
	e := newEnv(t)
	spec := map[string]any{"name": "web", "endpoint": fmt.Sprintf("127.0.0.1:%d", e.ports[0]), "interval": "30s"}
	mi := decodeJSON[monitorItem](t, e.as("operator", "POST", "/api/v1/monitors", spec, 201))
	if mi.Source != "api" || mi.Name != "web" {
		t.Fatalf("created: %+v", mi)
	}
	list := decodeJSON[page[monitorItem]](t, e.as("viewer", "GET", "/api/v1/monitors?source=api", nil, 200))
	if len(list.Items) != 1 || list.Items[0].Name != "web" {
		t.Fatalf("source=api: %+v", list.Items)
	}
	e.as("operator", "POST", "/api/v1/monitors", spec, 409)
	e.as("operator", "POST", "/api/v1/monitors", map[string]any{"name": "m0", "endpoint": "127.0.0.1:1"}, 409)
	b := e.as("operator", "POST", "/api/v1/monitors", map[string]any{"name": "far", "endpoint": "198.18.0.1:22"}, 400)
	if msg := decodeJSON[apiErr](t, b).Error.Message; !strings.Contains(msg, "api:1") || !strings.Contains(msg, "outside scope") {
		t.Errorf("validation message %q lacks its api:LINE position", msg)
	}
	b = e.as("operator", "DELETE", "/api/v1/monitors/m0", nil, 409)
	if msg := decodeJSON[apiErr](t, b).Error.Message; !strings.Contains(msg, "test.yaml:") || !strings.Contains(msg, "edit the file") {
		t.Errorf("deleting a file's monitor: %q", msg)
	}
	e.as("operator", "DELETE", "/api/v1/monitors/web", nil, 204)
	e.as("operator", "DELETE", "/api/v1/monitors/web", nil, 404)
	e.as("viewer", "GET", "/api/v1/monitors/web", nil, 404)
	e.as("viewer", "GET", "/api/v1/monitors/m0", nil, 200)
}

func TestSilencesCreateAndExpire(t *testing.T) {
	e := newEnv(t)
	body := map[string]any{
		"matchers": []any{"host=127.0.0.1", map[string]string{"name": "kind", "op": "=~", "value": "forbidden-port|unexpected-port"}},
		"duration": "1h", "comment": "maintenance of the test host",
	}
	// A viewer cannot write, and the write did not happen.
	e.as("viewer", "POST", "/api/v1/silences", body, 403)
	if p := decodeJSON[page[store.Silence]](t, e.as("viewer", "GET", "/api/v1/silences?all=true", nil, 200)); len(p.Items) != 0 {
		t.Fatalf("a viewer's silence was stored: %+v", p.Items)
	}
	s := decodeJSON[store.Silence](t, e.as("operator", "POST", "/api/v1/silences", body, 201))
	if len(s.Matchers) != 2 || s.Matchers[1].Op != "=~" || s.CreatedBy != "token:operator" {
		t.Fatalf("created: %+v", s)
	}
	if p := decodeJSON[page[store.Silence]](t, e.as("viewer", "GET", "/api/v1/silences", nil, 200)); len(p.Items) != 1 || p.Items[0].ID != s.ID {
		t.Fatalf("list: %+v", p.Items)
	}
	e.as("operator", "DELETE", fmt.Sprintf("/api/v1/silences/%d", s.ID), nil, 204)
	if p := decodeJSON[page[store.Silence]](t, e.as("viewer", "GET", "/api/v1/silences", nil, 200)); len(p.Items) != 0 {
		t.Fatalf("expired silence still active: %+v", p.Items)
	}
	e.as("operator", "POST", "/api/v1/silences", map[string]any{"matchers": []string{"host"}, "duration": "1h", "comment": "x"}, 400)
	e.as("operator", "POST", "/api/v1/silences", map[string]any{"matchers": []string{"a=b"}, "duration": "1h", "comment": "x", "extra": 1}, 400)
	res, _ := e.do("POST", "/api/v1/silences", req{token: e.tokens["operator"], headers: map[string]string{"Content-Type": "text/plain"}, body: "matchers"})
	if res.StatusCode != http.StatusUnsupportedMediaType {
		t.Fatalf("text/plain body: %d, want 415", res.StatusCode)
	}
}

func TestTokenSecretIsShownOnce(t *testing.T) {
	e := newEnv(t)
	b := e.as("admin", "POST", "/api/v1/tokens", map[string]string{"name": "ci", "role": "viewer", "expires_in": "720h"}, 201)
	tok := decodeJSON[struct {
		ID     int64  `json:"id"`
		Secret string `json:"secret"`
		Prefix string `json:"prefix"`
	}](t, b)
	if !strings.HasPrefix(tok.Secret, "pwt_") || !strings.HasPrefix(tok.Secret, tok.Prefix) {
		t.Fatalf("created token: %s", b)
	}
	list := e.as("admin", "GET", "/api/v1/tokens", nil, 200)
	if strings.Contains(string(list), tok.Secret) || strings.Contains(string(list), `"secret"`) || !strings.Contains(string(list), tok.Prefix) {
		t.Fatalf("the token list shows the secret or not the prefix: %s", list)
	}
	if res, b := e.do("GET", "/api/v1/me", req{token: tok.Secret}); res.StatusCode != 200 || !strings.Contains(string(b), `"viewer"`) {
		t.Fatalf("GET /me with the new token: %d %s", res.StatusCode, b)
	}
	e.as("admin", "DELETE", fmt.Sprintf("/api/v1/tokens/%d", tok.ID), nil, 204)
	if res, _ := e.do("GET", "/api/v1/me", req{token: tok.Secret}); res.StatusCode != 401 {
		t.Fatalf("revoked token: %d, want 401", res.StatusCode)
	}
}

func TestReadOnlyViewsAndHealth(t *testing.T) {
	e := newEnv(t)
	for _, path := range []string{"/api/v1/targets", "/api/v1/maintenance", "/api/v1/notifiers", "/api/v1/outbox", "/api/v1/incidents",
		"/api/v1/locations", "/api/v1/scans", "/api/v1/scans/running", "/api/v1/changes?sort=time"} {
		e.as("viewer", "GET", path, nil, 200)
	}
	m := decodeJSON[page[map[string]any]](t, e.as("viewer", "GET", "/api/v1/maintenance", nil, 200))
	if len(m.Items) != 1 || m.Items[0]["schedule"] != "0 2 * * *" {
		t.Fatalf("maintenance: %+v", m.Items)
	}
	e.as("operator", "POST", "/api/v1/scans", map[string]string{"job": "nope"}, 404)
	e.as("operator", "POST", "/api/v1/scans", map[string]string{"job": "loop"}, 202)
	for _, path := range []string{"/healthz", "/readyz"} {
		e.eventually(path, func() bool {
			res, _ := e.do("GET", path, req{})
			return res.StatusCode == 200
		})
	}
	if res, _ := e.do("GET", "/api/v1/nothing-here", req{}); res.StatusCode != 401 {
		t.Fatalf("unknown path without a token: %d, want 401", res.StatusCode)
	}
	e.as("viewer", "GET", "/api/v1/nothing-here", nil, 404)
}
