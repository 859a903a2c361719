package policy

import (
	"net/netip"
	"reflect"
	"testing"
	"time"

	"github.com/portwatch/portwatch/internal/fingerprint"
	"github.com/portwatch/portwatch/internal/model"
	"github.com/portwatch/portwatch/internal/scan"
)

var t0 = time.Date(2026, 11, 21, 20, 0, 0, 0, time.UTC)

func tcp(addr string, port uint16) model.Endpoint {
	return model.Endpoint{Addr: netip.MustParseAddr(addr), Protocol: scan.TCP, Port: port}
}

func udp(addr string, port uint16) model.Endpoint {
	return model.Endpoint{Addr: netip.MustParseAddr(addr), Protocol: scan.UDP, Port: port}
}

// st builds a state seen n times in a row at t0+10s.
func st(ep model.Endpoint, state scan.PortState, n int, svc *fingerprint.Service) model.EndpointState {
	return model.EndpointState{
		Endpoint: ep, Location: model.LocalLocation, State: state, Reason: scan.ReasonConnRefused,
		Since: t0, FirstSeen: t0, LastSeen: t0.Add(10 * time.Second), Consecutive: n, Service: svc,
	}
}

func svc(name, version string) *fingerprint.Service {
	return &fingerprint.Service{Name: name, Version: version, Method: fingerprint.MethodProbe}
}

func prefixes(ps ...string) []netip.Prefix {
	var out []netip.Prefix
	for _, p := range ps {
		out = append(out, netip.MustParsePrefix(p))
	}
	return out
}

func testEngine() *Engine {
	return NewEngine([]Group{
		{
			Name: "dmz", Labels: map[string]string{"env": "prod"}, Members: prefixes("198.18.0.0/28"),
			AllowedPorts: Ports{TCP: []uint16{22, 80, 443}}, ForbiddenPorts: Ports{TCP: []uint16{6379}, UDP: []uint16{11211}},
			ExpectedServices: map[uint16]string{443: "https"},
		},
		{Name: "db", Members: prefixes("198.18.0.20/32"), ExpectedServices: map[uint16]string{5432: "postgresql"}},
		{Name: "edge", Members: prefixes("198.18.1.0/24"), InternetFacing: true, AllowedPorts: Ports{TCP: []uint16{22, 443}}},
		{Name: "all", Members: prefixes("198.18.0.0/16"), ForbiddenPorts: Ports{TCP: []uint16{23}}},
	}, []Monitor{
		{Name: "db-primary", Group: "db", Endpoint: tcp("198.18.0.20", 5432), Expect: ExpectOpen, FailureThreshold: 3},
		{Name: "no-telnet", Endpoint: tcp("198.18.0.30", 2323), Expect: ExpectClosed},
		{Name: "dns", Endpoint: udp("198.18.0.30", 53), Expect: ExpectOpen},
	})
}

// brief renders findings as "kind rule severity" for compact comparison.
func brief(fs []model.Finding) []string {
	var out []string
	for _, f := range fs {
		out = append(out, string(f.Kind)+" "+f.Rule+" "+string(f.Severity))
	}
	return out
}

