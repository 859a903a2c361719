package integration

import (
	"strconv"
	"strings"
	"testing"

	"github.com/portwatch/portwatch/internal/scan"
)

// TestUDPMatchesTruth scans the UDP host's top 100 UDP ports plus every
// port its truth lists, as a user would (-sU -sV), and checks every port:
// open ports open and identified, silence never reported open or closed.
func TestUDPMatchesTruth(t *testing.T) {
	e := labEnv(t)
	for _, th := range e.truth.Hosts {
		if len(th.UDP) == 0 {
			continue
		}
		var extra []string
		for _, p := range th.UDPPorts() {
			extra = append(extra, strconv.Itoa(p))
		}
		for _, addr := range []string{th.IPv4, th.IPv6} {
			res, code := e.runJSON(t, "-sU", "-sV", "--all-states", "-p", "U:1-200,"+strings.Join(extra, ","), addr)
			if code != 0 {
				t.Errorf("%s: exit %d", addr, code)
			}
			h := findHost(t, res, addr)
			if len(h.Ports) < 200 {
				t.Errorf("%s: %d UDP ports reported, want every scanned port", addr, len(h.Ports))
			}
			for _, p := range h.Ports {
				if p.Protocol != scan.UDP {
					t.Errorf("%s: unexpected %s port %d in a UDP-only scan", addr, p.Protocol, p.Port)
					continue
				}
				if !th.UDPStateConsistent(int(p.Port), string(p.State)) {
					t.Errorf("%s udp/%d: %s (%s), truth says %s", addr, p.Port, p.State, p.Reason, th.ExpectedUDP(int(p.Port)))
				}
				want := th.ExpectedUDPPort(int(p.Port))
				if want.State == "open" && p.State == scan.Open && want.Service != "" {
					if p.Service == nil || p.Service.Name != want.Service {
						t.Errorf("%s udp/%d: service %+v, want %s", addr, p.Port, p.Service, want.Service)
					}
				}
			}
		}
	}
}
