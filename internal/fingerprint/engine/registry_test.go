package engine

import (
	"bufio"
	"context"
	"crypto/tls"
	"encoding/binary"
	"fmt"
	"io"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/portwatch/portwatch/internal/fingerprint"
	"github.com/portwatch/portwatch/internal/fingerprint/registry"
)

// registryCase is one loopback service for the real fingerprinters.
type registryCase struct {
	proto string // fingerprinter that must exist for the case to run
	port  uint16 // the service's usual port (reached through a redirecting dialer)
	want  string // expected Service.Name, at the usual port and at an odd one
	tls   string // "", "implicit" or "starttls": what Service.TLS must say
	start func(t *testing.T) netip.AddrPort
}

// TestRegistryDefault runs the engine with the real fingerprinters of
// registry.Default() against loopback services (canned conversations, and
// real daemons where installed), each at its usual port and at an odd one.
// It skips while the registry is empty; cases whose protocol has no
// fingerprinter yet are skipped too.
func TestRegistryDefault(t *testing.T) {
	fps := registry.Default()
	if len(fps) == 0 {
		t.Skip("registry.Default() is empty")
	}
	have := map[string]bool{}
	for _, fp := range fps {
		have[fp.Name()] = true
	}
	cert := testCert(t, "svc.portwatch.test")
	tlsCfg := &tls.Config{Certificates: []tls.Certificate{cert}}
	cases := []registryCase{
		{"ssh", 22, "ssh", "", func(t *testing.T) netip.AddrPort {
			return serve(t, greetThenDrain("SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\r\n"))
		}},
		{"ftp", 21, "ftp", "", func(t *testing.T) netip.AddrPort { return serve(t, ftpServer()) }},
		{"smtp", 25, "smtp", "starttls", func(t *testing.T) netip.AddrPort { return serve(t, smtpServer(&cert)) }},
		{"smtp", 465, "smtps", "implicit", func(t *testing.T) netip.AddrPort { return serveTLS(t, tlsCfg, smtpServer(nil)) }},
		{"pop3", 110, "pop3", "starttls", func(t *testing.T) netip.AddrPort { return serve(t, pop3Server(tlsCfg)) }},
		{"pop3", 995, "pop3s", "implicit", func(t *testing.T) netip.AddrPort { return serveTLS(t, tlsCfg, pop3Server(nil)) }},
		{"imap", 143, "imap", "starttls", func(t *testing.T) netip.AddrPort { return serve(t, imapServer(tlsCfg)) }},
		{"imap", 993, "imaps", "implicit", func(t *testing.T) netip.AddrPort { return serveTLS(t, tlsCfg, imapServer(nil)) }},
		{"http", 80, "http", "", func(t *testing.T) netip.AddrPort { return newHTTP(t, nil) }},
		{"http", 443, "https", "implicit", func(t *testing.T) netip.AddrPort { return newHTTP(t, tlsCfg.Clone()) }},
		{"mysql", 3306, "mysql", "", func(t *testing.T) netip.AddrPort { return serve(t, mysqlServer()) }},
		{"redis", 6379, "redis", "", startRedis},
		{"memcached", 11211, "memcached", "", startMemcached},
		{"http", 8080, "http", "", startNginx(false)},
		{"http", 8443, "https", "implicit", startNginx(true)},
	}
	var noCPE []string
	for _, c := range cases {
		t.Run(fmt.Sprintf("%s-%d", c.want, c.port), func(t *testing.T) {
			if !have[c.proto] {
				t.Skipf("no %s fingerprinter registered", c.proto)
			}
			ap := c.start(t)
			usual, r := at(c.port, ap)
			for _, tgt := range []Target{usual, {Addr: ap}} {
				e := New(Options{Dial: r.dial, Fingerprinters: fps})
				if tgt.Addr == ap {
					e = New(Options{Fingerprinters: fps})
				}
				start := time.Now()
				svc := e.Identify(context.Background(), tgt)
				took := time.Since(start)
				t.Logf("port %d: %s %q %q method=%s conf=%d tls=%v cpe=%v in %v", tgt.Addr.Port(), svc.Name,
					svc.Product, svc.Version, svc.Method, svc.Confidence, svc.TLS != nil, svc.CPE, took.Round(time.Millisecond))
				if svc.Name != c.want {
					t.Errorf("port %d: name %q, want %q (%+v)", tgt.Addr.Port(), svc.Name, c.want, svc)
				}
				checkTLS(t, svc, c.tls)
				if svc.Product != "" && svc.Version != "" && len(svc.CPE) == 0 {
					noCPE = append(noCPE, fmt.Sprintf("%s %s %s", svc.Name, svc.Product, svc.Version))
				}
			}
		})
	}
	for _, s := range noCPE {
		t.Logf("product and version without CPE: %s", s)
	}
}

