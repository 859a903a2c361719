package report

import (
	"bytes"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/portwatch/portwatch/internal/fingerprint"
	"github.com/portwatch/portwatch/internal/scan"
)

func serviceResult(version string) *scan.Result {
	a := netip.MustParseAddr("198.18.0.11")
	start := time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)
	return &scan.Result{
		Started: start, Finished: start.Add(time.Second), Scanner: "portwatch test",
		Args:    []string{"portwatch", "scan", "--sV", "198.18.0.11"},
		Scanned: []scan.ScanInfo{{Protocol: scan.TCP, Type: "connect", Count: 2, Ports: []uint16{22, 443}}},
		Hosts: []scan.HostResult{{
			Address: a, Hostnames: []string{}, Status: scan.HostUp, Reason: scan.ReasonSynAck,
			OtherStates: map[scan.PortState]int{},
			Ports: []scan.PortResult{
				{Addr: a, Protocol: scan.TCP, Port: 22, State: scan.Open, Reason: scan.ReasonSynAck, RTT: time.Millisecond,
					Service: &fingerprint.Service{Name: "ssh", Product: "OpenSSH", Version: version, Extra: "Debian 2+deb12u10",
						CPE: []string{fingerprint.CPE("a", "openbsd", "openssh", version)}, Confidence: 10, Method: fingerprint.MethodBanner}},
				{Addr: a, Protocol: scan.TCP, Port: 443, State: scan.Open, Reason: scan.ReasonSynAck, RTT: time.Millisecond,
					Service: &fingerprint.Service{Name: "https", Product: "nginx", Version: "1.22.1", Confidence: 10, Method: fingerprint.MethodProbe,
						TLS: &fingerprint.TLSInfo{Version: "TLS 1.3", Subject: "CN=lab", NotAfter: start.AddDate(1, 0, 0), SelfSigned: true}}},
			},
		}},
		Stats: scan.Stats{Endpoints: 2, Open: 2, HostsUp: 1},
	}
}

func TestTableShowsServices(t *testing.T) {
	out := render(t, serviceResult("9.2p1"), Options{Format: "table"})
	for _, want := range []string{"SERVICE", "VERSION", "OpenSSH 9.2p1 (Debian 2+deb12u10)", "nginx 1.22.1",
		"|  tls: TLS 1.3, subject CN=lab, expires 2027-11-21, self-signed", "|  cpe: cpe:2.3:a:openbsd:openssh:9.2p1"} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %q:\n%s", want, out)
		}
	}
}

func TestXMLServiceRoundTrip(t *testing.T) {
	out := render(t, serviceResult("9.2p1"), Options{Format: "xml"})
	if !strings.Contains(out, `<service name="http" product="nginx" version="1.22.1" tunnel="ssl" method="probed" conf="10">`) {
		t.Errorf("https not written as nmap's http with tunnel=ssl:\n%s", out)
	}
	back, err := ReadNmapXML(strings.NewReader(out))
	if err != nil {
		t.Fatal(err)
	}
	s := back.Hosts[0].Ports[1].Service
	if s == nil || s.Name != "https" || s.Product != "nginx" || s.TLS == nil {
		t.Errorf("service read back as %+v", s)
	}
	if cpe := back.Hosts[0].Ports[0].Service.CPE; len(cpe) != 1 || cpe[0] != "cpe:2.3:a:openbsd:openssh:9.2p1:*:*:*:*:*:*:*" {
		t.Errorf("cpe read back as %v", cpe)
	}
}

func TestJSONService(t *testing.T) {
	out := render(t, serviceResult("9.2p1"), Options{Format: "json"})
	back, err := ReadJSON(strings.NewReader(out))
	if err != nil {
		t.Fatal(err)
	}
	if s := back.Hosts[0].Ports[1].Service; s == nil || s.TLS == nil || s.TLS.Subject != "CN=lab" {
		t.Errorf("service lost in JSON: %+v", s)
	}
}

func TestNdiffSeesVersionChange(t *testing.T) {
	ndiff, err := exec.LookPath("ndiff")
	if err != nil {
		t.Skip("ndiff not installed")
	}
	dir := t.TempDir()
	write := func(name, version string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(render(t, serviceResult(version), Options{Format: "xml"})), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	var out bytes.Buffer
	cmd := exec.Command(ndiff, write("a.xml", "9.2p1"), write("b.xml", "9.6p1"))
	cmd.Stdout, cmd.Stderr = &out, &out
	err = cmd.Run()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 {
		t.Fatalf("ndiff: %v, want exit 1\n%s", err, out.String())
	}
	if !strings.Contains(out.String(), "9.6p1") {
		t.Errorf("ndiff does not show the version change:\n%s", out.String())
	}
}
