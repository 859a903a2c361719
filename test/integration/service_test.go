package integration

import (
	"strconv"
	"strings"
	"testing"
)

// TestServiceDetectionMatchesTruth scans every open TCP port of the lab
// with --sV and compares name, product and version with the ground truth,
// which lab.sh reads from the installed packages.
func TestServiceDetectionMatchesTruth(t *testing.T) {
	e := labEnv(t)
	var addrs []string
	ports := map[string]bool{}
	for _, h := range e.truth.Hosts {
		addrs = append(addrs, h.IPv4)
		for p, tp := range h.TCP {
			if tp.State == "open" && tp.Service != "" {
				ports[p] = true
			}
		}
	}
	var list []string
	for p := range ports {
		list = append(list, p)
	}
	res, _ := e.runJSON(t, append([]string{"-sV", "-p", strings.Join(list, ",")}, addrs...)...)
	checked := 0
	for _, th := range e.truth.Hosts {
		h := findHost(t, res, th.IPv4)
		for _, p := range h.Ports {
			want, ok := th.TCP[strconv.Itoa(int(p.Port))]
			if !ok || want.State != "open" || want.Service == "" {
				continue
			}
			checked++
			s := p.Service
			if s == nil {
				t.Errorf("%s:%d: no service identified, want %s", th.Name, p.Port, want.Service)
				continue
			}
			if s.Name != want.Service {
				t.Errorf("%s:%d: service %q, want %q", th.Name, p.Port, s.Name, want.Service)
			}
			if want.Product != "" && !strings.Contains(strings.ToLower(s.Product), strings.ToLower(want.Product)) {
				t.Errorf("%s:%d: product %q, want %q", th.Name, p.Port, s.Product, want.Product)
			}
			if want.Version != "" && s.Version != want.Version {
				t.Errorf("%s:%d: version %q, want %q", th.Name, p.Port, s.Version, want.Version)
			}
			if s.Product != "" && len(s.CPE) == 0 {
				t.Errorf("%s:%d: %s identified without a CPE", th.Name, p.Port, s.Product)
			}
			if want.TLS && s.TLS == nil {
				t.Errorf("%s:%d: TLS facts missing", th.Name, p.Port)
			}
		}
	}
	if checked == 0 {
		t.Fatal("no open port with a known service in the truth")
	}
	t.Logf("%d open ports identified as the truth says", checked)
}
