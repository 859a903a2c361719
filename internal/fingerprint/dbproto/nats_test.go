package dbproto

import (
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/portwatch/portwatch/internal/fingerprint"
)

func TestNATSTranscript(t *testing.T) {
	tr := loadTranscript(t, "nats-server-2.9.10.transcript")
	want := fingerprint.Service{
		Name: "nats", Product: "NATS Server", Version: "2.9.10", Extra: "go1.19.8",
		CPE:        []string{"cpe:2.3:a:linuxfoundation:nats-server:2.9.10:*:*:*:*:*:*:*"},
		Confidence: fingerprint.ConfidenceCertain, Method: fingerprint.MethodBanner,
	}
	got, err := probeAddr(t, &NATS{}, replay(t, tr), probeTimeout)
	if err != nil {
		t.Fatal(err)
	}
	wantService(t, got, want)
	banner, ok := (&NATS{}).MatchBanner(tr.firstServer())
	if !ok {
		t.Fatal("banner not matched")
	}
	wantService(t, banner, want)
}

func TestNATSInfoVariants(t *testing.T) {
	info := `INFO {"server_id":"NABC","server_name":"edge-1","version":"2.10.7","proto":1,"go":"go1.21.5","auth_required":true,"tls_required":true,"jetstream":true,"cluster":"east"} ` + "\r\n"
	got, ok := parseNATSInfo([]byte(info))
	if !ok || got.Version != "2.10.7" || got.Extra != "go1.21.5; name edge-1; cluster east; JetStream; auth required; TLS required" {
		t.Errorf("got %v %q", ok, got.Extra)
	}
	for _, bad := range []string{"INFO\r\n", "INFO {}\r\n", `INFO {"version":"1"}` + "\r\n", "INFO {\"server_id\":\"x\",\"proto\":1}"} {
		if _, ok := parseNATSInfo([]byte(bad)); ok {
			t.Errorf("%q matched", bad)
		}
	}
}

func TestNATSLive(t *testing.T) {
	bin := needBinary(t, "nats-server", "nats-server")
	out, err := exec.Command(bin, "--version").Output()
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`v([0-9.]+)`).FindSubmatch(out)
	if m == nil {
		t.Fatalf("no version in %q", out)
	}
	version := string(m[1])
	port := strconv.Itoa(freePort(t))
	daemon(t, exec.Command(bin, "-a", "127.0.0.1", "-p", port), "127.0.0.1:"+port, 10e9)
	addr := liveAddr(t, "127.0.0.1:"+port, "nats-server-"+version+".transcript", packageVersion("nats-server")+" (Debian 12)")
	got, err := probeAddr(t, &NATS{}, addr, probeTimeout)
	if err != nil {
		t.Fatal(err)
	}
	wantService(t, got, fingerprint.Service{Name: "nats", Product: "NATS Server", Version: version})
	if !strings.HasPrefix(got.Extra, "go1.") {
		t.Errorf("extra %q lacks the Go release", got.Extra)
	}
}
