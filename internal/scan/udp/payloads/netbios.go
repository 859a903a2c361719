package payloads

import (
	"encoding/binary"
	"fmt"
	"strings"

	"github.com/portwatch/portwatch/internal/fingerprint"
)

// NetBIOS name service values (RFC 1002 sections 4.2.17 and 4.2.18).
const (
	nbstatType    = 0x21
	nbHeaderLen   = 12
	nbNameEntry   = 18 // 15-byte name, suffix, 2 flag bytes
	nbGroupFlag   = 0x8000
	nbEncodedName = 32
)

// NetBIOS returns the NetBIOS name service payload: a node status request
// (NBSTAT) for the wildcard name "*", which Windows and Samba's nmbd answer
// with their name table and, for Windows, the adapter's MAC address.
func NetBIOS() []Payload {
	return []Payload{{
		Service: "netbios-ns", Name: "netbios-nbstat", Spec: "RFC 1001, RFC 1002", Ports: []uint16{137},
		Build: nbstatQuery, Identify: identifyNetBIOS,
	}}
}

func nbstatQuery(req Request) []byte {
	b := make([]byte, nbHeaderLen, nbHeaderLen+nbEncodedName+6)
	binary.BigEndian.PutUint16(b[0:], uint16(req.Rand.Uint64()))
	binary.BigEndian.PutUint16(b[4:], 1) // QDCOUNT
	b = append(b, nbEncodedName)
	name := [16]byte{'*'} // "*" padded with NULs, first-level encoded (RFC 1001 14.1)
	for _, c := range name {
		b = append(b, 'A'+c>>4, 'A'+c&0x0f)
	}
	b = append(b, 0, 0, nbstatType, 0, 1) // empty scope, QTYPE NBSTAT, QCLASS IN
	return b
}

// identifyNetBIOS reads a node status response: the machine name is the
// first unique name with suffix 0x00, the workgroup the first group name
// with suffix 0x00. Samba reports an all-zero MAC address.
func identifyNetBIOS(b []byte) (fingerprint.Service, bool) {
	if len(b) < nbHeaderLen || b[2]&0x80 == 0 || binary.BigEndian.Uint16(b[6:]) == 0 {
		return fingerprint.Service{}, false
	}
	p := nbHeaderLen
	// The answer's name: a pointer (2 bytes) or labels ending with 0.
	switch {
	case p < len(b) && b[p]&0xc0 == 0xc0:
		p += 2
	default:
		for p < len(b) && b[p] != 0 {
			if b[p]&0xc0 != 0 {
				return fingerprint.Service{}, false
			}
			p += int(b[p]) + 1
		}
		p++
	}
	if p+10 > len(b) || binary.BigEndian.Uint16(b[p:]) != nbstatType {
		return fingerprint.Service{}, false
	}
	rdlen := int(binary.BigEndian.Uint16(b[p+8:]))
	p += 10
	if p+rdlen > len(b) || rdlen < 1 {
		return fingerprint.Service{}, false
	}
	rdata := b[p : p+rdlen]
	n := int(rdata[0])
	if 1+n*nbNameEntry > len(rdata) {
		return fingerprint.Service{}, false
	}
	svc := probe("netbios-ns", fingerprint.ConfidenceLikely)
	var workgroup string
	for i := range n {
		e := rdata[1+i*nbNameEntry:]
		name := clean(strings.TrimRight(string(e[:15]), " \x00"))
		suffix, flags := e[15], binary.BigEndian.Uint16(e[16:])
		switch {
		case suffix != 0:
		case flags&nbGroupFlag == 0 && svc.Hostname == "":
			svc.Hostname = name
		case flags&nbGroupFlag != 0 && workgroup == "":
			workgroup = name
		}
	}
	var extra []string
	if workgroup != "" {
		extra = append(extra, "workgroup: "+workgroup)
	}
	if stats := rdata[1+n*nbNameEntry:]; len(stats) >= 6 {
		mac := stats[:6]
		if mac[0]|mac[1]|mac[2]|mac[3]|mac[4]|mac[5] == 0 {
			svc.Product = "Samba nmbd"
			svc.CPE = []string{fingerprint.CPE("a", "samba", "samba", "")}
		} else {
			extra = append(extra, fmt.Sprintf("MAC %02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]))
		}
	}
	svc.Extra = strings.Join(extra, ", ")
	return svc, true
}
