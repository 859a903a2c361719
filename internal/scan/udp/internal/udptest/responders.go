// Package udptest holds stand-ins for the UDP daemons portwatch's UDP
// scan identifies, for tests only: each checks a request with an
// independent parser (miekg/dns, gosnmp, gopacket, encoding/asn1 or the
// specification's layout) and answers as the real daemon does. A request
// the daemon would ignore gets no answer; a malformed one fails the test.
package udptest

import (
	"bytes"
	"encoding/asn1"
	"encoding/binary"
	"fmt"
	"net"
	"strings"
	"testing"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/gosnmp/gosnmp"
	"github.com/miekg/dns"
)

// Responder answers one request datagram; nil means no answer.
type Responder func(req []byte) []byte

// DNS answers version.bind CHAOS TXT like dnsmasq and refuses
// everything else.
func DNS(t testing.TB) Responder {
	return func(req []byte) []byte {
		var q dns.Msg
		if err := q.Unpack(req); err != nil || len(q.Question) != 1 || q.Response {
			t.Errorf("malformed DNS query %x: %v", req, err)
			return nil
		}
		r := new(dns.Msg)
		r.SetReply(&q)
		qq := q.Question[0]
		if qq.Name == "version.bind." && qq.Qtype == dns.TypeTXT && qq.Qclass == dns.ClassCHAOS {
			r.Answer = []dns.RR{&dns.TXT{Hdr: dns.RR_Header{Name: qq.Name, Rrtype: dns.TypeTXT, Class: dns.ClassCHAOS}, Txt: []string{"dnsmasq-2.90"}}}
		} else {
			r.Rcode = dns.RcodeRefused
		}
		b, err := r.Pack()
		if err != nil {
			t.Error(err)
		}
		return b
	}
}

// MDNS answers the DNS-SD meta-query like Avahi does a legacy
// unicast query: same ID, question repeated, PTR records.
func MDNS(t testing.TB) Responder {
	return func(req []byte) []byte {
		var q dns.Msg
		if err := q.Unpack(req); err != nil || len(q.Question) != 1 {
			t.Errorf("malformed mDNS query %x: %v", req, err)
			return nil
		}
		qq := q.Question[0]
		if qq.Name != "_services._dns-sd._udp.local." || qq.Qtype != dns.TypePTR || qq.Qclass&0x7fff != dns.ClassINET || qq.Qclass&0x8000 == 0 {
			t.Errorf("mDNS question %v, want _services._dns-sd._udp.local. PTR with the QU bit", qq)
			return nil
		}
		r := new(dns.Msg)
		r.SetReply(&q)
		r.Authoritative = true
		for _, svc := range []string{"_ssh._tcp.local.", "_http._tcp.local."} {
			r.Answer = append(r.Answer, &dns.PTR{Hdr: dns.RR_Header{Name: qq.Name, Rrtype: dns.TypePTR, Class: dns.ClassINET, Ttl: 10}, Ptr: svc})
		}
		b, _ := r.Pack()
		return b
	}
}

