package payloads

import (
	"testing"

	"github.com/portwatch/portwatch/internal/fingerprint"
	"github.com/portwatch/portwatch/internal/scan/udp/internal/udptest"
)

// Every answer parser is fuzzed: it must never panic, and what it accepts
// must be named as its protocol, with bounded printable text. Seeds are the
// stand-in daemons' answers to the real requests, and the requests.
// Run one with e.g. go test -fuzz=FuzzIdentifySNMP -fuzztime=30s.

func fuzzIdentify(f *testing.F, service string, identify func([]byte) (fingerprint.Service, bool), extra ...[]byte) {
	responders := udptest.Responders(f)
	for _, p := range All() {
		if p.Service != service {
			continue
		}
		req := p.Build(testRequest("198.18.0.11:"+itoa(p.Ports[0]), 9))
		f.Add(req)
		if r, ok := responders[service]; ok {
			if reply := r(req); reply != nil {
				f.Add(reply)
			}
		}
	}
	for _, e := range extra {
		f.Add(e)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		svc, ok := identify(b)
		if !ok {
			return
		}
		if svc.Name != service || svc.Method != fingerprint.MethodProbe {
			t.Fatalf("accepted as %q by %s", svc.Name, svc.Method)
		}
		for _, s := range []string{svc.Product, svc.Version, svc.Extra, svc.Hostname, svc.OS} {
			if len(s) > 1024 {
				t.Fatalf("field of %d bytes", len(s))
			}
			for i := 0; i < len(s); i++ {
				if s[i] < 0x20 || s[i] >= 0x7f {
					t.Fatalf("unprintable byte %#x in %q", s[i], s)
				}
			}
		}
	})
}

func FuzzIdentifyDNS(f *testing.F)  { fuzzIdentify(f, "domain", identifyDNS) }
func FuzzIdentifyMDNS(f *testing.F) { fuzzIdentify(f, "mdns", identifyMDNS) }
func FuzzIdentifyNTP(f *testing.F) {
	fuzzIdentify(f, "ntp", identifyNTP, ntpServerReply(0, "RATE"), ntpControlReply(0x80, `version="ntpsec-1.2.2", system="Linux/6"`))
}
func FuzzIdentifySNMP(f *testing.F)    { fuzzIdentify(f, "snmp", identifySNMP) }
func FuzzIdentifyNetBIOS(f *testing.F) { fuzzIdentify(f, "netbios-ns", identifyNetBIOS) }
func FuzzIdentifySSDP(f *testing.F)    { fuzzIdentify(f, "upnp", identifySSDP) }
func FuzzIdentifyIKE(f *testing.F)     { fuzzIdentify(f, "isakmp", identifyIKE) }
func FuzzIdentifyOpenVPN(f *testing.F) { fuzzIdentify(f, "openvpn", identifyOpenVPN) }
func FuzzIdentifyMemcached(f *testing.F) {
	fuzzIdentify(f, "memcached", identifyMemcached)
}
func FuzzIdentifySIP(f *testing.F) { fuzzIdentify(f, "sip", identifySIP) }
func FuzzIdentifyTFTP(f *testing.F) {
	fuzzIdentify(f, "tftp", identifyTFTP, append([]byte{0, 5, 0, 1}, "File not found\x00"...))
}
func FuzzIdentifyRPC(f *testing.F) {
	fuzzIdentify(f, "rpcbind", rpcIdentifier("rpcbind", rpcProgMapper))
}
func FuzzIdentifyCLDAP(f *testing.F) { fuzzIdentify(f, "ldap", identifyCLDAP) }
func FuzzIdentifySTUN(f *testing.F)  { fuzzIdentify(f, "stun", identifySTUN) }
func FuzzIdentifyEcho(f *testing.F)  { fuzzIdentify(f, "echo", identifyEcho, []byte(genericLine)) }

// FuzzRegistryIdentify runs every parser (a port without payloads tries
// them all) and each port's own.
func FuzzRegistryIdentify(f *testing.F) {
	reg := Default()
	f.Add(uint16(9), []byte("\r\n\r\n"))
	f.Add(uint16(161), []byte{0x30, 0x03, 0x02, 0x01, 0x01})
	f.Fuzz(func(t *testing.T, port uint16, b []byte) {
		if svc, ok := reg.Identify(port, b); ok && svc.Name == "" {
			t.Fatal("identified without a name")
		}
	})
}
