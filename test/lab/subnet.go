package lab

import (
	"fmt"
	"net/netip"
)

// Subnet is a further lab subnet on the same segment as the main one, with
// the scanner holding an address in it too: a mostly empty /24 for
// discovery. Its hosts are not in Truth.Hosts.
type Subnet struct {
	// Name is the subnet's name in lab.sh (sparse).
	Name string `json:"name"`
	// CIDR and IPv6CIDR are the subnet's prefixes.
	CIDR     string `json:"cidr"`
	IPv6CIDR string `json:"ipv6_cidr"`
	// ScannerIPv4 and ScannerIPv6 are the scanner's addresses here.
	ScannerIPv4 string `json:"scanner_ipv4"`
	ScannerIPv6 string `json:"scanner_ipv6"`
	// Live and LiveIPv6 are the addresses of the subnet's hosts.
	Live     []string `json:"live"`
	LiveIPv6 []string `json:"live_ipv6"`
	// Empty counts the IPv4 addresses where nothing answers, not even
	// ARP: all of the /24 but the network and broadcast addresses, the
	// scanner and the live hosts (see EmptyIPv4).
	Empty int `json:"empty"`
	// Hosts are the live hosts.
	Hosts []Host `json:"hosts"`
}

// AllHosts returns the hosts of the main subnet (Hosts) followed by those
// of every further subnet.
func (tr *Truth) AllHosts() []Host {
	all := append([]Host(nil), tr.Hosts...)
	for _, s := range tr.Subnets {
		all = append(all, s.Hosts...)
	}
	return all
}

// Subnet returns the further subnet called name (sparse).
func (tr *Truth) Subnet(name string) (Subnet, bool) {
	for _, s := range tr.Subnets {
		if s.Name == name {
			return s, true
		}
	}
	return Subnet{}, false
}

// EmptyIPv4 returns the subnet's IPv4 addresses where nothing answers, in
// ascending order: every host address of the /24 but the scanner's and the
// live hosts'.
func (s Subnet) EmptyIPv4() ([]string, error) {
	prefix, err := netip.ParsePrefix(s.CIDR)
	if err != nil || !prefix.Addr().Is4() {
		return nil, fmt.Errorf("subnet %s: bad IPv4 prefix %q", s.Name, s.CIDR)
	}
	taken := map[string]bool{s.ScannerIPv4: true}
	for _, a := range s.Live {
		taken[a] = true
	}
	prefix = prefix.Masked()
	var empty []string
	for a := prefix.Addr().Next(); prefix.Contains(a); a = a.Next() {
		if !prefix.Contains(a.Next()) { // the broadcast address
			break
		}
		if !taken[a.String()] {
			empty = append(empty, a.String())
		}
	}
	return empty, nil
}