// SNMP answers like net-snmp with community public and a view
// that includes versionTag; SNMPv3 discovery gets a Report.
func SNMP(t testing.TB) Responder {
	engine := "\x80\x00\x1f\x88\x80\x01\x02\x03\x04\x05\x06\x07\x08"
	return func(req []byte) []byte {
		var raw asn1.RawValue
		rest, err := asn1.Unmarshal(req, &raw)
		if err != nil || len(rest) != 0 {
			t.Errorf("SNMP request is not one BER element: %v", err)
			return nil
		}
		var version int
		if _, err := asn1.Unmarshal(raw.Bytes, &version); err != nil {
			t.Errorf("SNMP version: %v", err)
			return nil
		}
		if version == 3 {
			return snmpV3Report(t, req, engine)
		}
		pkt, err := (&gosnmp.GoSNMP{}).SnmpDecodePacket(req)
		if err != nil {
			t.Errorf("gosnmp cannot decode %x: %v", req, err)
			return nil
		}
		if pkt.Community != "public" || pkt.PDUType != gosnmp.GetRequest || len(pkt.Variables) == 0 {
			t.Errorf("SNMP request: community %q, PDU %v, %d variables", pkt.Community, pkt.PDUType, len(pkt.Variables))
			return nil
		}
		values := map[string]gosnmp.SnmpPDU{
			".1.3.6.1.2.1.1.1.0":        {Type: gosnmp.OctetString, Value: []byte("Linux pwg-h1 6.1.0-18-amd64 #1 SMP PREEMPT_DYNAMIC Debian 6.1.76-1 x86_64")},
			".1.3.6.1.2.1.1.2.0":        {Type: gosnmp.ObjectIdentifier, Value: ".1.3.6.1.4.1.8072.3.2.10"},
			".1.3.6.1.2.1.1.5.0":        {Type: gosnmp.OctetString, Value: []byte("pwg-h1")},
			".1.3.6.1.4.1.2021.100.2.0": {Type: gosnmp.OctetString, Value: []byte("5.9.3")},
		}
		resp := &gosnmp.SnmpPacket{Version: pkt.Version, Community: pkt.Community, PDUType: gosnmp.GetResponse, RequestID: pkt.RequestID}
		for _, v := range pkt.Variables {
			val, ok := values[v.Name]
			if !ok {
				val = gosnmp.SnmpPDU{Type: gosnmp.NoSuchObject}
			}
			val.Name = v.Name
			resp.Variables = append(resp.Variables, val)
		}
		b, err := resp.MarshalMsg()
		if err != nil {
			t.Error(err)
		}
		return b
	}
}

// snmpV3Report checks a discovery request (reportable, USM, empty engine
// and user) and answers usmStatsUnknownEngineIDs with engine.
func snmpV3Report(t testing.TB, msg []byte, engine string) []byte {
	var m struct {
		Version int
		Header  struct {
			ID, MaxSize int
			Flags       []byte
			Model       int
		}
		Security []byte
		Scoped   asn1.RawValue
	}
	if _, err := asn1.Unmarshal(msg, &m); err != nil {
		t.Errorf("SNMPv3 message: %v", err)
		return nil
	}
	var usm struct {
		Engine      []byte
		Boots, Time int
		User        []byte
		Auth, Priv  []byte
	}
	if _, err := asn1.Unmarshal(m.Security, &usm); err != nil || len(usm.Engine) != 0 || len(usm.User) != 0 {
		t.Errorf("SNMPv3 USM parameters %x: %v", m.Security, err)
		return nil
	}
	if m.Header.Model != 3 || len(m.Header.Flags) != 1 || m.Header.Flags[0] != 0x04 {
		t.Errorf("SNMPv3 header %+v, want USM, reportable", m.Header)
		return nil
	}
	resp := &gosnmp.SnmpPacket{
		Version: gosnmp.Version3, MsgFlags: gosnmp.NoAuthNoPriv, SecurityModel: gosnmp.UserSecurityModel,
		SecurityParameters: &gosnmp.UsmSecurityParameters{AuthoritativeEngineID: engine, AuthoritativeEngineBoots: 3, AuthoritativeEngineTime: 1234},
		MsgID:              uint32(m.Header.ID), MsgMaxSize: 65507, ContextEngineID: engine, PDUType: gosnmp.Report,
		Variables: []gosnmp.SnmpPDU{{Name: ".1.3.6.1.6.3.15.1.1.4.0", Type: gosnmp.Counter32, Value: uint32(1)}},
	}
	b, err := resp.MarshalMsg()
	if err != nil {
		t.Error(err)
	}
	return b
}

