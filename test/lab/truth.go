// Package lab drives portwatch's integration lab (lab.sh beside this file):
// network namespaces joined by a bridge, real daemons behind real nftables
// rules, a scanner namespace without a default route, and the ground truth
// (truth.json) that lab.sh generates from the same table that configured all
// of it. Tests bring the lab up with Up or UpMain and compare what portwatch
// sees from the scanner namespace with the Truth.
package lab

import (
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strconv"
	"time"
)

// Port states as they appear in the ground truth, named as nmap names them
// (and as portwatch's scan package names them).
const (
	StateOpen     = "open"
	StateClosed   = "closed"
	StateFiltered = "filtered"
)

// ConnectTimeout is the shortest per-probe timeout with which a connect()
// scan sees every state of the truth. The lab has no latency, so the ICMP
// error for the first SYN arrives while connect() still holds the socket
// lock; Linux then keeps it only as a soft error (TcpExtLockDroppedIcmps) and
// connect() fails with ECONNREFUSED or EHOSTUNREACH only after the kernel's
// SYN retransmission at 1 s. A shorter timeout calls icmp-port-unreachable
// ports filtered. Raw SYN scans read the ICMP themselves and are not affected.
const ConnectTimeout = 2 * time.Second

// Port is the ground truth of one TCP port of a lab host, as seen by a
// connect() scan from the scanner namespace (with ConnectTimeout or more).
type Port struct {
	// State is open, closed or filtered.
	State string `json:"state"`
	// Reason is what the host sends back to a SYN, in portwatch's words:
	// syn-ack, rst, no-response, icmp-port-unreachable or
	// icmp-admin-prohibited. A connect() scan sees conn-refused for both
	// rst and icmp-port-unreachable; nmap's raw SYN scan (-sS) reports
	// icmp-port-unreachable as filtered, portwatch as closed.
	Reason string `json:"reason,omitempty"`
	// Service is the service that answers on an open port: ssh, http,
	// https or redis. Empty for ports that are not open.
	Service string `json:"service,omitempty"`
	// Product and Version identify the daemon behind an open port
	// (OpenSSH 9.2p1, nginx 1.22.1, Redis 7.0.15), read from the installed
	// packages when the lab came up.
	Product string `json:"product,omitempty"`
	Version string `json:"version,omitempty"`
	// TLS is true when the service speaks TLS from the first byte.
	TLS bool `json:"tls,omitempty"`
	// Rule is the nftables rule that decides the state, if any: accept,
	// drop, reject, reject-admin-prohibited, reject-tcp-reset or
	// policy-drop. A daemon listens behind every rule except where the
	// state is closed by the absence of a listener.
	Rule string `json:"rule,omitempty"`
}

// Host is the ground truth of one lab host.
type Host struct {
	// Name is the host's short name (h1, h2, ...).
	Name string `json:"name"`
	// Netns is the network namespace the host lives in.
	Netns string `json:"netns"`
	// IPv4 and IPv6 are the host's lab addresses.
	IPv4 string `json:"ipv4"`
	IPv6 string `json:"ipv6"`
	// DefaultTCP is the state of every TCP port not listed in TCP: closed
	// for ordinary hosts, filtered for hosts with a default-drop firewall.
	DefaultTCP string `json:"default_tcp"`
	// DefaultTCPReason is the reason that goes with DefaultTCP.
	DefaultTCPReason string `json:"default_tcp_reason,omitempty"`
	// Ping tells whether the host answers ICMP echo requests.
	Ping bool `json:"ping"`
	// Wildcard is set for a host that accepts connections on every port
	// (a SYN proxy in front of it): a scanner must flag it.
	Wildcard bool `json:"wildcard,omitempty"`
	// TCP maps a port number (decimal string, as in JSON) to its truth.
	TCP map[string]Port `json:"tcp"`
}

// Truth is the ground truth of one running lab, read from its truth.json.
type Truth struct {
	// Prefix is the lab's namespace prefix (LAB_PREFIX).
	Prefix string `json:"prefix"`
	// Dir holds the lab's configs, keys, pid files, logs and truth.json.
	Dir string `json:"dir"`
	// ScannerNetns is the namespace to scan from; it has no default route.
	ScannerNetns string `json:"scanner_netns"`
	// ScannerIPv4 and ScannerIPv6 are the scanner's own lab addresses.
	ScannerIPv4 string `json:"scanner_ipv4"`
	ScannerIPv6 string `json:"scanner_ipv6"`
	// Hosts are the lab hosts, in lab.sh's order.
	Hosts []Host `json:"hosts"`
	// Unassigned are lab IPv4 addresses where nothing answers, not even ARP.
	Unassigned []string `json:"unassigned"`
	// UnassignedIPv6 are lab IPv6 addresses where nothing answers.
	UnassignedIPv6 []string `json:"unassigned_ipv6"`
}

// ExpectedTCP returns the state a connect() scan must find on port: the
// listed state, or DefaultTCP for unlisted ports.
func (h Host) ExpectedTCP(port int) string {
	return h.ExpectedTCPPort(port).State
}

// ExpectedTCPPort returns the full truth of port, falling back to DefaultTCP
// and DefaultTCPReason for unlisted ports.
func (h Host) ExpectedTCPPort(port int) Port {
	if p, ok := h.TCP[strconv.Itoa(port)]; ok {
		return p
	}
	return Port{State: h.DefaultTCP, Reason: h.DefaultTCPReason}
}

// TCPPorts returns the host's listed TCP ports in ascending order.
func (h Host) TCPPorts() []int {
	ports := make([]int, 0, len(h.TCP))
	for s := range h.TCP {
		if n, err := strconv.Atoi(s); err == nil {
			ports = append(ports, n)
		}
	}
	sort.Ints(ports)
	return ports
}

// Host returns the lab host called name (h1, h2, ...).
func (tr *Truth) Host(name string) (Host, bool) {
	for _, h := range tr.Hosts {
		if h.Name == name {
			return h, true
		}
	}
	return Host{}, false
}

// LoadTruth reads and checks a truth.json written by lab.sh.
func LoadTruth(path string) (*Truth, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read lab truth: %w", err)
	}
	var tr Truth
	if err := json.Unmarshal(data, &tr); err != nil {
		return nil, fmt.Errorf("parse lab truth %s: %w", path, err)
	}
	if err := tr.validate(); err != nil {
		return nil, fmt.Errorf("lab truth %s: %w", path, err)
	}
	return &tr, nil
}

func (tr *Truth) validate() error {
	if tr.ScannerNetns == "" || tr.ScannerIPv4 == "" || len(tr.Hosts) == 0 {
		return fmt.Errorf("missing scanner or hosts")
	}
	for _, h := range tr.Hosts {
		if h.Netns == "" || h.IPv4 == "" || h.DefaultTCP == "" {
			return fmt.Errorf("host %q: missing netns, ipv4 or default_tcp", h.Name)
		}
		for port, p := range h.TCP {
			if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
				return fmt.Errorf("host %q: bad port %q", h.Name, port)
			}
			switch p.State {
			case StateOpen, StateClosed, StateFiltered:
			default:
				return fmt.Errorf("host %q port %s: bad state %q", h.Name, port, p.State)
			}
		}
	}
	return nil
}
