package payloads

import (
	"encoding/binary"
	"encoding/hex"
	"strconv"
	"strings"

	"github.com/portwatch/portwatch/internal/fingerprint"
)

// SNMP PDU tags (RFC 3416) and object identifiers (RFC 3418; versionTag is
// net-snmp's UCD-SNMP-MIB).
const (
	snmpGetRequest = 0xa0
	snmpResponse   = 0xa2
	snmpReport     = 0xa8
	oidSysDescr    = "1.3.6.1.2.1.1.1.0"
	oidSysObjectID = "1.3.6.1.2.1.1.2.0"
	oidSysName     = "1.3.6.1.2.1.1.5.0"
	oidVersionTag  = "1.3.6.1.4.1.2021.100.2.0"
	oidEnterprises = "1.3.6.1.4.1."
	penNetSNMP     = 8072 // IANA private enterprise number of net-snmp
	snmpCommunity  = "public"
)

// SNMP returns the SNMP payloads: a v2c GetRequest (RFC 1901, RFC 3416)
// with community "public" for sysDescr.0, sysObjectID.0, sysName.0 and
// net-snmp's versionTag.0; a v1 GetRequest (RFC 1157) for sysDescr.0
// alone, since a v1 agent fails a whole request on one unknown object;
// and an SNMPv3 discovery request (RFC 3412, RFC 3414 section 4), which an
// agent answers with its engine ID whatever its communities are.
func SNMP() []Payload {
	ports := []uint16{161}
	return []Payload{
		{Service: "snmp", Name: "snmp-v2c-public", Spec: "RFC 1901, RFC 3416", Ports: ports, Identify: identifySNMP,
			Build: func(req Request) []byte {
				return snmpCommunityGet(req, 1, snmpOID(1, 3, 6, 1, 2, 1, 1, 1, 0), snmpOID(1, 3, 6, 1, 2, 1, 1, 2, 0),
					snmpOID(1, 3, 6, 1, 2, 1, 1, 5, 0), snmpOID(1, 3, 6, 1, 4, 1, 2021, 100, 2, 0))
			}},
		{Service: "snmp", Name: "snmp-v3-discovery", Spec: "RFC 3412, RFC 3414", Ports: ports, Identify: identifySNMP, Build: snmpV3Discovery},
		{Service: "snmp", Name: "snmp-v1-public", Spec: "RFC 1157", Ports: ports, Identify: identifySNMP,
			Build: func(req Request) []byte { return snmpCommunityGet(req, 0, snmpOID(1, 3, 6, 1, 2, 1, 1, 1, 0)) }},
	}
}

func snmpOID(arcs ...uint32) []byte { return berOID(arcs...) }

// snmpCommunityGet is a v1 (version 0) or v2c (version 1) GetRequest.
func snmpCommunityGet(req Request, version uint64, oids ...[]byte) []byte {
	var vbs [][]byte
	for _, oid := range oids {
		vbs = append(vbs, tlv(tagSequence, oid, tlv(tagNull)))
	}
	pdu := tlv(snmpGetRequest, berInt(tagInteger, randID(req.Rand, 1<<31)), berInt(tagInteger, 0), berInt(tagInteger, 0),
		tlv(tagSequence, vbs...))
	return tlv(tagSequence, berInt(tagInteger, version), tlv(tagOctetString, []byte(snmpCommunity)), pdu)
}

// snmpV3Discovery is a reportable, unauthenticated GetRequest with an
// empty engine ID and user: the agent answers with a Report carrying
// usmStatsUnknownEngineIDs and its authoritative engine ID.
func snmpV3Discovery(req Request) []byte {
	usm := tlv(tagSequence, tlv(tagOctetString), berInt(tagInteger, 0), berInt(tagInteger, 0),
		tlv(tagOctetString), tlv(tagOctetString), tlv(tagOctetString))
	header := tlv(tagSequence, berInt(tagInteger, randID(req.Rand, 1<<31)), berInt(tagInteger, 65507),
		tlv(tagOctetString, []byte{0x04}), berInt(tagInteger, 3)) // flags: reportable; security model USM
	pdu := tlv(snmpGetRequest, berInt(tagInteger, randID(req.Rand, 1<<31)), berInt(tagInteger, 0), berInt(tagInteger, 0),
		tlv(tagSequence))
	scoped := tlv(tagSequence, tlv(tagOctetString), tlv(tagOctetString), pdu)
	return tlv(tagSequence, berInt(tagInteger, 3), header, tlv(tagOctetString, usm), scoped)
}

// snmpFacts is what an answer revealed.
type snmpFacts struct {
	version   string // SNMPv1, SNMPv2c, SNMPv3
	community string
	engineID  []byte
	errStatus uint64
	values    map[string]snmpValue
}

type snmpValue struct {
	tag     byte
	content []byte
}