// NTP answers client requests (mode 3) as an NTPv4 server at
// stratum 2 would. Like chrony it echoes the experimental extension field
// 0xF323 and ignores control messages; like ntpd (ntpd true) it answers
// READVAR and ignores extension fields it does not know.
func NTP(t testing.TB, ntpd bool) Responder {
	return func(req []byte) []byte {
		p := gopacket.NewPacket(req, layers.LayerTypeNTP, gopacket.Default)
		if mode := req[0] & 7; mode == 6 {
			if len(req) != 12 || req[1] != 2 {
				t.Errorf("NTP control request %x, want a 12-byte READVAR", req)
			}
			if !ntpd {
				return nil
			}
			data := `version="ntpd 4.2.8p15@1.3728-o Wed Sep 23 11:46:38 UTC 2020 (1)", processor="x86_64", system="Linux/6.1.0-18-amd64", leap=00, stratum=2`
			b := make([]byte, 12, 12+len(data)+3)
			b[0], b[1] = req[0]&0x38|6, 0x80|2
			copy(b[2:4], req[2:4])
			binary.BigEndian.PutUint16(b[10:], uint16(len(data)))
			b = append(b, data...)
			for len(b)%4 != 0 {
				b = append(b, 0)
			}
			return b
		}
		ntp, ok := p.Layer(layers.LayerTypeNTP).(*layers.NTP)
		if !ok || ntp.Mode != 3 || ntp.Version != 4 || ntp.TransmitTimestamp == 0 {
			t.Errorf("NTP request %x: want an NTPv4 client request with a transmit timestamp", req)
			return nil
		}
		ef := req[48:]
		if len(ef) > 0 && ntpd {
			return nil // ntpd takes unknown trailing data for a MAC
		}
		b := make([]byte, 48)
		b[0], b[1], b[2], b[3] = 4<<3|4, 2, 6, 0xe9
		copy(b[12:16], []byte{198, 18, 0, 1})
		copy(b[24:32], req[40:48]) // origin = client's transmit
		if len(ef) >= 28 && binary.BigEndian.Uint16(ef) == 0xF323 {
			echo := make([]byte, 28)
			copy(echo, ef[:8])
			b = append(b, echo...)
		}
		return b
	}
}

// NetBIOS answers a node status request like Samba's nmbd.
func NetBIOS(t testing.TB) Responder {
	return func(req []byte) []byte {
		if len(req) != 50 || req[12] != 32 || string(req[13:15]) != "CK" || strings.Trim(string(req[15:45]), "A") != "" ||
			!bytes.Equal(req[46:50], []byte{0, 0x21, 0, 1}) {
			t.Errorf("malformed NBSTAT request %x", req)
			return nil
		}
		b := append([]byte{}, req[:2]...)
		b = append(b, 0x84, 0, 0, 0, 0, 1, 0, 0, 0, 0)
		b = append(b, req[12:46]...)
		b = append(b, 0, 0x21, 0, 1, 0, 0, 0, 0)
		names := []struct {
			name   string
			suffix byte
			group  bool
		}{{"PWG-H1", 0x00, false}, {"PWG-H1", 0x20, false}, {"WORKGROUP", 0x00, true}}
		var rdata []byte
		rdata = append(rdata, byte(len(names)))
		for _, n := range names {
			rdata = append(rdata, fmt.Sprintf("%-15s", n.name)...)
			flags := byte(0x04)
			if n.group {
				flags |= 0x80
			}
			rdata = append(rdata, n.suffix, flags, 0)
		}
		rdata = append(rdata, make([]byte, 46)...) // statistics; Samba leaves the MAC zero
		b = binary.BigEndian.AppendUint16(b, uint16(len(rdata)))
		return append(b, rdata...)
	}
}

// SSDP answers M-SEARCH like MiniUPnPd.
func SSDP(t testing.TB) Responder {
	return func(req []byte) []byte {
		s := string(req)
		if !strings.HasPrefix(s, "M-SEARCH * HTTP/1.1\r\n") || !strings.Contains(s, "\r\nMAN: \"ssdp:discover\"\r\n") ||
			!strings.Contains(s, "\r\nST: ssdp:all\r\n") || !strings.HasSuffix(s, "\r\n\r\n") {
			t.Errorf("malformed M-SEARCH %q", s)
			return nil
		}
		return []byte("HTTP/1.1 200 OK\r\nCACHE-CONTROL: max-age=120\r\nST: upnp:rootdevice\r\nUSN: uuid:0::upnp:rootdevice\r\nEXT:\r\n" +
			"SERVER: Debian/12 UPnP/1.1 MiniUPnPd/2.3.3\r\nLOCATION: http://198.18.0.11:5000/rootDesc.xml\r\n\r\n")
	}
}

