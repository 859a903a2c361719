package textproto

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"testing"

	"github.com/portwatch/portwatch/internal/fingerprint"
)

// ldapEntry builds a SearchResultEntry message for the root DSE.
func ldapEntry(id byte, attrs map[string][]string, order []string) []byte {
	var list []byte
	for _, k := range order {
		var vals []byte
		for _, v := range attrs[k] {
			vals = append(vals, der(0x04, []byte(v))...)
		}
		list = append(list, der(0x30, append(der(0x04, []byte(k)), der(0x31, vals)...))...)
	}
	entry := der(ldapSearchEntry, append(der(0x04, nil), der(0x30, list)...))
	return der(0x30, append(der(0x02, []byte{id}), entry...))
}

// ldapDone builds a SearchResultDone message with a result code.
func ldapDone(id, code byte) []byte {
	done := der(ldapSearchDone, append(append(der(0x0a, []byte{code}), der(0x04, nil)...), der(0x04, nil)...))
	return der(0x30, append(der(0x02, []byte{id}), done...))
}

// TestLDAPActiveDirectory: a root DSE as a Windows domain controller
// answers it, built from [MS-ADTS] 3.1.1.3.2 (no AD here).
func TestLDAPActiveDirectory(t *testing.T) {
	attrs := map[string][]string{
		"supportedCapabilities": {"1.2.840.113556.1.4.800", "1.2.840.113556.1.4.1670"},
		"defaultNamingContext":  {"DC=corp,DC=example"},
		"dnsHostName":           {"dc01.corp.example"},
		"supportedLDAPVersion":  {"3", "2"},
	}
	answer := string(ldapEntry(1, attrs, []string{"supportedCapabilities", "defaultNamingContext", "dnsHostName", "supportedLDAPVersion"})) + string(ldapDone(1, 0))
	svc, err := probe(t, &LDAP{}, canned(t, "", answer), nil)
	if err != nil {
		t.Fatal(err)
	}
	checkService(t, svc, fingerprint.Service{Name: "ldap", Product: "Microsoft Windows Active Directory LDAP", OS: "Windows",
		Hostname: "dc01.corp.example", Extra: "Domain: corp.example; LDAP versions 3, 2",
		CPE: []string{"cpe:2.3:o:microsoft:windows:*:*:*:*:*:*:*:*"}, Confidence: 10, Method: fingerprint.MethodProbe})
}

func TestLDAPVendor(t *testing.T) {
	attrs := map[string][]string{"vendorName": {"389 Project"}, "vendorVersion": {"389-Directory/2.3.1 B2023.010.0000"}}
	answer := string(ldapEntry(1, attrs, []string{"vendorName", "vendorVersion"})) + string(ldapDone(1, 0))
	svc, err := probe(t, &LDAP{}, canned(t, "", answer), nil)
	if err != nil {
		t.Fatal(err)
	}
	checkService(t, svc, fingerprint.Service{Name: "ldap", Product: "389 Directory Server", Version: "2.3.1",
		CPE: []string{"cpe:2.3:a:fedoraproject:389_directory_server:2.3.1:*:*:*:*:*:*:*"}, Confidence: 10, Method: fingerprint.MethodProbe})

	// Anonymous reads refused: still LDAP.
	svc, err = probe(t, &LDAP{}, canned(t, "", string(ldapDone(1, 50))), nil)
	if err != nil {
		t.Fatal(err)
	}
	checkService(t, svc, fingerprint.Service{Name: "ldap", Confidence: 7, Method: fingerprint.MethodProbe})
}

func TestLDAPTranscript(t *testing.T) {
	addr := replay(t, loadTranscript(t, "ldap-openldap-2.5.13-debian12.txt"))
	svc, err := probe(t, &LDAP{}, addr, nil)
	if err != nil {
		t.Fatal(err)
	}
	if svc.Product != "OpenLDAP" || svc.Extra != "LDAP versions 3" {
		t.Errorf("got %+v", svc)
	}
}

func TestLDAPNegative(t *testing.T) {
	t.Parallel()
	if _, ok := (&LDAP{}).MatchBanner([]byte("0\x0c")); ok {
		t.Error("banner matched")
	}
	wantNoMatch(t, &LDAP{}, httpServer(t), true)
	wantNoMatch(t, &LDAP{}, canned(t, "SSH-2.0-OpenSSH_9.2p1\r\n"), true)
	wantNoMatch(t, &LDAP{}, silentServer(t), false)
	// A BER sequence that is not an LDAP message.
	wantNoMatch(t, &LDAP{}, canned(t, "", "\x30\x03\x04\x01x"), true)
}

// TestLDAPLive runs Debian's slapd on a random loopback port with no
// database, only the root DSE, and TLS for StartTLS.
func TestLDAPLive(t *testing.T) {
	const bin = "/usr/sbin/slapd"
	if _, err := os.Stat(bin); err != nil {
		t.Skip("slapd not installed: apt-get install slapd")
	}
	dir := worldDir(t)
	cert, key := selfSigned(t, dir)
	for _, f := range []string{cert, key} {
		if err := os.Chmod(f, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	conf := fmt.Sprintf("include /etc/ldap/schema/core.schema\npidfile %[1]s/slapd.pid\nargsfile %[1]s/slapd.args\nTLSCertificateFile %[2]s\nTLSCertificateKeyFile %[3]s\n", dir, cert, key)
	cfg := filepath.Join(dir, "slapd.conf")
	if err := os.WriteFile(cfg, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	port := freePort(t)
	addr := netipLoopback(port)
	daemon(t, bin, "-d", "0", "-h", "ldap://"+net.JoinHostPort("127.0.0.1", fmt.Sprint(port))+"/", "-f", cfg)
	waitListening(t, addr)
	svc := liveProbe(t, &LDAP{}, addr, "ldap-openldap-2.5.13-debian12.txt",
		"Debian 12 slapd "+debVersion("slapd")+", slapd -d 0 -f <own config, no database> on 127.0.0.1, captured by TestLDAPLive -update")
	if svc.Product != "OpenLDAP" || svc.Method != fingerprint.MethodProbe {
		t.Errorf("got %+v", svc)
	}
	liveStartTLS(t, &LDAP{}, addr)
}
