package payloads

import (
	"slices"
	"strings"

	"github.com/miekg/dns"
	"github.com/portwatch/portwatch/internal/fingerprint"
)

// mdnsServices is the DNS-SD meta-query name (RFC 6763 section 9).
const mdnsServices = "_services._dns-sd._udp.local."

// MDNS returns the multicast DNS payload: a PTR query for the service
// types a host advertises (RFC 6763 section 9), with the unicast-response
// bit set (RFC 6762 section 5.4). Sent from a port other than 5353 it is a
// "legacy unicast" query, which responders answer directly (section 6.7).
func MDNS() []Payload {
	return []Payload{{
		Service: "mdns", Name: "mdns-services", Spec: "RFC 6762, RFC 6763", Ports: []uint16{5353},
		Build: func(req Request) []byte {
			return dnsQuery(req, mdnsServices, dns.TypePTR, dns.ClassINET|1<<15)
		},
		Identify: identifyMDNS,
	}}
}

// identifyMDNS accepts a DNS response about ".local." names and lists the
// service types it advertises.
func identifyMDNS(reply []byte) (fingerprint.Service, bool) {
	var m dns.Msg
	if err := m.Unpack(reply); err != nil || !m.Response {
		return fingerprint.Service{}, false
	}
	local := false
	for _, q := range m.Question {
		local = local || strings.HasSuffix(strings.ToLower(q.Name), ".local.")
	}
	var types []string
	for _, rr := range slices.Concat(m.Answer, m.Extra) {
		local = local || strings.HasSuffix(strings.ToLower(rr.Header().Name), ".local.")
		if ptr, ok := rr.(*dns.PTR); ok && strings.EqualFold(ptr.Hdr.Name, mdnsServices) {
			types = append(types, strings.TrimSuffix(ptr.Ptr, ".local."))
		}
	}
	if !local {
		return fingerprint.Service{}, false
	}
	svc := probe("mdns", fingerprint.ConfidenceLikely)
	if len(types) > 0 {
		svc.Extra = clean("services: " + strings.Join(types, ", "))
	}
	return svc, true
}
