package payloads

import (
	"strings"

	"github.com/miekg/dns"
	"github.com/portwatch/portwatch/internal/fingerprint"
)

// DNS returns the DNS payloads (RFC 1035): the server's self-description,
// a TXT query for version.bind in class CHAOS (RFC 4892 describes the
// convention), then a query for the root's NS records, which any server
// answers, if only with REFUSED. Port 8600 is Consul's DNS interface.
func DNS() []Payload {
	ports := []uint16{53, 8600}
	return []Payload{
		{
			Service: "domain", Name: "dns-version-bind", Spec: "RFC 1035, RFC 4892", Ports: ports,
			Build:    func(req Request) []byte { return dnsQuery(req, "version.bind.", dns.TypeTXT, dns.ClassCHAOS) },
			Identify: identifyDNS,
		},
		{
			Service: "domain", Name: "dns-root-ns", Spec: "RFC 1035", Ports: ports,
			Build:    func(req Request) []byte { return dnsQuery(req, ".", dns.TypeNS, dns.ClassINET) },
			Identify: identifyDNS,
		},
	}
}

// dnsQuery packs a non-recursive query with a random ID.
func dnsQuery(req Request, name string, qtype, qclass uint16) []byte {
	m := &dns.Msg{
		MsgHdr:   dns.MsgHdr{Id: uint16(req.Rand.Uint64())},
		Question: []dns.Question{{Name: name, Qtype: qtype, Qclass: qclass}},
	}
	b, err := m.Pack()
	if err != nil {
		return nil // cannot happen for these fixed questions; tests build every payload
	}
	return b
}

// identifyDNS accepts any DNS response and reads the product and version
// from a version.bind answer.
func identifyDNS(reply []byte) (fingerprint.Service, bool) {
	var m dns.Msg
	if err := m.Unpack(reply); err != nil || !m.Response || m.Opcode != dns.OpcodeQuery {
		return fingerprint.Service{}, false
	}
	svc := probe("domain", fingerprint.ConfidenceLikely)
	for _, rr := range m.Answer {
		txt, ok := rr.(*dns.TXT)
		if !ok || !strings.EqualFold(txt.Hdr.Name, "version.bind.") || len(txt.Txt) == 0 {
			continue
		}
		dnsVersion(&svc, strings.Join(txt.Txt, " "))
		break
	}
	if svc.Product == "" && m.Rcode != dns.RcodeSuccess {
		svc.Extra = "rcode " + dns.RcodeToString[m.Rcode]
	}
	return svc, true
}

// dnsVersion interprets a version.bind string: "dnsmasq-2.90",
// "unbound 1.17.1", "PowerDNS Recursor 4.8.4", or BIND's bare
// "9.18.28-1~deb12u2-Debian". Anything else is kept as extra information.
func dnsVersion(svc *fingerprint.Service, s string) {
	s = clean(s)
	if s == "" {
		return
	}
	if isDigit(s[0]) { // BIND answers with its version alone
		v, rest, _ := strings.Cut(s, "-")
		if strings.Count(v, ".") >= 2 {
			svc.Product, svc.Version, svc.Extra = "ISC BIND", v, rest
			svc.CPE = []string{fingerprint.CPE("a", "isc", "bind", v)}
			svc.Confidence = fingerprint.ConfidenceCertain
			return
		}
	}
	p, v := productVersion(s)
	if p == "" {
		svc.Extra = "version.bind: " + s
		return
	}
	svc.Product, svc.Version, svc.Confidence = p, v, fingerprint.ConfidenceCertain
	switch strings.ToLower(p) {
	case "dnsmasq":
		svc.CPE = []string{fingerprint.CPE("a", "thekelleys", "dnsmasq", v)}
	case "unbound":
		svc.Product = "Unbound"
		svc.CPE = []string{fingerprint.CPE("a", "nlnetlabs", "unbound", v)}
	case "nsd":
		svc.CPE = []string{fingerprint.CPE("a", "nlnetlabs", "nsd", v)}
	}
}
