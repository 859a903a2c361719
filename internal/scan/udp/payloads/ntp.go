package payloads

import (
	"encoding/binary"
	"fmt"
	"net/netip"
	"strings"

	"github.com/portwatch/portwatch/internal/fingerprint"
)

// NTP field values (RFC 5905 section 7.3; control messages RFC 9327).
const (
	ntpModeClient  = 3
	ntpModeServer  = 4
	ntpModeControl = 6
	ntpHeaderLen   = 48
	ntpCtlHeader   = 12
	ntpOpReadVar   = 2
	// An experimental extension field chrony answers in kind (type and
	// magic as chrony documents them for its "extfield F323" option);
	// its echo names the server.
	ntpEFMonoRoot      = 0xF323
	ntpEFMonoRootMagic = 0xF5BEDD9A
	ntpEFMonoRootLen   = 28
)

// NTP returns the NTP payloads: a mode 3 client request (RFC 5905), which
// every server answers with the protocol version, stratum and reference
// ID; a mode 6 READVAR request (RFC 9327), which ntpd and NTPsec answer
// with their version unless queries are restricted; and a client request
// carrying the experimental extension field 0xF323, which chrony echoes.
func NTP() []Payload {
	ports := []uint16{123}
	return []Payload{
		{Service: "ntp", Name: "ntp-readvar", Spec: "RFC 9327", Ports: ports, Build: ntpReadVar, Identify: identifyNTP},
		{Service: "ntp", Name: "ntp-client", Spec: "RFC 5905", Ports: ports, Build: ntpClient, Identify: identifyNTP},
		{Service: "ntp", Name: "ntp-client-ef", Spec: "RFC 5905, RFC 7822", Ports: ports, Build: ntpClientEF, Identify: identifyNTP},
	}
}

// ntpClient is an NTPv4 client request whose transmit timestamp is random
// (the server copies it into the origin timestamp; nothing else reveals the
// client's clock).
func ntpClient(req Request) []byte {
	b := make([]byte, ntpHeaderLen)
	b[0] = 4<<3 | ntpModeClient
	copy(b[40:], randBytes(req.Rand, 8))
	return b
}

// ntpClientEF is ntpClient followed by one extension field (RFC 7822):
// without a MAC the last field must be at least 28 bytes, which this one is.
func ntpClientEF(req Request) []byte {
	b := ntpClient(req)
	ef := make([]byte, ntpEFMonoRootLen)
	binary.BigEndian.PutUint16(ef[0:], ntpEFMonoRoot)
	binary.BigEndian.PutUint16(ef[2:], ntpEFMonoRootLen)
	binary.BigEndian.PutUint32(ef[4:], ntpEFMonoRootMagic)
	return append(b, ef...)
}

// ntpReadVar asks for the system variables (association 0).
func ntpReadVar(req Request) []byte {
	b := make([]byte, ntpCtlHeader)
	b[0] = 2<<3 | ntpModeControl
	b[1] = ntpOpReadVar
	binary.BigEndian.PutUint16(b[2:], uint16(req.Rand.Uint64()))
	return b
}

// identifyNTP reads a server (mode 4) or control (mode 6) response.
func identifyNTP(b []byte) (fingerprint.Service, bool) {
	if len(b) < ntpCtlHeader {
		return fingerprint.Service{}, false
	}
	vn := b[0] >> 3 & 7
	if vn < 1 || vn > 4 {
		return fingerprint.Service{}, false
	}
	switch b[0] & 7 {
	case ntpModeServer:
		return identifyNTPServer(b, vn)
	case ntpModeControl:
		return identifyNTPControl(b)
	}
	return fingerprint.Service{}, false
}

func identifyNTPServer(b []byte, vn byte) (fingerprint.Service, bool) {
	if len(b) < ntpHeaderLen {
		return fingerprint.Service{}, false
	}
	svc := probe("ntp", fingerprint.ConfidenceLikely)
	stratum := b[1]
	refid := b[12:16]
	var ref string
	switch {
	case stratum <= 1: // kiss code (0) or reference clock name (1): ASCII
		ref = clean(strings.TrimRight(string(refid), "\x00"))
	default:
		ref = netip.AddrFrom4([4]byte(refid)).String()
	}
	extra := fmt.Sprintf("NTPv%d, stratum %d", vn, stratum)
	switch {
	case stratum == 0:
		extra = fmt.Sprintf("NTPv%d, kiss code %s", vn, ref)
	case stratum >= 16:
		extra += ", unsynchronised"
	case ref != "":
		extra += ", refid " + ref
	}
	svc.Extra = extra
	if ntpHasMonoRoot(b[ntpHeaderLen:]) {
		svc.Product = "chrony"
		svc.CPE = []string{fingerprint.CPE("a", "tuxfamily", "chrony", "")}
		svc.Confidence = fingerprint.ConfidenceCertain
	}
	return svc, true
}

// ntpHasMonoRoot walks the extension fields for chrony's experimental one.
func ntpHasMonoRoot(ef []byte) bool {
	for len(ef) >= 16 {
		typ := binary.BigEndian.Uint16(ef)
		n := int(binary.BigEndian.Uint16(ef[2:]))
		if n < 16 || n%4 != 0 || n > len(ef) {
			return false
		}
		if typ == ntpEFMonoRoot && binary.BigEndian.Uint32(ef[4:]) == ntpEFMonoRootMagic {
			return true
		}
		ef = ef[n:]
	}
	return false
}

// identifyNTPControl reads a READVAR response: version="ntpd 4.2.8p15@..."
// or version="ntpsec-1.2.2 ...", and system="Linux/6.1.0".
func identifyNTPControl(b []byte) (fingerprint.Service, bool) {
	if b[1]&0x80 == 0 || b[1]&0x1f != ntpOpReadVar {
		return fingerprint.Service{}, false
	}
	svc := probe("ntp", fingerprint.ConfidenceLikely)
	if b[1]&0x40 != 0 {
		svc.Extra = "control queries refused"
		return svc, true
	}
	n := int(binary.BigEndian.Uint16(b[10:]))
	data := string(b[ntpCtlHeader:min(len(b), ntpCtlHeader+n)])
	if sys := ntpVariable(data, "system"); sys != "" {
		svc.OS, _, _ = strings.Cut(sys, "/")
	}
	ver := ntpVariable(data, "version")
	p, v := productVersion(strings.ReplaceAll(ver, "@", " "))
	switch strings.ToLower(p) {
	case "ntpd":
		svc.Product, svc.Version = "ntpd", v
		svc.CPE = []string{fingerprint.CPE("a", "ntp", "ntp", v)}
	case "ntpsec":
		svc.Product, svc.Version = "NTPsec", v
		svc.CPE = []string{fingerprint.CPE("a", "ntpsec", "ntpsec", v)}
	default:
		if ver != "" {
			svc.Extra = "version: " + ver
		}
		return svc, true
	}
	svc.Confidence = fingerprint.ConfidenceCertain
	return svc, true
}

// ntpVariable returns the value of name="value" (or name=value) in a
// control message's comma-separated variable list; quoted values may hold
// commas.
func ntpVariable(data, name string) string {
	for data != "" {
		data = strings.TrimLeft(data, " \t\r\n,")
		k, rest, ok := strings.Cut(data, "=")
		if !ok {
			return ""
		}
		var v string
		if strings.HasPrefix(rest, `"`) {
			v, data, _ = strings.Cut(rest[1:], `"`)
		} else {
			v, data, _ = strings.Cut(rest, ",")
		}
		if strings.TrimSpace(k) == name {
			return clean(v)
		}
	}
	return ""
}
