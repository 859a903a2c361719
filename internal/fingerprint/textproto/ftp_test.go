package textproto

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/portwatch/portwatch/internal/fingerprint"
)

func TestFTPMatchBanner(t *testing.T) {
	for _, c := range []struct {
		banner string
		want   fingerprint.Service
	}{
		{"220 (vsFTPd 3.0.3)\r\n", fingerprint.Service{Name: "ftp", Product: "vsftpd", Version: "3.0.3",
			CPE: []string{"cpe:2.3:a:beasts:vsftpd:3.0.3:*:*:*:*:*:*:*"}, Confidence: 10, Method: fingerprint.MethodBanner}},
		{"220 ProFTPD 1.3.8 Server (Debian) [::ffff:127.0.0.1]\r\n", fingerprint.Service{Name: "ftp", Product: "ProFTPD", Version: "1.3.8",
			Distro: &fingerprint.Distro{Name: "debian"},
			CPE:    []string{"cpe:2.3:a:proftpd:proftpd:1.3.8:*:*:*:*:*:*:*"}, Confidence: 10, Method: fingerprint.MethodBanner}},
		{"220 ProFTPD Server (ProFTPD Default Installation) [10.0.0.1]\r\n", fingerprint.Service{Name: "ftp", Product: "ProFTPD",
			CPE: []string{"cpe:2.3:a:proftpd:proftpd:*:*:*:*:*:*:*:*"}, Confidence: 10, Method: fingerprint.MethodBanner}},
		{"220---------- Welcome to Pure-FTPd [privsep] [TLS] ----------\r\n220-You are user number 1 of 50 allowed.\r\n220 This is a private system - No anonymous login\r\n",
			fingerprint.Service{Name: "ftp", Product: "Pure-FTPd",
				CPE: []string{"cpe:2.3:a:pureftpd:pure-ftpd:*:*:*:*:*:*:*:*"}, Confidence: 10, Method: fingerprint.MethodBanner}},
		{"220-FileZilla Server 1.8.0\r\n220 Please visit https://filezilla-project.org/\r\n", fingerprint.Service{Name: "ftp", Product: "FileZilla ftpd", Version: "1.8.0",
			CPE: []string{"cpe:2.3:a:filezilla-project:filezilla_server:1.8.0:*:*:*:*:*:*:*"}, Confidence: 10, Method: fingerprint.MethodBanner}},
		{"220-FileZilla Server version 0.9.60 beta\r\n220 hello\r\n", fingerprint.Service{Name: "ftp", Product: "FileZilla ftpd", Version: "0.9.60",
			CPE: []string{"cpe:2.3:a:filezilla-project:filezilla_server:0.9.60:*:*:*:*:*:*:*"}, Confidence: 10, Method: fingerprint.MethodBanner}},
		{"220 Microsoft FTP Service\r\n", fingerprint.Service{Name: "ftp", Product: "Microsoft ftpd", OS: "Windows",
			CPE: []string{"cpe:2.3:o:microsoft:windows:*:*:*:*:*:*:*:*"}, Confidence: 10, Method: fingerprint.MethodBanner}},
		{"220 files.example.org FTP server ready.\r\n", fingerprint.Service{Name: "ftp", Confidence: 7, Method: fingerprint.MethodBanner}},
	} {
		got, ok := (&FTP{}).MatchBanner([]byte(c.banner))
		if !ok {
			t.Errorf("%q: no match", c.banner)
			continue
		}
		c.want.Banner = fingerprint.EscapeBanner([]byte(c.banner))
		checkService(t, got, c.want)
	}
	for _, b := range []string{"", "220 ready\r\n", "220 mx.example.org ESMTP Postfix (Debian/GNU)\r\n",
		"SSH-2.0-OpenSSH_9.2p1\r\n", "421 Too many connections\r\n", "HTTP/1.0 200 OK\r\n"} {
		if svc, ok := (&FTP{}).MatchBanner([]byte(b)); ok {
			t.Errorf("%q matched: %+v", b, svc)
		}
	}
}

func TestFTPTranscript(t *testing.T) {
	addr := replay(t, loadTranscript(t, "ftp-vsftpd-3.0.3-debian12.txt"))
	svc, err := probe(t, &FTP{}, addr, nil)
	if err != nil {
		t.Fatal(err)
	}
	if svc.Product != "vsftpd" || svc.Version != "3.0.3" || svc.Method != fingerprint.MethodBanner {
		t.Errorf("got %+v", svc)
	}
}