// IKE refuses proposals like strongSwan: IKEv2 with
// NO_PROPOSAL_CHOSEN, IKEv1 with an informational NO-PROPOSAL-CHOSEN.
func IKE(t testing.TB) Responder {
	return func(req []byte) []byte {
		if len(req) < 28 || int(binary.BigEndian.Uint32(req[24:])) != len(req) {
			t.Errorf("IKE request length field disagrees: %x", req)
			return nil
		}
		h := append([]byte{}, req[:28]...)
		copy(h[8:16], []byte{1, 2, 3, 4, 5, 6, 7, 8})
		var n []byte
		switch req[17] {
		case 0x20:
			if req[18] != 34 || req[16] != 33 || req[19] != 0x08 {
				t.Errorf("IKEv2 header %x: want IKE_SA_INIT, SA first, initiator", req[:28])
			}
			walkIKE(t, req[28:], req[16])
			h[16], h[19] = 41, 0x20 // notify; response
			n = []byte{0, 0, 0, 8, 0, 0, 0, 14}
		case 0x10:
			if req[18] != 2 || req[16] != 1 {
				t.Errorf("IKEv1 header %x: want Main Mode, SA first", req[:28])
			}
			walkIKE(t, req[28:], req[16])
			h[16], h[18] = 11, 5
			n = []byte{0, 0, 0, 12, 0, 0, 0, 1, 1, 0, 0, 14}
		default:
			t.Errorf("IKE version %#x", req[17])
			return nil
		}
		binary.BigEndian.PutUint32(h[24:], uint32(len(h)+len(n)))
		return append(h, n...)
	}
}

// walkIKE checks that the payload chain covers the message exactly.
func walkIKE(t testing.TB, p []byte, next byte) {
	for next != 0 {
		if len(p) < 4 {
			t.Errorf("IKE payload chain runs past the message")
			return
		}
		n := int(binary.BigEndian.Uint16(p[2:]))
		if n < 4 || n > len(p) {
			t.Errorf("IKE payload length %d of %d left", n, len(p))
			return
		}
		next, p = p[0], p[n:]
	}
	if len(p) != 0 {
		t.Errorf("%d bytes after the last IKE payload", len(p))
	}
}

// OpenVPN answers a client hard reset like an OpenVPN server
// without tls-auth.
func OpenVPN(t testing.TB) Responder {
	return func(req []byte) []byte {
		if len(req) != 14 || req[0] != 7<<3 || req[9] != 0 || binary.BigEndian.Uint32(req[10:]) != 0 {
			t.Errorf("malformed P_CONTROL_HARD_RESET_CLIENT_V2 %x", req)
			return nil
		}
		b := []byte{8 << 3, 9, 9, 9, 9, 9, 9, 9, 9, 1, 0, 0, 0, 0}
		b = append(b, req[1:9]...) // remote session ID
		return append(b, 0, 0, 0, 0)
	}
}

// Memcached answers "version" like memcached -U.
func Memcached(t testing.TB) Responder {
	return func(req []byte) []byte {
		if len(req) < 8 || binary.BigEndian.Uint16(req[2:]) != 0 || binary.BigEndian.Uint16(req[4:]) != 1 || string(req[8:]) != "version\r\n" {
			t.Errorf("malformed memcached UDP request %q", req)
			return nil
		}
		return append(append([]byte{}, req[:2]...), append([]byte{0, 0, 0, 1, 0, 0}, "VERSION 1.6.18\r\n"...)...)
	}
}

