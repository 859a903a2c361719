package report

import (
	"strconv"
	"strings"

	"github.com/portwatch/portwatch/internal/fingerprint"
)

// serviceVersion renders a service's product, version and extra info the
// way nmap's VERSION column does: "OpenSSH 9.2p1 (Debian 2+deb12u10)".
func serviceVersion(s *fingerprint.Service) string {
	if s == nil {
		return ""
	}
	v := strings.TrimSpace(s.Product + " " + s.Version)
	if s.Extra != "" {
		v = strings.TrimSpace(v + " (" + s.Extra + ")")
	}
	return v
}

// tlsSummary is a one-line digest of a service's TLS facts for the table.
func tlsSummary(t *fingerprint.TLSInfo) string {
	parts := []string{t.Version}
	if t.StartTLS {
		parts[0] += " via STARTTLS"
	}
	if t.Subject != "" {
		parts = append(parts, "subject "+t.Subject)
	}
	if len(t.SANs) > 0 {
		parts = append(parts, "SAN "+strings.Join(t.SANs, ","))
	}
	if !t.NotAfter.IsZero() {
		parts = append(parts, "expires "+t.NotAfter.UTC().Format("2006-01-02"))
	}
	if t.SelfSigned {
		parts = append(parts, "self-signed")
	}
	return strings.Join(parts, ", ")
}

// xmlService is nmap's <service> element.
type xmlService struct {
	Name      string   `xml:"name,attr"`
	Product   string   `xml:"product,attr,omitempty"`
	Version   string   `xml:"version,attr,omitempty"`
	ExtraInfo string   `xml:"extrainfo,attr,omitempty"`
	OSType    string   `xml:"ostype,attr,omitempty"`
	Hostname  string   `xml:"hostname,attr,omitempty"`
	Tunnel    string   `xml:"tunnel,attr,omitempty"`
	Method    string   `xml:"method,attr"`
	Conf      string   `xml:"conf,attr"`
	CPE       []string `xml:"cpe"`
}

// toXMLService maps a service to nmap's vocabulary: nmap names TLS-wrapped
// services by their plaintext protocol with tunnel="ssl", and knows only
// the methods "probed" and "table".
func toXMLService(s *fingerprint.Service) *xmlService {
	if s == nil {
		return nil
	}
	x := &xmlService{Name: s.Name, Product: s.Product, Version: s.Version, ExtraInfo: s.Extra,
		OSType: s.OS, Hostname: s.Hostname, Method: "probed", Conf: strconv.Itoa(s.Confidence), CPE: s.CPE}
	if s.Method == fingerprint.MethodPortHint {
		x.Method = "table"
	}
	if s.TLS != nil && !s.TLS.StartTLS {
		x.Tunnel = "ssl"
		if plain, ok := plainName(s.Name); ok {
			x.Name = plain
		}
	}
	return x
}

// fromXMLService is the inverse of toXMLService, as far as XML carries it.
func fromXMLService(x *xmlService) *fingerprint.Service {
	if x == nil {
		return nil
	}
	conf, _ := strconv.Atoi(x.Conf)
	s := &fingerprint.Service{Name: x.Name, Product: x.Product, Version: x.Version, Extra: x.ExtraInfo,
		OS: x.OSType, Hostname: x.Hostname, CPE: x.CPE, Confidence: conf, Method: fingerprint.MethodProbe}
	if x.Method == "table" {
		s.Method = fingerprint.MethodPortHint
	}
	if x.Tunnel == "ssl" {
		s.TLS = &fingerprint.TLSInfo{}
		if tlsName, ok := tlsName(x.Name); ok {
			s.Name = tlsName
		}
	}
	return s
}

// tlsNames pairs plaintext protocols with their implicit-TLS names.
func tlsNames() [][2]string {
	return [][2]string{{"http", "https"}, {"imap", "imaps"}, {"pop3", "pop3s"}, {"smtp", "smtps"}, {"ldap", "ldaps"}, {"ftp", "ftps"}}
}

func plainName(name string) (string, bool) {
	for _, p := range tlsNames() {
		if p[1] == name {
			return p[0], true
		}
	}
	return "", false
}

func tlsName(name string) (string, bool) {
	for _, p := range tlsNames() {
		if p[0] == name {
			return p[1], true
		}
	}
	return "", false
}
