package textproto

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/portwatch/portwatch/internal/fingerprint"
)

// LDAP identifies directory servers by reading the root DSE anonymously
// (RFC 4512 section 5.1): vendorName/vendorVersion (RFC 3045),
// OpenLDAP's objectClass, Active Directory's capabilities.
type LDAP struct{}

var (
	_ fingerprint.Fingerprinter = (*LDAP)(nil)
	_ fingerprint.StartTLSer    = (*LDAP)(nil)
)

// LDAP protocol operation tags (RFC 4511, [APPLICATION n]).
const (
	ldapSearchRequest   = 0x63
	ldapSearchEntry     = 0x64
	ldapSearchDone      = 0x65
	ldapExtendedRequest = 0x77
	ldapExtendedResp    = 0x78
	ldapStartTLSOID     = "1.3.6.1.4.1.1466.20037"
	adCapabilityOID     = "1.2.840.113556.1.4.800"  // LDAP_CAP_ACTIVE_DIRECTORY_OID
	adLDSCapabilityOID  = "1.2.840.113556.1.4.1851" // LDAP_CAP_ACTIVE_DIRECTORY_ADAM_OID
)

// rootDSEAttributes are the root DSE attributes asked for.
func rootDSEAttributes() []string {
	return []string{"objectClass", "vendorName", "vendorVersion", "supportedLDAPVersion",
		"supportedCapabilities", "supportedExtension", "defaultNamingContext", "dnsHostName", "serverName"}
}

// Name implements fingerprint.Fingerprinter.
func (*LDAP) Name() string { return "ldap" }

// Ports implements fingerprint.Fingerprinter.
func (*LDAP) Ports() []uint16 { return []uint16{389, 3268} }

// MatchBanner implements fingerprint.Fingerprinter: LDAP servers wait for
// the client.
func (*LDAP) MatchBanner([]byte) (fingerprint.Service, bool) { return fingerprint.Service{}, false }

// Probe implements fingerprint.Fingerprinter.
func (*LDAP) Probe(ctx context.Context, s *fingerprint.Session) (fingerprint.Service, error) {
	release, err := bind(ctx, s.Conn)
	if err != nil {
		return fingerprint.Service{}, fmt.Errorf("ldap: %w", err)
	}
	defer release()
	if err := send(ctx, s.Conn, string(rootDSESearch(1))); err != nil {
		return fingerprint.Service{}, fmt.Errorf("ldap: search: %w", err)
	}
	attrs := map[string][]string{}
	answered := false
	for range 8 { // entry, references, done: a few messages at most
		msg, err := readBER(s.Conn, 0x30)
		if err != nil {
			if answered {
				break
			}
			return fingerprint.Service{}, fmt.Errorf("ldap: %w", ctxErr(ctx, err))
		}
		op, err := ldapOp(msg)
		if err != nil {
			return fingerprint.Service{}, fmt.Errorf("ldap: %v: %w", err, fingerprint.ErrNoMatch)
		}
		answered = true
		if op.tag == ldapSearchEntry {
			ldapEntryAttributes(op.content, attrs)
		}
		if op.tag != ldapSearchEntry && op.tag != 0x73 { // not an entry or a reference: done or a notice
			break
		}
	}
	return overTLS(ldapService(attrs), s, "ldaps"), nil
}

// StartTLS implements fingerprint.StartTLSer with the StartTLS extended
// operation (RFC 4511 section 4.14).
func (*LDAP) StartTLS(ctx context.Context, s *fingerprint.Session) error {
	release, err := bind(ctx, s.Conn)
	if err != nil {
		return fmt.Errorf("ldap: %w", err)
	}
	defer release()
	req := der(0x30, append(der(0x02, []byte{1}), der(ldapExtendedRequest, der(0x80, []byte(ldapStartTLSOID)))...))
	if err := send(ctx, s.Conn, string(req)); err != nil {
		return fmt.Errorf("ldap: StartTLS: %w", err)
	}
	msg, err := readBER(s.Conn, 0x30)
	if err != nil {
		return fmt.Errorf("ldap: StartTLS: %w", ctxErr(ctx, err))
	}
	op, err := ldapOp(msg)
	if err != nil || op.tag != ldapExtendedResp {
		return fmt.Errorf("ldap: StartTLS answer is not an extended response: %w", fingerprint.ErrNoMatch)
	}
	code, _, err := berNext(op.content)
	if err != nil || code.tag != 0x0a || len(code.content) != 1 || code.content[0] != 0 {
		return fmt.Errorf("ldap: StartTLS refused (result %x)", code.content)
	}
	return nil
}