// SIP answers OPTIONS like Asterisk.
func SIP(t testing.TB) Responder {
	return func(req []byte) []byte {
		p := gopacket.NewPacket(req, layers.LayerTypeSIP, gopacket.Default)
		sip, ok := p.Layer(layers.LayerTypeSIP).(*layers.SIP)
		if !ok || !sip.IsResponse && sip.Method != layers.SIPMethodOptions || sip.GetCallID() == "" || sip.GetCSeq() != 1 {
			t.Errorf("malformed SIP OPTIONS %q", req)
			return nil
		}
		via := sip.GetFirstHeader("via")
		if !strings.Contains(via, "branch=z9hG4bK") || !strings.Contains(via, "rport") {
			t.Errorf("SIP Via %q lacks a RFC 3261 branch or rport", via)
		}
		return []byte("SIP/2.0 200 OK\r\nVia: " + via + "\r\nFrom: " + sip.GetFrom() + "\r\nTo: " + sip.GetTo() + ";tag=as1\r\n" +
			"Call-ID: " + sip.GetCallID() + "\r\nCSeq: 1 OPTIONS\r\nServer: Asterisk PBX 20.5.0\r\nAllow: INVITE, ACK, CANCEL, OPTIONS, BYE\r\nContent-Length: 0\r\n\r\n")
	}
}

// ServeTFTP answers the read requests arriving on pc like tftpd-hpa: a
// "file not found" error sent from a fresh socket opened by listen (the
// server's transfer ID, RFC 1350 section 4). It returns when pc is closed.
func ServeTFTP(t testing.TB, pc net.PacketConn, listen func() (net.PacketConn, error)) {
	buf := make([]byte, 1500)
	for {
		n, from, err := pc.ReadFrom(buf)
		if err != nil {
			return
		}
		req := buf[:n]
		if n < 4 || req[0] != 0 || req[1] != 1 {
			t.Errorf("malformed TFTP RRQ %q", req)
			continue
		}
		parts := bytes.Split(req[2:], []byte{0})
		if len(parts) != 3 || len(parts[0]) == 0 || string(parts[1]) != "octet" || len(parts[2]) != 0 {
			t.Errorf("malformed TFTP RRQ %q", req)
			continue
		}
		tid, err := listen()
		if err != nil {
			t.Error(err)
			return
		}
		_, _ = tid.WriteTo(append([]byte{0, 5, 0, 1}, "File not found\x00"...), from)
		tid.Close()
	}
}

// Serve answers every datagram arriving on pc with r's answer, from pc.
// It returns when pc is closed.
func Serve(pc net.PacketConn, r Responder) {
	buf := make([]byte, 65536)
	for {
		n, from, err := pc.ReadFrom(buf)
		if err != nil {
			return
		}
		if reply := r(append([]byte(nil), buf[:n]...)); reply != nil {
			_, _ = pc.WriteTo(reply, from)
		}
	}
}

// Responders returns a stand-in per service name (as in
// fingerprint.Service.Name) for every family answered from the probed
// port; NTP answers like chrony. TFTP answers from another port: see
// ServeTFTP.
func Responders(t testing.TB) map[string]Responder {
	return map[string]Responder{
		"domain": DNS(t), "ntp": NTP(t, false), "snmp": SNMP(t), "netbios-ns": NetBIOS(t), "upnp": SSDP(t),
		"mdns": MDNS(t), "isakmp": IKE(t), "openvpn": OpenVPN(t), "memcached": Memcached(t), "sip": SIP(t),
		"rpcbind": RPC(t), "ldap": CLDAP(t), "stun": STUN(t),
	}
}

// RPC accepts a NULL call like rpcbind.
func RPC(t testing.TB) Responder {
	return func(req []byte) []byte {
		if len(req) != 40 || binary.BigEndian.Uint32(req[4:]) != 0 || binary.BigEndian.Uint32(req[8:]) != 2 ||
			binary.BigEndian.Uint32(req[12:]) != 100000 || binary.BigEndian.Uint32(req[20:]) != 0 {
			t.Errorf("malformed RPC portmap NULL call %x", req)
			return nil
		}
		b := append([]byte{}, req[:4]...)
		b = append(b, 0, 0, 0, 1)             // REPLY
		return append(b, make([]byte, 16)...) // MSG_ACCEPTED, AUTH_NONE verifier, SUCCESS
	}
}