func TestEvaluateOpens(t *testing.T) {
	tests := []struct {
		name  string
		state model.EndpointState
		want  []string
	}{
		{"forbidden port on first sighting", st(tcp("198.18.0.11", 6379), scan.Open, 1, svc("redis", "7.0.15")),
			[]string{"forbidden-port group:dmz critical"}},
		{"forbidden udp port", st(udp("198.18.0.11", 11211), scan.Open, 1, nil), []string{"forbidden-port group:dmz critical"}},
		{"forbidden port closed", st(tcp("198.18.0.11", 6379), scan.Closed, 1, nil), nil},
		{"forbidden port open|filtered", st(udp("198.18.0.11", 11211), scan.OpenFiltered, 1, nil), nil},
		{"unexpected port", st(tcp("198.18.0.11", 8080), scan.Open, 1, nil), []string{"unexpected-port group:dmz critical"}},
		{"allowed port", st(tcp("198.18.0.11", 22), scan.Open, 1, nil), nil},
		{"udp has no allow-list", st(udp("198.18.0.11", 161), scan.Open, 1, nil), nil},
		{"outside every group", st(tcp("198.19.0.1", 6379), scan.Open, 1, nil), nil},
		{"internet-facing default forbidden", st(tcp("198.18.1.5", 3306), scan.Open, 1, nil), []string{"forbidden-port group:edge critical"}},
		{"internet-facing allowed overrides default", st(tcp("198.18.1.5", 22), scan.Open, 1, nil), nil},
		{"multiple groups match one address", st(tcp("198.18.0.11", 23), scan.Open, 1, nil),
			[]string{"unexpected-port group:dmz critical", "forbidden-port group:all critical"}},
		{"unexpected service", st(tcp("198.18.0.11", 443), scan.Open, 1, svc("http", "")), []string{"unexpected-service group:dmz warning"}},
		{"expected service", st(tcp("198.18.0.11", 443), scan.Open, 1, svc("HTTPS", "")), nil},
		{"service not identified", st(tcp("198.18.0.11", 443), scan.Open, 1, svc("unknown", "")), nil},
		{"service only a port hint", st(tcp("198.18.0.11", 443), scan.Open, 1, &fingerprint.Service{Name: "ssh", Method: fingerprint.MethodPortHint}), nil},
		{"service without -sV", st(tcp("198.18.0.11", 443), scan.Open, 1, nil), nil},
		{"expected-closed monitor sees open", st(tcp("198.18.0.30", 2323), scan.Open, 1, nil), []string{"expected-closed-open monitor:no-telnet critical"}},
		{"expected-closed monitor sees closed", st(tcp("198.18.0.30", 2323), scan.Closed, 5, nil), nil},
		{"expected-open below threshold", st(tcp("198.18.0.20", 5432), scan.Closed, 2, nil), nil},
		{"expected-open at threshold", st(tcp("198.18.0.20", 5432), scan.Closed, 3, nil), []string{"expected-open-down monitor:db-primary major"}},
		{"expected-open filtered past threshold", st(tcp("198.18.0.20", 5432), scan.Filtered, 7, nil), []string{"expected-open-down monitor:db-primary major"}},
		{"expected-open default threshold 1", st(udp("198.18.0.30", 53), scan.OpenFiltered, 1, nil), []string{"expected-open-down monitor:dns major"}},
		{"expected-open up with wrong service", st(tcp("198.18.0.20", 5432), scan.Open, 1, svc("mysql", "8.0")), []string{"unexpected-service group:db warning"}},
	}
	e := testEngine()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opened, resolved := e.Evaluate(tt.state, nil, nil)
			if g := brief(opened); !reflect.DeepEqual(g, tt.want) {
				t.Errorf("opened = %q, want %q", g, tt.want)
			}
			if resolved != nil {
				t.Errorf("resolved = %v with nothing open", resolved)
			}
			for _, f := range opened {
				if f.Endpoint != tt.state.Endpoint || f.Location != tt.state.Location || !f.Opened.Equal(tt.state.LastSeen) || !f.Open() || f.Message == "" {
					t.Errorf("finding %+v: wrong endpoint, location, time or message", f)
				}
			}
		})
	}
}

func TestMessages(t *testing.T) {
	e := testEngine()
	tests := []struct {
		state model.EndpointState
		want  string
	}{
		{st(tcp("198.18.0.11", 6379), scan.Open, 1, svc("redis", "7.0.15")),
			`198.18.0.11:6379/tcp open (redis 7.0.15) but 6379 is forbidden in group "dmz"`},
		{st(tcp("198.18.0.11", 8080), scan.Open, 1, &fingerprint.Service{Name: "http", Product: "nginx", Version: "1.22.1"}),
			`198.18.0.11:8080/tcp open (http nginx 1.22.1) but 8080/tcp is not in the allowed ports of group "dmz"`},
		{st(tcp("198.18.0.11", 443), scan.Open, 1, svc("http", "")),
			`198.18.0.11:443/tcp runs http but group "dmz" expects https on port 443`},
		{st(tcp("198.18.0.30", 2323), scan.Open, 1, nil),
			`198.18.0.30:2323/tcp open but monitor "no-telnet" expects it closed`},
		{st(tcp("198.18.0.20", 5432), scan.Closed, 3, nil),
			`198.18.0.20:5432/tcp closed (conn-refused) for 3 consecutive checks since 2026-11-21T20:00:00Z but monitor "db-primary" expects it open`},
	}
	for _, tt := range tests {
		opened, _ := e.Evaluate(tt.state, nil, nil)
		if len(opened) != 1 || opened[0].Message != tt.want {
			t.Errorf("messages = %q\nwant       %q", brief(opened), tt.want)
			for _, f := range opened {
				t.Logf("  %s", f.Message)
			}
		}
	}
}

func TestLabels(t *testing.T) {
	e := testEngine()
	opened, _ := e.Evaluate(st(tcp("198.18.0.11", 6379), scan.Open, 1, nil), nil, nil)
	if len(opened) != 1 || opened[0].Labels["env"] != "prod" {
		t.Fatalf("labels = %v", opened)
	}
	opened[0].Labels["env"] = "mutated"
	again, _ := e.Evaluate(st(tcp("198.18.0.11", 6379), scan.Open, 1, nil), nil, nil)
	if again[0].Labels["env"] != "prod" {
		t.Fatal("a finding's labels alias the engine's group labels")
	}
}

// asOpen indexes findings by key, as the daemon passes them in.
func asOpen(fs ...model.Finding) map[model.FindingKey]model.Finding {
	m := make(map[model.FindingKey]model.Finding, len(fs))
	for _, f := range fs {
		m[f.Key()] = f
	}
	return m
}

func TestIdempotent(t *testing.T) {
	e := testEngine()
	state := st(tcp("198.18.0.11", 23), scan.Open, 1, nil)
	first, _ := e.Evaluate(state, nil, nil)
	if len(first) != 2 {
		t.Fatalf("first evaluation opened %q", brief(first))
	}
	state.Consecutive, state.LastSeen = 2, state.LastSeen.Add(10*time.Second)
	opened, resolved := e.Evaluate(state, nil, asOpen(first...))
	if opened != nil || resolved != nil {
		t.Fatalf("second evaluation: opened %q, resolved %v", brief(opened), resolved)
	}
}