func checkTLS(t *testing.T, svc fingerprint.Service, want string) {
	t.Helper()
	switch {
	case want == "" && svc.TLS != nil:
		t.Errorf("unexpected TLS facts %+v", *svc.TLS)
	case want != "" && svc.TLS == nil:
		t.Errorf("no TLS facts, want %s", want)
	case want != "" && svc.TLS.StartTLS != (want == "starttls"):
		t.Errorf("TLS.StartTLS = %v, want %s", svc.TLS.StartTLS, want)
	case want != "" && svc.TLS.Subject != "CN=svc.portwatch.test":
		t.Errorf("TLS subject %q", svc.TLS.Subject)
	}
}

func greetThenDrain(greeting string) func(net.Conn) {
	return func(c net.Conn) {
		if _, err := c.Write([]byte(greeting)); err == nil {
			_, _ = io.Copy(io.Discard, c)
		}
	}
}

// ftpServer answers like vsftpd without TLS.
func ftpServer() func(net.Conn) {
	return lines("220 (vsFTPd 3.0.3)\r\n", func(l string) string {
		cmd, _, _ := strings.Cut(strings.ToUpper(l), " ")
		switch cmd {
		case "USER":
			return "331 Please specify the password.\r\n"
		case "SYST":
			return "215 UNIX Type: L8\r\n"
		case "FEAT":
			return "211-Features:\r\n EPRT\r\n EPSV\r\n PASV\r\n UTF8\r\n211 End\r\n"
		case "QUIT":
			return "221 Goodbye.\r\n"
		}
		return "530 Please login with USER and PASS.\r\n"
	})
}

// upgradeAfter serves a line protocol and, when reply asks for it, a TLS
// handshake followed by the same protocol inside TLS.
func upgradeAfter(cfg *tls.Config, greeting string, reply func(l string, inTLS bool) (out string, upgrade bool)) func(net.Conn) {
	var run func(c net.Conn, inTLS bool)
	run = func(c net.Conn, inTLS bool) {
		if greeting != "" && !inTLS {
			if _, err := c.Write([]byte(greeting)); err != nil {
				return
			}
		}
		rd := bufio.NewReader(c)
		for {
			l, err := rd.ReadString('\n')
			if err != nil {
				return
			}
			out, upgrade := reply(strings.TrimRight(l, "\r\n"), inTLS)
			if _, err := c.Write([]byte(out)); err != nil || out == "" {
				return
			}
			if upgrade && cfg != nil && !inTLS {
				tc := tls.Server(c, cfg)
				if tc.Handshake() == nil {
					run(tc, true)
				}
				return
			}
		}
	}
	return func(c net.Conn) { run(c, false) }
}

// pop3Server answers like Dovecot; with cfg it offers STLS.
func pop3Server(cfg *tls.Config) func(net.Conn) {
	return upgradeAfter(cfg, "+OK Dovecot (Debian) ready.\r\n", func(l string, inTLS bool) (string, bool) {
		switch strings.ToUpper(l) {
		case "CAPA":
			stls := ""
			if cfg != nil && !inTLS {
				stls = "STLS\r\n"
			}
			return "+OK\r\nCAPA\r\nTOP\r\nUIDL\r\nRESP-CODES\r\nPIPELINING\r\nAUTH-RESP-CODE\r\n" + stls + "USER\r\nSASL PLAIN\r\n.\r\n", false
		case "STLS":
			return "+OK Begin TLS negotiation now.\r\n", true
		case "QUIT":
			return "+OK Logging out\r\n", false
		}
		return "-ERR Unknown command.\r\n", false
	})
}

// imapServer answers like Dovecot; with cfg it offers STARTTLS.
func imapServer(cfg *tls.Config) func(net.Conn) {
	caps := func(inTLS bool) string {
		c := "IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE LITERAL+"
		if cfg != nil && !inTLS {
			c += " STARTTLS"
		}
		return c + " AUTH=PLAIN"
	}
	greeting := "* OK [CAPABILITY " + caps(false) + "] Dovecot (Debian) ready.\r\n"
	if cfg == nil {
		greeting = "* OK [CAPABILITY " + caps(true) + "] Dovecot (Debian) ready.\r\n"
	}
	return upgradeAfter(cfg, greeting, func(l string, inTLS bool) (string, bool) {
		tag, cmd, _ := strings.Cut(l, " ")
		switch strings.ToUpper(cmd) {
		case "CAPABILITY":
			return "* CAPABILITY " + caps(inTLS) + "\r\n" + tag + " OK Pre-login capabilities listed, post-login capabilities have more.\r\n", false
		case "STARTTLS":
			return tag + " OK Begin TLS negotiation now.\r\n", true
		case "LOGOUT":
			return "* BYE Logging out\r\n" + tag + " OK Logout completed.\r\n", false
		}
		return tag + " BAD Error in IMAP command received by server.\r\n", false
	})
}

