package lab_test

import (
	"context"
	"encoding/xml"
	"fmt"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/portwatch/portwatch/test/lab"
)

// nmapTimeout bounds one nmap run against one lab host.
const nmapTimeout = 90 * time.Second

// nmapReason maps nmap's reason words (raw SYN scan) to the truth's.
var nmapReason = map[string]string{
	"syn-ack":          "syn-ack",
	"reset":            "rst",
	"no-response":      "no-response",
	"port-unreach":     "icmp-port-unreachable",
	"admin-prohibited": "icmp-admin-prohibited",
}

// nmapRun is the part of nmap's XML output the lab checks read.
type nmapRun struct {
	Hosts []nmapHostXML `xml:"host"`
}

// nmapHostXML is one <host> of nmap's XML output.
type nmapHostXML struct {
	Status struct {
		State  string `xml:"state,attr"`
		Reason string `xml:"reason,attr"`
	} `xml:"status"`
	Addresses []struct {
		Addr     string `xml:"addr,attr"`
		AddrType string `xml:"addrtype,attr"`
	} `xml:"address"`
	Ports []struct {
		PortID int `xml:"portid,attr"`
		State  struct {
			State  string `xml:"state,attr"`
			Reason string `xml:"reason,attr"`
		} `xml:"state"`
		Service struct {
			Name    string `xml:"name,attr"`
			Product string `xml:"product,attr"`
			Version string `xml:"version,attr"`
			Tunnel  string `xml:"tunnel,attr"`
		} `xml:"service"`
	} `xml:"ports>port"`
}

// IP returns the host's IPv4 or IPv6 address (not its MAC address).
func (h nmapHostXML) IP() string {
	for _, a := range h.Addresses {
		if a.AddrType == "ipv4" || a.AddrType == "ipv6" {
			return a.Addr
		}
	}
	return ""
}

// runNmap runs nmap from the scanner namespace against one lab address and
// parses its XML report.
func runNmap(tr *lab.Truth, ip string, args ...string) (*nmapRun, error) {
	ctx, cancel := context.WithTimeout(context.Background(), nmapTimeout)
	defer cancel()
	args = append([]string{"-n", "-oX", "-"}, args...)
	if strings.Contains(ip, ":") {
		args = append(args, "-6")
	}
	args = append(args, ip)
	cmd := tr.ScannerCmd(ctx, "nmap", args...)
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("nmap %s: %w", strings.Join(args, " "), err)
	}
	var run nmapRun
	if err := xml.Unmarshal(out, &run); err != nil {
		return nil, fmt.Errorf("parse nmap XML: %w", err)
	}
	return &run, nil
}

func portList(ports []int) string {
	s := make([]string, len(ports))
	for i, p := range ports {
		s[i] = strconv.Itoa(p)
	}
	return strings.Join(s, ",")
}

// testNmap checks the truth with nmap: connect scan states, raw SYN scan
// reasons, and ICMP echo answers, for every host and address family at once.
func testNmap(t *testing.T, tr *lab.Truth) {
	if _, err := exec.LookPath("nmap"); err != nil {
		t.Skip("nmap not installed (scripts/install-deps.sh installs it)")
	}
	var wg sync.WaitGroup
	for _, h := range tr.AllHosts() {
		for _, ip := range []string{h.IPv4, h.IPv6} {
			wg.Go(func() {
				for _, err := range nmapHost(tr, h, ip) {
					t.Error(err)
				}
			})
		}
	}
	wg.Wait()
}

// nmapHost runs the three nmap checks against one address of h.
func nmapHost(tr *lab.Truth, h lab.Host, ip string) []error {
	var errs []error
	ports := probePorts(h)
	list := portList(ports)
	check := func(scan string, got func(state, reason string) string, want func(lab.Port) string, extra ...string) {
		args := append([]string{scan, "-Pn", "-T4", "--max-retries", "1", "-p", list}, extra...)
		run, err := runNmap(tr, ip, args...)
		if err != nil {
			errs = append(errs, err)
			return
		}
		if len(run.Hosts) != 1 {
			errs = append(errs, fmt.Errorf("nmap %s %s: %d hosts in report", scan, ip, len(run.Hosts)))
			return
		}
		seen := map[int]bool{}
		for _, p := range run.Hosts[0].Ports {
			seen[p.PortID] = true
			w := want(h.ExpectedTCPPort(p.PortID))
			if g := got(p.State.State, p.State.Reason); g != w {
				errs = append(errs, fmt.Errorf("nmap %s %s port %d: %s (reason %s), truth implies %s",
					scan, ip, p.PortID, g, p.State.Reason, w))
			}
		}
		for _, p := range ports {
			if !seen[p] {
				errs = append(errs, fmt.Errorf("nmap %s %s: port %d missing from the report", scan, ip, p))
			}
		}
	}
	// Connect scan: nmap's state must be the truth's state. Each probe waits
	// longer than the kernel's 1 s SYN retransmit: see lab.ConnectTimeout.
	check("-sT", func(state, _ string) string { return state }, func(p lab.Port) string { return p.State },
		"--initial-rtt-timeout", "1500ms", "--min-rtt-timeout", "1500ms", "--max-rtt-timeout", "2000ms")
	// Raw SYN scan: nmap's reason must be the truth's reason. (Its state
	// differs for icmp-port-unreachable: nmap -sS says filtered.)
	// Known lab quirk: the kernel's nftables synproxy (wildcard host) does
	// not answer nmap's hand-built IPv6 SYNs, though it answers kernel
	// connects over IPv6 and nmap's IPv4 SYNs. To be investigated with the
	// raw SYN scanner; until then that one combination is not checked.
	if !(h.Wildcard && strings.Contains(ip, ":")) {
		check("-sS", func(_, reason string) string { return nmapReason[reason] }, func(p lab.Port) string { return p.Reason })
	}

	// ICMP echo only, no ARP/ND shortcut.
	run, err := runNmap(tr, ip, "-sn", "-PE", "--disable-arp-ping")
	if err != nil {
		return append(errs, err)
	}
	up := len(run.Hosts) == 1 && run.Hosts[0].Status.State == "up"
	if up != h.Ping {
		errs = append(errs, fmt.Errorf("nmap ping %s: up=%v, truth ping=%v", ip, up, h.Ping))
	}
	return errs
}
