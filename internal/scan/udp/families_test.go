package udp

import (
	"net/netip"
	"testing"

	"github.com/portwatch/portwatch/internal/fingerprint"
	"github.com/portwatch/portwatch/internal/scan"
	"github.com/portwatch/portwatch/internal/scan/udp/internal/udptest"
)

// TestPayloadFamiliesLoopback sends every payload family to a loopback
// stand-in of its daemon, through the scanner, and checks the port is open
// and the service identified from the answer.
func TestPayloadFamiliesLoopback(t *testing.T) {
	cases := []struct {
		service string
		port    uint16
		want    fingerprint.Service // fields compared when set
	}{
		{"domain", udpServer(t, udptest.DNS(t)), fingerprint.Service{Name: "domain", Product: "dnsmasq", Version: "2.90"}},
		{"ntp", udpServer(t, udptest.NTP(t, false)), fingerprint.Service{Name: "ntp", Product: "chrony", Extra: "NTPv4, stratum 2, refid 198.18.0.1"}},
		{"snmp", udpServer(t, udptest.SNMP(t)), fingerprint.Service{Name: "snmp", Product: "Net-SNMP", Version: "5.9.3", Hostname: "pwg-h1", OS: "Linux"}},
		{"netbios-ns", udpServer(t, udptest.NetBIOS(t)), fingerprint.Service{Name: "netbios-ns", Product: "Samba nmbd", Hostname: "PWG-H1", Extra: "workgroup: WORKGROUP"}},
		{"upnp", udpServer(t, udptest.SSDP(t)), fingerprint.Service{Name: "upnp", Product: "MiniUPnPd", Version: "2.3.3", OS: "Debian"}},
		{"mdns", udpServer(t, udptest.MDNS(t)), fingerprint.Service{Name: "mdns", Extra: "services: _ssh._tcp, _http._tcp"}},
		{"isakmp", udpServer(t, udptest.IKE(t)), fingerprint.Service{Name: "isakmp", Extra: "IKEv2, notify NO_PROPOSAL_CHOSEN"}},
		{"openvpn", udpServer(t, udptest.OpenVPN(t)), fingerprint.Service{Name: "openvpn", Product: "OpenVPN"}},
		{"memcached", udpServer(t, udptest.Memcached(t)), fingerprint.Service{Name: "memcached", Product: "memcached", Version: "1.6.18"}},
		{"sip", udpServer(t, udptest.SIP(t)), fingerprint.Service{Name: "sip", Product: "Asterisk PBX", Version: "20.5.0", Extra: "200 OK"}},
		{"tftp", tftpServer(t), fingerprint.Service{Name: "tftp", Extra: "error: File not found"}},
		{"rpcbind", udpServer(t, udptest.RPC(t)), fingerprint.Service{Name: "rpcbind", Extra: "RPC #100000"}},
		{"ldap", udpServer(t, udptest.CLDAP(t)), fingerprint.Service{Name: "ldap", Product: "Samba Team (https://www.samba.org)", Version: "4.17.12-Debian", Hostname: "dc1.pwg.test"}},
		{"stun", udpServer(t, udptest.STUN(t)), fingerprint.Service{Name: "stun", Product: "Coturn", Version: "4.6.1"}},
	}
	m := map[string]uint16{}
	var ports []uint16
	for _, c := range cases {
		m[c.service] = c.port
		ports = append(ports, c.port)
	}
	s := &Scanner{Timing: fastTiming(), ServiceDetection: true, Payloads: remap(t, m)}
	res, services := runScan(t, s, scan.Job{Targets: scan.AddrList{loopback}, Ports: ports, Seed: 3})
	got := byPort(res)
	for _, c := range cases {
		t.Run(c.service, func(t *testing.T) {
			if r := got[c.port]; r.State != scan.Open || r.Reason != scan.ReasonUDPResponse {
				t.Fatalf("port %d: %s/%s, want open/udp-response", c.port, r.State, r.Reason)
			}
			ev, ok := services[netip.AddrPortFrom(loopback, c.port)]
			if !ok || ev.Service == nil {
				t.Fatalf("no service for port %d", c.port)
			}
			checkService(t, *ev.Service, c.want)
		})
	}
}

// checkService compares the fields want sets.
func checkService(t *testing.T, got, want fingerprint.Service) {
	t.Helper()
	for _, f := range []struct{ name, got, want string }{
		{"name", got.Name, want.Name}, {"product", got.Product, want.Product}, {"version", got.Version, want.Version},
		{"hostname", got.Hostname, want.Hostname}, {"os", got.OS, want.OS}, {"extra", got.Extra, want.Extra},
	} {
		if f.want != "" && f.got != f.want {
			t.Errorf("%s = %q, want %q (service %+v)", f.name, f.got, f.want, got)
		}
	}
	if got.Method != fingerprint.MethodProbe || got.Confidence < fingerprint.ConfidenceLikely {
		t.Errorf("method %s confidence %d, want probe and at least %d", got.Method, got.Confidence, fingerprint.ConfidenceLikely)
	}
}

// TestNTPControlBeforeClient: an ntpd that answers READVAR is identified
// by product and version from that first answer.
func TestNTPControlBeforeClient(t *testing.T) {
	port := udpServer(t, udptest.NTP(t, true))
	s := &Scanner{Timing: fastTiming(), ServiceDetection: true, Payloads: remap(t, map[string]uint16{"ntp": port})}
	res, services := runScan(t, s, scan.Job{Targets: scan.AddrList{loopback}, Ports: []uint16{port}, Seed: 4})
	if len(res) != 1 || res[0].State != scan.Open {
		t.Fatalf("results %+v, want one open port", res)
	}
	ev, ok := services[netip.AddrPortFrom(loopback, port)]
	if !ok {
		t.Fatal("no service")
	}
	checkService(t, *ev.Service, fingerprint.Service{Name: "ntp", Product: "ntpd", Version: "4.2.8p15", OS: "Linux"})
}
