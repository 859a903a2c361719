package report

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/portwatch/portwatch/internal/scan"
)

// ndiff runs nmap's ndiff on two results written as XML and returns its
// exit code and output. The test is skipped when ndiff is not installed.
func ndiff(t *testing.T, a, b *scan.Result, args ...string) (int, string) {
	t.Helper()
	bin, err := exec.LookPath("ndiff")
	if err != nil {
		t.Skip("ndiff not on PATH (Debian package ndiff): cannot check nmap XML compatibility")
	}
	dir := t.TempDir()
	pa, pb := filepath.Join(dir, "a.xml"), filepath.Join(dir, "b.xml")
	for path, res := range map[string]*scan.Result{pa: a, pb: b} {
		if err := os.WriteFile(path, []byte(render(t, res, Options{Format: "xml"})), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	out, err := exec.CommandContext(t.Context(), bin, append(args, pa, pb)...).CombinedOutput()
	var exit *exec.ExitError
	switch {
	case err == nil:
		return 0, string(out)
	case errors.As(err, &exit):
		return exit.ExitCode(), string(out)
	}
	t.Fatalf("run ndiff: %v\n%s", err, out)
	return 0, ""
}

func TestNdiffAcceptsIdenticalScans(t *testing.T) {
	for name, res := range map[string]*scan.Result{"sample": sampleResult(), "wildcard": wildcardResult(), "empty": {}, "hostile": hostileResult()} {
		t.Run(name, func(t *testing.T) {
			code, out := ndiff(t, res, res)
			if code != 0 || strings.TrimSpace(out) != "" {
				t.Fatalf("ndiff identical files: exit %d, want 0; output:\n%s", code, out)
			}
		})
	}
}

func TestNdiffSeesChangedPort(t *testing.T) {
	a := sampleResult()
	b := sampleResult()
	// 80/tcp went from open to filtered; 8443/tcp opened (it was one of the
	// omitted closed ports).
	b.Hosts[0].Ports[1].State, b.Hosts[0].Ports[1].Reason = scan.Filtered, scan.ReasonNoResponse
	b.Hosts[0].Ports = append(b.Hosts[0].Ports, scan.PortResult{Protocol: scan.TCP, Port: 8443, State: scan.Open, Reason: scan.ReasonSynAck})
	b.Hosts[0].OtherStates[scan.Closed]--
	code, out := ndiff(t, a, b)
	if code != 1 {
		t.Fatalf("ndiff exit %d, want 1 (different); output:\n%s", code, out)
	}
	for _, want := range []string{
		" alias.example, host.example (198.18.0.11):",
		"-80/tcp   open",
		"+80/tcp   filtered",
		"+8443/tcp open",
		"-Not shown: 65532 closed ports",
		"+Not shown: 65531 closed ports",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("ndiff output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "2001:2::5") || strings.Contains(out, "198.18.0.12") {
		t.Errorf("ndiff reports unchanged hosts:\n%s", out)
	}
}

func TestNdiffSeesHostStatusAndWildcard(t *testing.T) {
	a := sampleResult()
	b := sampleResult()
	b.Hosts[1].Status = scan.HostUp
	b.Hosts[1].Reason = scan.ReasonSynAck
	b.Hosts[0].Wildcard, b.Hosts[0].Note = true, "accepted connections on 900 of 1000 scanned ports"
	code, out := ndiff(t, a, b)
	if code != 1 {
		t.Fatalf("ndiff exit %d, want 1; output:\n%s", code, out)
	}
	for _, want := range []string{"-Host is down.", "+Host is up.", "portwatch-wildcard", "900 of 1000"} {
		if !strings.Contains(out, want) {
			t.Errorf("ndiff output lacks %q:\n%s", want, out)
		}
	}
}