// TestFTPSyst: a greeting that names nothing is confirmed by SYST.
func TestFTPSyst(t *testing.T) {
	addr := canned(t, "220 Service ready\r\n", "215 UNIX Type: L8\r\n")
	svc, err := probe(t, &FTP{}, addr, nil)
	if err != nil {
		t.Fatal(err)
	}
	checkService(t, svc, fingerprint.Service{Name: "ftp", Confidence: 7, Method: fingerprint.MethodProbe})
	// The same greeting from a mail server is not FTP.
	wantNoMatch(t, &FTP{}, canned(t, "220 Service ready\r\n", "502 5.5.2 Error: command not recognized\r\n"), true)
}

// TestFTPGreetingHandedOver covers the engine having read the greeting on
// this connection already, and having read it on an earlier one.
func TestFTPGreetingHandedOver(t *testing.T) {
	const greet = "220 Service ready\r\n"
	addr := canned(t, greet, "215 UNIX Type: L8\r\n")
	s := session(t, addr, nil)
	buf := make([]byte, len(greet))
	if _, err := s.Conn.Read(buf); err != nil {
		t.Fatal(err)
	}
	s.Banner = buf
	ctx, cancel := contextWithTimeout()
	defer cancel()
	if svc, err := (&FTP{}).Probe(ctx, s); err != nil || svc.Method != fingerprint.MethodProbe {
		t.Errorf("greeting consumed: %+v %v", svc, err)
	}
	if svc, err := probe(t, &FTP{}, addr, []byte(greet)); err != nil || svc.Method != fingerprint.MethodProbe {
		t.Errorf("greeting pending: %+v %v", svc, err)
	}
}

func TestFTPNegative(t *testing.T) {
	t.Parallel()
	wantNoMatch(t, &FTP{}, httpServer(t), false)
	wantNoMatch(t, &FTP{}, canned(t, "SSH-2.0-OpenSSH_9.2p1\r\n"), true)
	wantNoMatch(t, &FTP{}, silentServer(t), false)
	wantNoMatch(t, &FTP{}, canned(t, "220 mx ESMTP Exim 4.96\r\n"), true)
}

func TestFTPStartTLSRefused(t *testing.T) {
	addr := canned(t, "220 (vsFTPd 3.0.3)\r\n", "530 Please login with USER and PASS.\r\n")
	ctx, cancel := contextWithTimeout()
	defer cancel()
	if err := (&FTP{}).StartTLS(ctx, session(t, addr, nil)); err == nil {
		t.Error("StartTLS succeeded against a refusal")
	}
}

// TestFTPLive runs Debian's vsftpd on a random loopback port with TLS.
func TestFTPLive(t *testing.T) {
	const bin = "/usr/sbin/vsftpd"
	if _, err := os.Stat(bin); err != nil {
		t.Skip("vsftpd not installed: apt-get install vsftpd")
	}
	dir := t.TempDir()
	empty := filepath.Join(dir, "empty")
	if err := os.Mkdir(empty, 0o755); err != nil {
		t.Fatal(err)
	}
	cert, key := selfSigned(t, dir)
	port := freePort(t)
	conf := fmt.Sprintf(`listen=YES
listen_ipv6=NO
listen_address=127.0.0.1
listen_port=%d
background=NO
anonymous_enable=NO
local_enable=YES
pam_service_name=vsftpd
seccomp_sandbox=NO
secure_chroot_dir=%s
xferlog_enable=NO
ssl_enable=YES
rsa_cert_file=%s
rsa_private_key_file=%s
`, port, empty, cert, key)
	cfg := filepath.Join(dir, "vsftpd.conf")
	if err := os.WriteFile(cfg, []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	daemon(t, bin, cfg)
	addr := netipLoopback(port)
	waitListening(t, addr)
	svc := liveProbe(t, &FTP{}, addr, "ftp-vsftpd-3.0.3-debian12.txt",
		"Debian 12 vsftpd "+debVersion("vsftpd")+" on 127.0.0.1, captured by TestFTPLive -update")
	if svc.Product != "vsftpd" || svc.Version == "" || svc.Method != fingerprint.MethodBanner {
		t.Errorf("got %+v", svc)
	}
	liveStartTLS(t, &FTP{}, addr)
}
