package lab_test

import (
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/portwatch/portwatch/test/lab"
)

// nmapProduct is how nmap 7.9x's version detection names a truth product,
// for the products it identifies quickly. Left out: Redis (nmap shows no
// version, and its probes take tens of seconds on non-standard ports),
// NATS (unknown to nmap), Mosquitto (shown only by an NSE script), the
// UDP-only services, and Dovecot over TLS (nmap's SSL probe speaks TLS 1.0,
// which Dovecot refuses).
func nmapProduct(p lab.Port) (string, bool) {
	switch p.Product {
	case "OpenSSH", "nginx", "dnsmasq", "vsftpd", "Exim", "PostgreSQL":
		return p.Product, true
	case "memcached":
		return "Memcached", true
	case "MariaDB":
		return "MySQL", true // version "5.5.5-10.11.19-MariaDB-..."
	case "Dovecot":
		return "Dovecot", !p.TLS
	}
	return "", false
}

// testNmapVersion confirms product and version truth with nmap -sV (IPv4,
// TCP): nmap must name the product, show the truth's version where the
// truth says the version is on the wire, and not show the installed
// version where the truth says it is hidden.
func testNmapVersion(t *testing.T, tr *lab.Truth) {
	var wg sync.WaitGroup
	for _, h := range tr.Hosts {
		var ports []int
		for _, port := range h.TCPPorts() {
			p := h.ExpectedTCPPort(port)
			if _, ok := nmapProduct(p); ok && p.State == lab.StateOpen {
				ports = append(ports, port)
			}
		}
		if len(ports) == 0 || h.Wildcard {
			continue
		}
		wg.Go(func() {
			for _, err := range nmapVersionHost(tr, h, ports) {
				t.Error(err)
			}
		})
	}
	wg.Wait()
}

func nmapVersionHost(tr *lab.Truth, h lab.Host, ports []int) []error {
	run, err := runNmap(tr, h.IPv4, "-sV", "-Pn", "-p", portList(ports))
	if err != nil {
		return []error{err}
	}
	if len(run.Hosts) != 1 {
		return []error{fmt.Errorf("nmap -sV %s: %d hosts in report", h.IPv4, len(run.Hosts))}
	}
	var errs []error
	for _, p := range run.Hosts[0].Ports {
		want := h.ExpectedTCPPort(p.PortID)
		product, _ := nmapProduct(want)
		got := p.Service
		where := fmt.Sprintf("nmap -sV %s (%s) port %d: %s %q %q", h.IPv4, h.Name, p.PortID, got.Name, got.Product, got.Version)
		switch {
		case !strings.Contains(got.Product, product):
			errs = append(errs, fmt.Errorf("%s: product is not %s", where, product))
		case want.Version != "" && !strings.Contains(got.Version, want.Version):
			errs = append(errs, fmt.Errorf("%s: version is not %s", where, want.Version))
		case want.Version == "" && strings.Contains(got.Version, want.InstalledVersion):
			errs = append(errs, fmt.Errorf("%s: shows version %s, which the truth calls hidden", where, want.InstalledVersion))
		}
	}
	return errs
}
