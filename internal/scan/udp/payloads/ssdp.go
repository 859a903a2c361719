package payloads

import (
	"fmt"
	"strings"

	"github.com/portwatch/portwatch/internal/fingerprint"
)

// SSDP returns the SSDP payload: a unicast M-SEARCH for all devices and
// services (UPnP Device Architecture 1.1, section 1.3.2; the HTTPU
// framing of draft-cai-ssdp-v1). Unicast searches carry no MX. Some
// devices answer from another port, so the socket is left unconnected.
func SSDP() []Payload {
	return []Payload{{
		Service: "upnp", Name: "ssdp-msearch", Spec: "UPnP Device Architecture 1.1", Ports: []uint16{1900},
		AnySourcePort: true, Build: ssdpSearch, Identify: identifySSDP,
	}}
}

func ssdpSearch(req Request) []byte {
	return fmt.Appendf(nil, "M-SEARCH * HTTP/1.1\r\nHOST: %s\r\nMAN: \"ssdp:discover\"\r\nST: ssdp:all\r\n\r\n", req.Dst)
}

// identifySSDP reads a search response: the SERVER header is
// "OS/version UPnP/1.x product/version".
func identifySSDP(b []byte) (fingerprint.Service, bool) {
	s := string(b)
	if !strings.HasPrefix(s, "HTTP/1.1 200") && !strings.HasPrefix(s, "HTTP/1.0 200") {
		return fingerprint.Service{}, false
	}
	svc := probe("upnp", fingerprint.ConfidenceLikely)
	server := headerValue(s, "SERVER")
	tokens := strings.Fields(server)
	for i, tok := range tokens {
		name, ver, _ := strings.Cut(tok, "/")
		switch {
		case i == 0 && len(tokens) > 1:
			svc.OS = name
		case strings.EqualFold(name, "UPnP"):
		case svc.Product == "":
			svc.Product, svc.Version = name, ver
			svc.Confidence = fingerprint.ConfidenceCertain
		}
	}
	var extra []string
	if server != "" && svc.Product == "" {
		extra = append(extra, "server: "+server)
	}
	if loc := headerValue(s, "LOCATION"); loc != "" {
		extra = append(extra, "location: "+loc)
	}
	svc.Extra = strings.Join(extra, ", ")
	if strings.EqualFold(svc.Product, "MiniUPnPd") {
		svc.CPE = []string{fingerprint.CPE("a", "miniupnp_project", "miniupnpd", svc.Version)}
	}
	return svc, true
}
