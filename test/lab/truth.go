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
	// StateOpenFiltered is never a truth: it is what a UDP scanner must
	// report for a port that stayed silent (see Host.UDPStateConsistent).
	StateOpenFiltered = "open|filtered"
)

// ConnectTimeout is the shortest per-probe timeout with which a connect()
// scan sees every state of the truth. The lab has no latency, so the ICMP
// error for the first SYN arrives while connect() still holds the socket
// lock; Linux then keeps it only as a soft error (TcpExtLockDroppedIcmps) and
// connect() fails with ECONNREFUSED or EHOSTUNREACH only after the kernel's
// SYN retransmission at 1 s. A shorter timeout calls icmp-port-unreachable
// ports filtered. Raw SYN scans read the ICMP themselves and are not affected.
const ConnectTimeout = 2 * time.Second

// Port is the ground truth of one TCP or UDP port of a lab host. For TCP it
// is what a connect() scan from the scanner namespace sees (with
// ConnectTimeout or more).
type Port struct {
	// State is open, closed or filtered.
	State string `json:"state"`
	// Reason is what the host sends back to a probe, in portwatch's words.
	// TCP: syn-ack, rst, no-response, icmp-port-unreachable or
	// icmp-admin-prohibited. A connect() scan sees conn-refused for both
	// rst and icmp-port-unreachable; nmap's raw SYN scan (-sS) reports
	// icmp-port-unreachable as filtered, portwatch as closed.
	// UDP: udp-response (the service answers a well-formed request of its
	// protocol; it ignores anything else), icmp-port-unreachable,
	// icmp-admin-prohibited or no-response.
	Reason string `json:"reason,omitempty"`
	// Service is the service that answers on an open port: ssh, http,
	// https, redis, domain, snmp, ntp, memcached, postgresql, mysql, ftp,
	// smtp, imap, imaps, pop3, pop3s, mqtt or nats. Empty for ports that
	// are not open.
	Service string `json:"service,omitempty"`
	// Product identifies the daemon behind an open port: OpenSSH, nginx,
	// Redis, dnsmasq, Net-SNMP, chrony, memcached, PostgreSQL, MariaDB,
	// vsftpd, Exim, Dovecot, Mosquitto or NATS.
	Product string `json:"product,omitempty"`
	// Version is the daemon's version as a version scan can learn it
	// without logging in (banner, greeting, version query); empty when
	// the daemon does not show it (PostgreSQL, Dovecot, chrony, Net-SNMP).
	Version string `json:"version,omitempty"`
	// InstalledVersion is the upstream version of the installed daemon,
	// read from its binary when the lab came up, whether or not it shows
	// on the wire (9.2p1, 1.22.1, 15.18, 10.11.19, ...).
	InstalledVersion string `json:"installed_version,omitempty"`
	// TLS is true when the service speaks TLS from the first byte.
	TLS bool `json:"tls,omitempty"`
	// StartTLS is true when the service speaks plain text first and offers
	// an upgrade to TLS: SMTP STARTTLS, IMAP STARTTLS, POP3 STLS,
	// PostgreSQL SSLRequest, MySQL CLIENT_SSL.
	StartTLS bool `json:"starttls,omitempty"`
	// Details are further facts about the service, by service: domain
	// "zone", "version_bind"; snmp "community", "sysdescr", "sysname"; ntp
	// "stratum"; mqtt and ftp "anonymous"; smtp "hostname", "relay".
	Details map[string]string `json:"details,omitempty"`
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
	// FQDN is the host's name in the lab's DNS zone (h1.portwatch.lab),
	// served by the dnsmasq of the lab's DNS host.
	FQDN string `json:"fqdn,omitempty"`
	// DefaultUDP is the state of every UDP port not listed in UDP: closed
	// (ICMP port unreachable) for ordinary hosts, filtered for hosts with
	// a default-drop firewall.
	DefaultUDP string `json:"default_udp,omitempty"`
	// DefaultUDPReason is the reason that goes with DefaultUDP.
	DefaultUDPReason string `json:"default_udp_reason,omitempty"`
	// UDP maps a UDP port number (decimal string) to its truth.
	UDP map[string]Port `json:"udp,omitempty"`
	// ICMPRateLimited is true when the host's kernel rate-limits ICMP
	// errors (port and admin-prohibited unreachables) as Linux does by
	// default: a fast scanner gets silence instead of some of them, and
	// must then say open|filtered for UDP (see UDPStateConsistent).
	ICMPRateLimited bool `json:"icmp_ratelimited"`
	// ICMPRateLimit holds the host's ICMP rate limit settings.
	ICMPRateLimit *ICMPRateLimit `json:"icmp_ratelimit,omitempty"`
}