// identifySNMP reads a Response or Report of any SNMP version.
func identifySNMP(b []byte) (fingerprint.Service, bool) {
	f, ok := parseSNMP(b)
	if !ok {
		return fingerprint.Service{}, false
	}
	svc := probe("snmp", fingerprint.ConfidenceLikely)
	extra := []string{f.version}
	if f.community != "" {
		extra[0] += " " + clean(f.community)
	}
	if pen, ok := snmpEnterprise(f.engineID); ok {
		if pen == penNetSNMP {
			svc.Product = "Net-SNMP"
		}
		extra = append(extra, "engine "+hex.EncodeToString(f.engineID[:min(len(f.engineID), 32)]))
	}
	if v, ok := f.values[oidSysObjectID]; ok && v.tag == tagOID {
		if oid, ok := berOIDString(v.content); ok && strings.HasPrefix(oid, oidEnterprises) {
			if pen, _, _ := strings.Cut(strings.TrimPrefix(oid, oidEnterprises), "."); pen == strconv.Itoa(penNetSNMP) {
				svc.Product = "Net-SNMP"
			}
		}
	}
	if v, ok := f.values[oidVersionTag]; ok && v.tag == tagOctetString && len(v.content) > 0 {
		svc.Product, svc.Version = "Net-SNMP", clean(string(v.content))
	}
	if v, ok := f.values[oidSysName]; ok && v.tag == tagOctetString {
		svc.Hostname = clean(string(v.content))
	}
	if v, ok := f.values[oidSysDescr]; ok && v.tag == tagOctetString {
		descr := clean(string(v.content))
		svc.OS = snmpOS(descr)
		extra = append(extra, descr)
	}
	if f.errStatus != 0 {
		extra = append(extra, "error-status "+snmpErrorName(f.errStatus))
	}
	svc.Extra = strings.Join(extra, "; ")
	if svc.Product == "Net-SNMP" {
		svc.CPE = []string{fingerprint.CPE("a", "net-snmp", "net-snmp", svc.Version)}
		svc.Confidence = fingerprint.ConfidenceCertain
	}
	return svc, true
}

// parseSNMP decodes the message envelope and the PDU's variable bindings.
func parseSNMP(b []byte) (snmpFacts, bool) {
	var f snmpFacts
	outer := berReader{b}
	msg, ok := outer.expect(tagSequence)
	if !ok {
		return f, false
	}
	r := berReader{msg}
	vc, ok := r.expect(tagInteger)
	if !ok {
		return f, false
	}
	version, ok := berUint(vc)
	if !ok {
		return f, false
	}
	var pduTag byte
	var pdu []byte
	switch version {
	case 0, 1:
		f.version = "SNMPv1"
		if version == 1 {
			f.version = "SNMPv2c"
		}
		c, ok := r.expect(tagOctetString)
		if !ok {
			return f, false
		}
		f.community = string(c)
		if pduTag, pdu, ok = r.next(); !ok {
			return f, false
		}
	case 3:
		f.version = "SNMPv3"
		if _, ok := r.expect(tagSequence); !ok { // msgGlobalData
			return f, false
		}
		sec, ok := r.expect(tagOctetString)
		if !ok {
			return f, false
		}
		usm := berReader{sec}
		if params, ok := usm.expect(tagSequence); ok {
			p := berReader{params}
			f.engineID, _ = p.expect(tagOctetString)
		}
		scoped, ok := r.expect(tagSequence) // encrypted PDUs are OCTET STRINGs: not for us
		if !ok {
			return f, false
		}
		s := berReader{scoped}
		if _, ok := s.expect(tagOctetString); !ok { // contextEngineID
			return f, false
		}
		if _, ok := s.expect(tagOctetString); !ok { // contextName
			return f, false
		}
		if pduTag, pdu, ok = s.next(); !ok {
			return f, false
		}
	default:
		return f, false
	}
	if pduTag != snmpResponse && pduTag != snmpReport {
		return f, false
	}
	return f, parseSNMPPDU(pdu, &f)
}

func parseSNMPPDU(pdu []byte, f *snmpFacts) bool {
	p := berReader{pdu}
	if _, ok := p.expect(tagInteger); !ok { // request-id
		return false
	}
	es, ok := p.expect(tagInteger)
	if !ok {
		return false
	}
	f.errStatus, _ = berUint(es)
	if _, ok := p.expect(tagInteger); !ok { // error-index
		return false
	}
	vbl, ok := p.expect(tagSequence)
	if !ok {
		return false
	}
	f.values = map[string]snmpValue{}
	list := berReader{vbl}
	for {
		vb, ok := list.expect(tagSequence)
		if !ok {
			break
		}
		v := berReader{vb}
		oidc, ok := v.expect(tagOID)
		if !ok {
			return false
		}
		oid, ok := berOIDString(oidc)
		if !ok {
			return false
		}
		tag, content, ok := v.next()
		if !ok {
			return false
		}
		f.values[oid] = snmpValue{tag: tag, content: content}
	}
	return true
}

// snmpEnterprise reads the IANA enterprise number of an RFC 3411 engine ID
// in the current format (first bit set).
func snmpEnterprise(id []byte) (uint32, bool) {
	if len(id) < 5 || id[0]&0x80 == 0 {
		return 0, false
	}
	return binary.BigEndian.Uint32(id) &^ 0x80000000, true
}

// snmpOS names the operating system a sysDescr starts with, if common.
func snmpOS(descr string) string {
	first, _, _ := strings.Cut(descr, " ")
	switch first {
	case "Linux", "FreeBSD", "OpenBSD", "NetBSD", "SunOS", "Darwin":
		return first
	}
	if strings.Contains(descr, "Windows") {
		return "Windows"
	}
	return ""
}

// snmpErrorName names an error-status (RFC 3416 section 3).
func snmpErrorName(s uint64) string {
	switch s {
	case 1:
		return "tooBig"
	case 2:
		return "noSuchName"
	case 5:
		return "genErr"
	case 6:
		return "noAccess"
	case 16:
		return "authorizationError"
	}
	return strconv.FormatUint(s, 10)
}
