package payloads

import (
	"encoding/binary"
	"testing"

	"github.com/miekg/dns"
	"github.com/portwatch/portwatch/internal/fingerprint"
)

// Answers the loopback family tests (internal/scan/udp) do not produce:
// other products, errors, edge layouts.

func dnsAnswer(t *testing.T, rcode int, txt string) []byte {
	t.Helper()
	m := &dns.Msg{MsgHdr: dns.MsgHdr{Id: 7, Response: true, Rcode: rcode},
		Question: []dns.Question{{Name: "version.bind.", Qtype: dns.TypeTXT, Qclass: dns.ClassCHAOS}}}
	if txt != "" {
		m.Answer = []dns.RR{&dns.TXT{Hdr: dns.RR_Header{Name: "version.bind.", Rrtype: dns.TypeTXT, Class: dns.ClassCHAOS}, Txt: []string{txt}}}
	}
	b, err := m.Pack()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func ntpServerReply(stratum byte, refid string) []byte {
	b := make([]byte, 48)
	b[0], b[1] = 4<<3|4, stratum
	copy(b[12:16], refid)
	return b
}

func ntpControlReply(flags byte, data string) []byte {
	b := []byte{2<<3 | 6, flags | 2, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0}
	binary.BigEndian.PutUint16(b[10:], uint16(len(data)))
	return append(b, data...)
}

func TestIdentifyEdges(t *testing.T) {
	ikeNotify := func(marker bool) []byte {
		h := make([]byte, 28)
		h[0], h[16], h[17], h[18], h[19] = 1, 41, 0x20, 34, 0x20
		n := []byte{0, 0, 0, 10, 0, 0, 0, 17, 0, 14} // INVALID_KE_PAYLOAD, group 14
		binary.BigEndian.PutUint32(h[24:], uint32(len(h)+len(n)))
		b := append(h, n...)
		if marker {
			b = append([]byte{0, 0, 0, 0}, b...)
		}
		return b
	}
	rpcMismatch := []byte{0, 0, 0, 9, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 2, 0, 0, 0, 4}
	stunError := []byte{0x01, 0x11, 0, 12, 0x21, 0x12, 0xa4, 0x42, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12,
		0, 9, 0, 8, 0, 0, 4, 20, 'S', 't', 'a', 'l'}
	for _, c := range []struct {
		name     string
		identify func([]byte) (fingerprint.Service, bool)
		reply    []byte
		ok       bool
		want     fingerprint.Service
	}{
		{"bind", identifyDNS, dnsAnswer(t, dns.RcodeSuccess, "9.18.28-1~deb12u2-Debian"), true,
			fingerprint.Service{Name: "domain", Product: "ISC BIND", Version: "9.18.28", Extra: "1~deb12u2-Debian"}},
		{"unbound", identifyDNS, dnsAnswer(t, dns.RcodeSuccess, "unbound 1.17.1"), true,
			fingerprint.Service{Name: "domain", Product: "Unbound", Version: "1.17.1"}},
		{"dns refused", identifyDNS, dnsAnswer(t, dns.RcodeRefused, ""), true, fingerprint.Service{Name: "domain", Extra: "rcode REFUSED"}},
		{"dns hidden version", identifyDNS, dnsAnswer(t, dns.RcodeSuccess, "none of your business"), true,
			fingerprint.Service{Name: "domain", Extra: "version.bind: none of your business"}},
		{"ntp kiss", identifyNTP, ntpServerReply(0, "RATE"), true, fingerprint.Service{Name: "ntp", Extra: "NTPv4, kiss code RATE"}},
		{"ntp refclock", identifyNTP, ntpServerReply(1, "GPS\x00"), true, fingerprint.Service{Name: "ntp", Extra: "NTPv4, stratum 1, refid GPS"}},
		{"ntp unsynchronised", identifyNTP, ntpServerReply(16, "INIT"), true, fingerprint.Service{Name: "ntp", Extra: "NTPv4, stratum 16, unsynchronised"}},
		{"ntp short", identifyNTP, ntpServerReply(2, "")[:40], false, fingerprint.Service{}},
		{"ntpsec", identifyNTP, ntpControlReply(0x80, `version="ntpsec-1.2.2 2023-05-22T17:15:06Z", leap=0, system="Linux/6.1.0"`), true,
			fingerprint.Service{Name: "ntp", Product: "NTPsec", Version: "1.2.2", OS: "Linux"}},
		{"ntp control error", identifyNTP, ntpControlReply(0xc0, ""), true, fingerprint.Service{Name: "ntp", Extra: "control queries refused"}},
		{"ntp control request", identifyNTP, ntpControlReply(0, ""), false, fingerprint.Service{}},
		{"ike v2 notify", identifyIKE, ikeNotify(false), true, fingerprint.Service{Name: "isakmp", Extra: "IKEv2, notify INVALID_KE_PAYLOAD"}},
		{"ike nat-t marker", identifyIKE, ikeNotify(true), true, fingerprint.Service{Name: "isakmp", Extra: "IKEv2, notify INVALID_KE_PAYLOAD"}},
		{"rpc mismatch", rpcIdentifier("rpcbind", 100000), rpcMismatch, true, fingerprint.Service{Name: "rpcbind", Extra: "RPC #100000 versions 2-4"}},
		{"stun error", identifySTUN, stunError, true, fingerprint.Service{Name: "stun", Extra: "error 420 Stal"}},
		{"memcached error", identifyMemcached, append([]byte{0, 1, 0, 0, 0, 1, 0, 0}, "ERROR\r\n"...), true, fingerprint.Service{Name: "memcached"}},
		{"memcached text", identifyMemcached, append([]byte{0, 1, 0, 0, 0, 1, 0, 0}, "hello\r\n"...), false, fingerprint.Service{}},
		{"tftp unterminated", identifyTFTP, []byte{0, 5, 0, 1, 'x'}, false, fingerprint.Service{}},
		{"echo", identifyEcho, []byte("\r\n\r\n"), true, fingerprint.Service{Name: "echo"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, ok := c.identify(c.reply)
			if ok != c.ok {
				t.Fatalf("ok = %v, want %v (%+v)", ok, c.ok, got)
			}
			for _, f := range [][3]string{{"name", got.Name, c.want.Name}, {"product", got.Product, c.want.Product},
				{"version", got.Version, c.want.Version}, {"extra", got.Extra, c.want.Extra}, {"os", got.OS, c.want.OS}} {
				if f[1] != f[2] {
					t.Errorf("%s = %q, want %q", f[0], f[1], f[2])
				}
			}
		})
	}
}

// TestSNMPVersionsAndErrors: a v1 agent that lacks an object answers
// noSuchName and no values; a v3 engine ID names net-snmp.
func TestSNMPVersionsAndErrors(t *testing.T) {
	vb := tlv(tagSequence, tlv(tagSequence, berOID(1, 3, 6, 1, 2, 1, 1, 1, 0), tlv(tagNull)))
	v1 := tlv(tagSequence, berInt(tagInteger, 0), tlv(tagOctetString, []byte("public")),
		tlv(snmpResponse, berInt(tagInteger, 5), berInt(tagInteger, 2), berInt(tagInteger, 1), vb))
	svc, ok := identifySNMP(v1)
	if !ok || svc.Extra != "SNMPv1 public; error-status noSuchName" || svc.Product != "" {
		t.Errorf("v1 noSuchName: %v %+v", ok, svc)
	}
	usm := tlv(tagSequence, tlv(tagOctetString, []byte{0x80, 0, 0x1f, 0x88, 0x80, 1, 2, 3}), berInt(tagInteger, 3), berInt(tagInteger, 9),
		tlv(tagOctetString), tlv(tagOctetString), tlv(tagOctetString))
	report := tlv(snmpReport, berInt(tagInteger, 1), berInt(tagInteger, 0), berInt(tagInteger, 0),
		tlv(tagSequence, tlv(tagSequence, berOID(1, 3, 6, 1, 6, 3, 15, 1, 1, 4, 0), berInt(0x41, 1))))
	v3 := tlv(tagSequence, berInt(tagInteger, 3),
		tlv(tagSequence, berInt(tagInteger, 1), berInt(tagInteger, 65507), tlv(tagOctetString, []byte{0}), berInt(tagInteger, 3)),
		tlv(tagOctetString, usm), tlv(tagSequence, tlv(tagOctetString), tlv(tagOctetString), report))
	svc, ok = identifySNMP(v3)
	if !ok || svc.Product != "Net-SNMP" || svc.Extra != "SNMPv3; engine 80001f8880010203" || svc.Confidence != fingerprint.ConfidenceCertain {
		t.Errorf("v3 report: %v %+v", ok, svc)
	}
}