// ICMPRateLimit is a host's ICMP error rate limiting, as its kernel
// reported it when the lab came up (sysctl net.ipv4.icmp_* and
// net.ipv6.icmp.*). Zero intervals or empty masks mean no limit.
type ICMPRateLimit struct {
	// IPv4Ms is the minimum interval per peer (after a burst of about 6).
	IPv4Ms int `json:"ipv4_ms"`
	// IPv4Mask is the bitmask of rate-limited ICMP types (6168: dest
	// unreachable, source quench, time exceeded, parameter problem).
	IPv4Mask int `json:"ipv4_mask"`
	// IPv6Ms is the minimum interval per peer; the kernel shortens it for
	// peers reached through a shorter prefix (a /64: a quarter).
	IPv6Ms int `json:"ipv6_ms"`
	// IPv6Mask lists the rate-limited ICMPv6 types ("0-1,3-127").
	IPv6Mask string `json:"ipv6_mask"`
	// MsgsPerSec and MsgsBurst bound the whole namespace's rate-limited
	// ICMP errors, whatever the peer.
	MsgsPerSec int `json:"msgs_per_sec"`
	MsgsBurst  int `json:"msgs_burst"`
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
	// CIDR and IPv6CIDR are the prefixes of the main subnet (Hosts).
	CIDR     string `json:"cidr,omitempty"`
	IPv6CIDR string `json:"ipv6_cidr,omitempty"`
	// DNSZone is the zone the lab's dnsmasq answers for (portwatch.lab).
	DNSZone string `json:"dns_zone,omitempty"`
	// Subnets are further subnets on the same segment (the sparse /24).
	Subnets []Subnet `json:"subnets,omitempty"`
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
	return sortedPorts(h.TCP)
}

// sortedPorts returns the keys of a port map as numbers, ascending.
func sortedPorts(m map[string]Port) []int {
	ports := make([]int, 0, len(m))
	for s := range m {
		if n, err := strconv.Atoi(s); err == nil {
			ports = append(ports, n)
		}
	}
	sort.Ints(ports)
	return ports
}

// Host returns the lab host called name (h1, h2, ..., or s1, s2, ... of
// the further subnets).
func (tr *Truth) Host(name string) (Host, bool) {
	for _, h := range tr.AllHosts() {
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
	for _, h := range tr.AllHosts() {
		if err := h.validate(); err != nil {
			return err
		}
	}
	for _, s := range tr.Subnets {
		if len(s.Live) != len(s.Hosts) {
			return fmt.Errorf("subnet %q: %d live addresses for %d hosts", s.Name, len(s.Live), len(s.Hosts))
		}
		if _, err := s.EmptyIPv4(); err != nil {
			return err
		}
	}
	return nil
}

func (h Host) validate() error {
	if h.Netns == "" || h.IPv4 == "" || h.DefaultTCP == "" {
		return fmt.Errorf("host %q: missing netns, ipv4 or default_tcp", h.Name)
	}
	for proto, ports := range map[string]map[string]Port{"tcp": h.TCP, "udp": h.UDP} {
		for port, p := range ports {
			if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
				return fmt.Errorf("host %q: bad %s port %q", h.Name, proto, port)
			}
			switch p.State {
			case StateOpen, StateClosed, StateFiltered:
			default:
				return fmt.Errorf("host %q %s port %s: bad state %q", h.Name, proto, port, p.State)
			}
		}
	}
	switch h.DefaultUDP {
	case "", StateClosed, StateFiltered:
	default:
		return fmt.Errorf("host %q: bad default_udp %q", h.Name, h.DefaultUDP)
	}
	return nil
}