// rootDSESearch builds a base-scope search of "" for (objectClass=*).
func rootDSESearch(id byte) []byte {
	var attrs []byte
	for _, a := range rootDSEAttributes() {
		attrs = append(attrs, der(0x04, []byte(a))...)
	}
	var req []byte
	req = append(req, der(0x04, nil)...)                   // baseObject ""
	req = append(req, der(0x0a, []byte{0})...)             // scope baseObject
	req = append(req, der(0x0a, []byte{0})...)             // derefAliases never
	req = append(req, der(0x02, []byte{0})...)             // sizeLimit
	req = append(req, der(0x02, []byte{10})...)            // timeLimit (s)
	req = append(req, der(0x01, []byte{0})...)             // typesOnly false
	req = append(req, der(0x87, []byte("objectClass"))...) // present filter
	req = append(req, der(0x30, attrs)...)
	return der(0x30, append(der(0x02, []byte{id}), der(ldapSearchRequest, req)...))
}

// ldapOp returns the protocol operation of an LDAPMessage.
func ldapOp(msg []byte) (berTLV, error) {
	outer, _, err := berNext(msg)
	if err != nil {
		return berTLV{}, err
	}
	parts, err := berChildren(outer.content)
	if err != nil {
		return berTLV{}, err
	}
	if len(parts) < 2 || parts[0].tag != 0x02 || parts[1].tag&0xe0 != 0x60 {
		return berTLV{}, fmt.Errorf("not an LDAP message")
	}
	return parts[1], nil
}

// ldapEntryAttributes collects a SearchResultEntry's attributes.
func ldapEntryAttributes(entry []byte, into map[string][]string) {
	parts, err := berChildren(entry)
	if err != nil || len(parts) < 2 {
		return
	}
	list, err := berChildren(parts[1].content)
	if err != nil {
		return
	}
	for _, attr := range list {
		kv, err := berChildren(attr.content)
		if err != nil || len(kv) < 2 {
			continue
		}
		vals, err := berChildren(kv[1].content)
		if err != nil {
			continue
		}
		name := strings.ToLower(string(kv[0].content))
		for _, v := range vals {
			into[name] = append(into[name], string(v.content))
		}
	}
}

// ldapService recognises the server from its root DSE.
func ldapService(attrs map[string][]string) fingerprint.Service {
	svc := fingerprint.Service{
		Name:       "ldap",
		Confidence: fingerprint.ConfidenceLikely,
		Method:     fingerprint.MethodProbe,
	}
	first := func(k string) string {
		if v := attrs[strings.ToLower(k)]; len(v) > 0 {
			return v[0]
		}
		return ""
	}
	caps := attrs["supportedcapabilities"]
	vendor, vversion := first("vendorName"), first("vendorVersion")
	switch {
	case slices.Contains(caps, adLDSCapabilityOID):
		product(&svc, "Microsoft AD LDS", "", "", "")
		svc.OS = "Windows"
		svc.CPE = []string{fingerprint.CPE("o", "microsoft", "windows", "")}
	case slices.Contains(caps, adCapabilityOID):
		product(&svc, "Microsoft Windows Active Directory LDAP", "", "", "")
		svc.OS = "Windows"
		svc.CPE = []string{fingerprint.CPE("o", "microsoft", "windows", "")}
		if d := dnToDomain(first("defaultNamingContext")); d != "" {
			svc.Extra = "Domain: " + d
		}
	case slices.ContainsFunc(attrs["objectclass"], func(s string) bool { return strings.EqualFold(s, "OpenLDAProotDSE") }):
		product(&svc, "OpenLDAP", "", "openldap", "openldap")
	case strings.HasPrefix(vversion, "389-Directory/"):
		v := versionPrefix(strings.TrimPrefix(vversion, "389-Directory/"))
		product(&svc, "389 Directory Server", v, "fedoraproject", "389_directory_server")
	case vendor != "":
		product(&svc, vendor, versionPrefix(firstVersionWord(vversion)), "", "")
	}
	if h := first("dnsHostName"); h != "" {
		svc.Hostname = h
	}
	if v := attrs["supportedldapversion"]; len(v) > 0 {
		e := "LDAP versions " + strings.Join(v, ", ")
		if svc.Extra != "" {
			e = svc.Extra + "; " + e
		}
		svc.Extra = e
	}
	return svc
}

// dnToDomain turns "DC=corp,DC=example" into "corp.example".
func dnToDomain(dn string) string {
	var parts []string
	for _, rdn := range strings.Split(dn, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(rdn), "=")
		if ok && strings.EqualFold(k, "DC") {
			parts = append(parts, v)
		}
	}
	return strings.Join(parts, ".")
}