// CLDAP answers a root DSE search like a Samba AD DC.
func CLDAP(t testing.TB) Responder {
	return func(req []byte) []byte {
		var msg struct {
			ID     int
			Search asn1.RawValue
		}
		if _, err := asn1.Unmarshal(req, &msg); err != nil || msg.Search.Class != asn1.ClassApplication || msg.Search.Tag != 3 {
			t.Errorf("LDAP search request %x: %v", req, err)
			return nil
		}
		var base []byte
		rest, err := asn1.Unmarshal(msg.Search.Bytes, &base)
		if err != nil || len(base) != 0 {
			t.Errorf("LDAP search base %q: %v", base, err)
			return nil
		}
		var scope, deref asn1.Enumerated
		var size, limit int
		var typesOnly bool
		var filter asn1.RawValue
		var attrs [][]byte
		for _, v := range []any{&scope, &deref, &size, &limit, &typesOnly, &filter, &attrs} {
			if rest, err = asn1.Unmarshal(rest, v); err != nil {
				t.Errorf("LDAP search field: %v", err)
				return nil
			}
		}
		if scope != 0 || filter.Class != asn1.ClassContextSpecific || filter.Tag != 7 || string(filter.Bytes) != "objectClass" || len(attrs) == 0 {
			t.Errorf("LDAP search: scope %d filter %+v attrs %q", scope, filter, attrs)
			return nil
		}
		attr := func(name, value string) asn1.RawValue {
			b, _ := asn1.Marshal(struct {
				Type   []byte
				Values [][]byte `asn1:"set"`
			}{[]byte(name), [][]byte{[]byte(value)}})
			return asn1.RawValue{FullBytes: b}
		}
		list, _ := asn1.Marshal([]asn1.RawValue{attr("dnsHostName", "dc1.pwg.test"), attr("defaultNamingContext", "DC=pwg,DC=test"),
			attr("vendorName", "Samba Team (https://www.samba.org)"), attr("vendorVersion", "4.17.12-Debian")})
		name, _ := asn1.Marshal([]byte{})
		entry, _ := asn1.Marshal(asn1.RawValue{Class: asn1.ClassApplication, Tag: 4, IsCompound: true, Bytes: append(name, list...)})
		out, _ := asn1.Marshal(struct {
			ID    int
			Entry asn1.RawValue
		}{msg.ID, asn1.RawValue{FullBytes: entry}})
		done, _ := asn1.Marshal(struct {
			ID   int
			Done asn1.RawValue
		}{msg.ID, asn1.RawValue{Class: asn1.ClassApplication, Tag: 5, IsCompound: true, Bytes: []byte{0x0a, 1, 0, 4, 0, 4, 0}}})
		return append(out, done...)
	}
}

// STUN answers a Binding request like coturn.
func STUN(t testing.TB) Responder {
	return func(req []byte) []byte {
		if len(req) != 20 || binary.BigEndian.Uint16(req) != 1 || binary.BigEndian.Uint16(req[2:]) != 0 || binary.BigEndian.Uint32(req[4:]) != 0x2112A442 {
			t.Errorf("malformed STUN Binding request %x", req)
			return nil
		}
		sw := "Coturn-4.6.1 'Gorst'"
		attr := binary.BigEndian.AppendUint16(nil, 0x8022)
		attr = binary.BigEndian.AppendUint16(attr, uint16(len(sw)))
		attr = append(attr, sw...)
		for len(attr)%4 != 0 {
			attr = append(attr, 0)
		}
		b := binary.BigEndian.AppendUint16(nil, 0x0101)
		b = binary.BigEndian.AppendUint16(b, uint16(len(attr)))
		b = append(b, req[4:20]...)
		return append(b, attr...)
	}
}