// mysqlServer sends a MariaDB protocol-10 greeting and waits.
func mysqlServer() func(net.Conn) {
	var p []byte
	p = append(p, 10)
	p = append(p, "5.5.5-10.11.6-MariaDB-0+deb12u1\x00"...)
	p = binary.LittleEndian.AppendUint32(p, 42)
	p = append(p, "abcdefgh\x00"...)
	p = binary.LittleEndian.AppendUint16(p, 0xf7fe)
	p = append(p, 45)
	p = binary.LittleEndian.AppendUint16(p, 2)
	p = binary.LittleEndian.AppendUint16(p, 0x81ff)
	p = append(p, 21)
	p = append(p, make([]byte, 10)...)
	p = append(p, "ijklmnopqrst\x00"...)
	p = append(p, "mysql_native_password\x00"...)
	hdr := []byte{byte(len(p)), byte(len(p) >> 8), byte(len(p) >> 16), 0}
	return greetThenDrain(string(append(hdr, p...)))
}

// startDaemon runs a real daemon from a Debian package on a loopback port,
// or skips when it is not installed.
func startDaemon(t *testing.T, bin string, args func(port int, dir string) []string) netip.AddrPort {
	t.Helper()
	if testing.Short() {
		t.Skip("-short: no daemons")
	}
	path, err := exec.LookPath(bin)
	if err != nil {
		if p := filepath.Join("/usr/sbin", bin); fileExists(p) {
			path = p
		} else {
			t.Skipf("%s not installed", bin)
		}
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	dir := t.TempDir()
	cmd := exec.Command(path, args(port, dir)...)
	logf, err := os.Create(filepath.Join(dir, "daemon.log"))
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", bin, err)
	}
	t.Cleanup(func() {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		_ = cmd.Wait()
		logf.Close()
	})
	ap := netip.AddrPortFrom(netip.MustParseAddr("127.0.0.1"), uint16(port))
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if c, err := net.DialTimeout("tcp", ap.String(), time.Second); err == nil {
			c.Close()
			return ap
		}
	}
	log, _ := os.ReadFile(filepath.Join(dir, "daemon.log"))
	t.Fatalf("%s did not listen on %s: %s", bin, ap, log)
	return ap
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

func startRedis(t *testing.T) netip.AddrPort {
	return startDaemon(t, "redis-server", func(port int, dir string) []string {
		return []string{"--port", fmt.Sprint(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
			"--dir", dir, "--daemonize", "no"}
	})
}

func startMemcached(t *testing.T) netip.AddrPort {
	return startDaemon(t, "memcached", func(port int, _ string) []string {
		return []string{"-l", "127.0.0.1", "-p", fmt.Sprint(port), "-U", "0", "-u", "nobody"}
	})
}

// startNginx runs nginx (plain or TLS) in the foreground with a
// configuration of its own.
func startNginx(withTLS bool) func(t *testing.T) netip.AddrPort {
	return func(t *testing.T) netip.AddrPort {
		return startDaemon(t, "nginx", func(port int, dir string) []string {
			listen := fmt.Sprintf("listen 127.0.0.1:%d;", port)
			if withTLS {
				crt, key := writeCertFiles(t, dir)
				listen = fmt.Sprintf("listen 127.0.0.1:%d ssl; ssl_certificate %s; ssl_certificate_key %s;", port, crt, key)
			}
			conf := fmt.Sprintf(`daemon off; master_process off; pid %[1]s/nginx.pid; error_log %[1]s/error.log;
events {}
http { access_log off; client_body_temp_path %[1]s; proxy_temp_path %[1]s; fastcgi_temp_path %[1]s;
  uwsgi_temp_path %[1]s; scgi_temp_path %[1]s;
  server { %[2]s root %[1]s; } }
`, dir, listen)
			p := filepath.Join(dir, "nginx.conf")
			if err := os.WriteFile(p, []byte(conf), 0o600); err != nil {
				t.Fatal(err)
			}
			return []string{"-c", p, "-e", filepath.Join(dir, "error.log")}
		})
	}
}
