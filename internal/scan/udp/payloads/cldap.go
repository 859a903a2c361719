package payloads

import (
	"strings"

	"github.com/portwatch/portwatch/internal/fingerprint"
)

// LDAP protocol-operation tags (RFC 4511 section 4.2 onwards).
const (
	ldapSearchRequest = 0x63
	ldapSearchEntry   = 0x64
	ldapSearchDone    = 0x65
	ldapFilterPresent = 0x87
)

// cldapAttributes are the root DSE attributes asked for.
func cldapAttributes() []string {
	return []string{"dnsHostName", "defaultNamingContext", "vendorName", "vendorVersion", "supportedLDAPVersion"}
}

// CLDAP returns the connectionless LDAP payload: a search of the root DSE
// (base "", scope base, filter (objectClass=*)) in one datagram (RFC 4511
// encoding over UDP as RFC 1798 describes; Active Directory domain
// controllers and Samba AD answer it).
func CLDAP() []Payload {
	return []Payload{{
		Service: "ldap", Name: "cldap-rootdse", Spec: "RFC 4511, RFC 1798", Ports: []uint16{389},
		Build: cldapRootDSE, Identify: identifyCLDAP,
	}}
}

func cldapRootDSE(req Request) []byte {
	var attrs [][]byte
	for _, a := range cldapAttributes() {
		attrs = append(attrs, tlv(tagOctetString, []byte(a)))
	}
	search := tlv(ldapSearchRequest,
		tlv(tagOctetString),           // baseObject ""
		tlv(tagEnumerated, []byte{0}), // scope baseObject
		tlv(tagEnumerated, []byte{0}), // derefAliases never
		berInt(tagInteger, 0),         // sizeLimit
		berInt(tagInteger, 0),         // timeLimit
		tlv(tagBoolean, []byte{0}),    // typesOnly false
		tlv(ldapFilterPresent, []byte("objectClass")),
		tlv(tagSequence, attrs...))
	return tlv(tagSequence, berInt(tagInteger, randID(req.Rand, 1<<31)), search)
}

// identifyCLDAP reads the LDAPMessages of the answer: a search result
// entry with the root DSE's attributes and/or the search result done.
func identifyCLDAP(b []byte) (fingerprint.Service, bool) {
	r := berReader{b}
	msg, ok := r.expect(tagSequence)
	if !ok {
		return fingerprint.Service{}, false
	}
	m := berReader{msg}
	if _, ok := m.expect(tagInteger); !ok {
		return fingerprint.Service{}, false
	}
	tag, op, ok := m.next()
	if !ok || (tag != ldapSearchEntry && tag != ldapSearchDone) {
		return fingerprint.Service{}, false
	}
	svc := probe("ldap", fingerprint.ConfidenceLikely)
	svc.Extra = "CLDAP"
	if tag == ldapSearchDone {
		return svc, true
	}
	attrs := ldapAttributes(op)
	if attrs == nil {
		return fingerprint.Service{}, false
	}
	svc.Hostname = attrs["dnshostname"]
	if nc := attrs["defaultnamingcontext"]; nc != "" {
		svc.Extra += ", naming context " + nc
	}
	if vendor := attrs["vendorname"]; vendor != "" {
		svc.Product, svc.Version = vendor, attrs["vendorversion"]
		svc.Confidence = fingerprint.ConfidenceCertain
	}
	return svc, true
}

// ldapAttributes reads a SearchResultEntry's attributes (first value of
// each, keyed by lower-cased type); nil when malformed.
func ldapAttributes(entry []byte) map[string]string {
	e := berReader{entry}
	if _, ok := e.expect(tagOctetString); !ok { // objectName
		return nil
	}
	list, ok := e.expect(tagSequence)
	if !ok {
		return nil
	}
	out := map[string]string{}
	l := berReader{list}
	for {
		attr, ok := l.expect(tagSequence)
		if !ok {
			return out
		}
		a := berReader{attr}
		typ, ok := a.expect(tagOctetString)
		if !ok {
			return nil
		}
		vals, ok := a.expect(tagSet)
		if !ok {
			return nil
		}
		v := berReader{vals}
		if first, ok := v.expect(tagOctetString); ok {
			out[strings.ToLower(clean(string(typ)))] = clean(string(first))
		}
	}
}
