package textproto

import (
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"testing"
)

// startDovecot runs Debian's dovecot with IMAP and POP3 on random loopback
// ports, STARTTLS with a throwaway certificate, and no mail users.
func startDovecot(t *testing.T) (imap, pop3 netip.AddrPort) {
	t.Helper()
	const bin = "/usr/sbin/dovecot"
	if _, err := os.Stat(bin); err != nil {
		t.Skip("dovecot not installed: apt-get install dovecot-imapd dovecot-pop3d")
	}
	for _, f := range []string{"/usr/lib/dovecot/imap-login", "/usr/lib/dovecot/pop3-login"} {
		if _, err := os.Stat(f); err != nil {
			t.Skipf("%s missing: apt-get install dovecot-imapd dovecot-pop3d", f)
		}
	}
	dir := worldDir(t)
	cert, key := selfSigned(t, dir)
	imapPort, pop3Port := freePort(t), freePort(t)
	conf := fmt.Sprintf(`base_dir = %[1]s/run
state_dir = %[1]s/state
log_path = /dev/stderr
protocols = imap pop3
listen = 127.0.0.1
ssl = yes
ssl_cert = <%[2]s
ssl_key = <%[3]s
mail_location = maildir:%[1]s/mail/%%u
passdb {
  driver = static
  args = password=unused-%[4]d
}
userdb {
  driver = static
  args = uid=nobody gid=nogroup home=%[1]s/mail/%%u
}
service imap-login {
  chroot =
  inet_listener imap {
    port = %[4]d
  }
  inet_listener imaps {
    port = 0
  }
}
service pop3-login {
  chroot =
  inet_listener pop3 {
    port = %[5]d
  }
  inet_listener pop3s {
    port = 0
  }
}
service anvil {
  chroot =
}
`, dir, cert, key, imapPort, pop3Port)
	cfg := filepath.Join(dir, "dovecot.conf")
	if err := os.WriteFile(cfg, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	daemon(t, bin, "-F", "-c", cfg)
	imap, pop3 = netipLoopback(imapPort), netipLoopback(pop3Port)
	waitListening(t, imap)
	waitListening(t, pop3)
	return imap, pop3
}

// startExim runs Debian's exim4 daemon on a random loopback port with its
// own configuration, spool and logs, refusing every recipient.
func startExim(t *testing.T) netip.AddrPort {
	t.Helper()
	const bin = "/usr/sbin/exim4"
	if _, err := os.Stat(bin); err != nil {
		t.Skip("exim4 not installed: apt-get install exim4-daemon-light")
	}
	dir := worldDir(t)
	if err := os.Mkdir(filepath.Join(dir, "spool"), 0o777); err != nil {
		t.Fatal(err)
	}
	cert, key := selfSigned(t, dir)
	for _, f := range []string{cert, key} {
		if err := os.Chmod(f, 0o644); err != nil { // exim reads them as its own user
			t.Fatal(err)
		}
	}
	port := freePort(t)
	conf := fmt.Sprintf(`primary_hostname = mx.portwatch.test
local_interfaces = <; 127.0.0.1
daemon_smtp_ports = %[2]d
spool_directory = %[1]s/spool
log_file_path = %[1]s/%%slog
tls_advertise_hosts = *
tls_certificate = %[3]s
tls_privatekey = %[4]s
acl_smtp_rcpt = acl_check_rcpt
begin acl
acl_check_rcpt:
  deny
`, dir, port, cert, key)
	cfg := filepath.Join(dir, "exim.conf")
	if err := os.WriteFile(cfg, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	daemon(t, bin, "-bdf", "-C", cfg, "-oP", filepath.Join(dir, "exim.pid"))
	addr := netipLoopback(port)
	waitListening(t, addr)
	return addr
}

// worldDir is a temporary directory that daemons dropping to their own
// users can enter and write to.
func worldDir(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "portwatch-textproto-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o777); err != nil {
		t.Fatal(err)
	}
	return dir
}