func TestResolves(t *testing.T) {
	e := testEngine()
	tests := []struct {
		name   string
		before model.EndpointState
		after  model.EndpointState
		want   int // findings resolved by after (all of those before opened)
	}{
		{"forbidden port closed again", st(tcp("198.18.0.11", 6379), scan.Open, 1, nil), st(tcp("198.18.0.11", 6379), scan.Closed, 1, nil), 1},
		{"unexpected port filtered", st(tcp("198.18.0.11", 8080), scan.Open, 1, nil), st(tcp("198.18.0.11", 8080), scan.Filtered, 1, nil), 1},
		{"both groups resolve", st(tcp("198.18.0.11", 23), scan.Open, 1, nil), st(tcp("198.18.0.11", 23), scan.Closed, 1, nil), 2},
		{"service fixed", st(tcp("198.18.0.11", 443), scan.Open, 1, svc("http", "")), st(tcp("198.18.0.11", 443), scan.Open, 2, svc("https", "")), 1},
		{"service port closed", st(tcp("198.18.0.11", 443), scan.Open, 1, svc("http", "")), st(tcp("198.18.0.11", 443), scan.Closed, 1, svc("http", "")), 1},
		{"service unidentified keeps finding", st(tcp("198.18.0.11", 443), scan.Open, 1, svc("http", "")), st(tcp("198.18.0.11", 443), scan.Open, 2, svc("unknown", "")), 0},
		{"monitor open again", st(tcp("198.18.0.20", 5432), scan.Closed, 3, nil), st(tcp("198.18.0.20", 5432), scan.Open, 1, nil), 1},
		{"monitor down in another state keeps finding", st(tcp("198.18.0.20", 5432), scan.Closed, 3, nil), st(tcp("198.18.0.20", 5432), scan.Filtered, 1, nil), 0},
		{"expected-closed closed again", st(tcp("198.18.0.30", 2323), scan.Open, 1, nil), st(tcp("198.18.0.30", 2323), scan.Closed, 1, nil), 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before, _ := e.Evaluate(tt.before, nil, nil)
			if len(before) == 0 {
				t.Fatal("before state opened nothing")
			}
			opened, resolved := e.Evaluate(tt.after, nil, asOpen(before...))
			if opened != nil {
				t.Errorf("after state opened %q", brief(opened))
			}
			if len(resolved) != tt.want {
				t.Errorf("resolved %v, want %d", resolved, tt.want)
			}
		})
	}
}

func TestResolveScope(t *testing.T) {
	e := testEngine()
	state := st(tcp("198.18.0.11", 6379), scan.Closed, 1, nil)
	other := model.Finding{Kind: model.FindingForbiddenPort, Endpoint: tcp("198.18.0.12", 6379), Location: model.LocalLocation, Rule: "group:dmz"}
	elsewhere := model.Finding{Kind: model.FindingForbiddenPort, Endpoint: state.Endpoint, Location: "agent-eu", Rule: "group:dmz"}
	foreign := model.Finding{Kind: "latency-critical", Endpoint: state.Endpoint, Location: model.LocalLocation, Rule: "monitor:x"}
	stale := model.Finding{Kind: model.FindingUnexpectedPort, Endpoint: state.Endpoint, Location: model.LocalLocation, Rule: "group:removed"}
	_, resolved := e.Evaluate(state, nil, asOpen(other, elsewhere, foreign, stale))
	if want := []model.FindingKey{stale.Key()}; !reflect.DeepEqual(resolved, want) {
		t.Fatalf("resolved %v, want only the finding whose rule was removed %v", resolved, want)
	}
}

func TestIPv4MappedAddress(t *testing.T) {
	e := testEngine()
	ep := model.Endpoint{Addr: netip.MustParseAddr("::ffff:198.18.0.11"), Protocol: scan.TCP, Port: 6379}
	if opened, _ := e.Evaluate(st(ep, scan.Open, 1, nil), nil, nil); len(opened) != 1 {
		t.Fatalf("mapped address: opened %q", brief(opened))
	}
}

func TestSeverityOf(t *testing.T) {
	for kind, want := range map[model.FindingKind]model.Severity{
		model.FindingForbiddenPort: model.SeverityCritical, model.FindingUnexpectedPort: model.SeverityCritical,
		model.FindingExpectedClosedOpen: model.SeverityCritical, model.FindingExpectedOpenDown: model.SeverityMajor,
		model.FindingUnexpectedService: model.SeverityWarning, "other": model.SeverityInfo,
	} {
		if got := SeverityOf(kind); got != want {
			t.Errorf("SeverityOf(%s) = %s, want %s", kind, got, want)
		}
	}
}

func TestDefaultForbiddenTCPIsFresh(t *testing.T) {
	a := DefaultForbiddenTCP()
	a[0] = 1
	if DefaultForbiddenTCP()[0] != 22 {
		t.Fatal("DefaultForbiddenTCP shares its slice")
	}
}
