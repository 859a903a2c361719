package receivers

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// SMTP is a running exim receiver on loopback. It accepts any recipient
// except the local parts "bad" (550, permanent) and "later" (451,
// temporary), and delivers every message into a maildir.
type SMTP struct {
	// StartTLSPort offers STARTTLS; after it, AUTH PLAIN and LOGIN.
	StartTLSPort int
	// TLSPort is implicit TLS (SMTPS); it offers AUTH LOGIN only.
	TLSPort int
	// PlainPort offers neither STARTTLS nor AUTH.
	PlainPort int
	// CA is the PEM file of the certificate both TLS ports present.
	CA string
	// User and Password are the one account AUTH accepts.
	User, Password string
	// Maildir is where messages are delivered (new/ holds them).
	Maildir string
	dir     string
}

// eximConfig is a minimal exim configuration: three loopback ports, one
// TLS certificate, a fixed account, one router delivering to a maildir.
const eximConfig = `spool_directory = {{dir}}/spool
log_file_path = {{dir}}/%slog
pid_file_path = {{dir}}/exim.pid
primary_hostname = receiver.test
exim_user = {{user}}
exim_group = {{group}}
daemon_smtp_ports = {{starttls}} : {{tls}} : {{plain}}
local_interfaces = <; 127.0.0.1.{{starttls}} ; 127.0.0.1.{{tls}} ; 127.0.0.1.{{plain}}
tls_on_connect_ports = {{tls}}
tls_advertise_hosts = ${if ={$received_port}{{{plain}}}{}{*}}
tls_certificate = {{cert}}
tls_privatekey = {{key}}
host_lookup =
rfc1413_hosts =
acl_smtp_rcpt = acl_rcpt
acl_smtp_data = accept

begin acl
acl_rcpt:
  deny    local_parts = bad
          message = no such user
  defer   local_parts = later
          message = try again later
  accept

begin routers
all:
  driver = accept
  transport = maildir

begin transports
maildir:
  driver = appendfile
  directory = {{dir}}/maildir
  maildir_format
  user = {{user}}
  envelope_to_add = false
  return_path_add = false
  delivery_date_add = false

begin authenticators
plain:
  driver = plaintext
  public_name = PLAIN
  server_advertise_condition = ${if and {{def:tls_in_cipher}{!={$received_port}{{{tls}}}}}}
  server_prompts = :
  server_condition = ${if and {{eq{$auth2}{{{login}}}}{eq{$auth3}{{{password}}}}}}
  server_set_id = $auth2
login:
  driver = plaintext
  public_name = LOGIN
  server_advertise_condition = ${if def:tls_in_cipher}
  server_prompts = Username:: : Password::
  server_condition = ${if and {{eq{$auth1}{{{login}}}}{eq{$auth2}{{{password}}}}}}
  server_set_id = $auth1
`

// StartExim runs Debian's exim4 as a foreground daemon (-bdf) with its
// own configuration (-C) in a temporary directory. It skips the test when
// exim is not installed or the test does not run as root.
func StartExim(t testing.TB) *SMTP {
	t.Helper()
	bin, ok := lookBinary("exim4", "exim")
	if !ok {
		t.Skip("exim4 not installed (Debian package exim4-daemon-light): no real SMTP receiver")
	}
	if os.Geteuid() != 0 {
		t.Skip("the exim receiver needs root: exim delivers into the maildir as its own user (Debian-exim)")
	}
	var uname string
	for _, n := range []string{"Debian-exim", "exim", "mail"} {
		if _, err := user.Lookup(n); err == nil {
			uname = n
			break
		}
	}
	if uname == "" {
		t.Skip("no exim system user (Debian-exim) for deliveries")
	}
	u, _ := user.Lookup(uname)
	g, err := user.LookupGroupId(u.Gid)
	if err != nil {
		t.Fatalf("group of %s: %v", uname, err)
	}
	dir := openTempDir(t)
	for _, d := range []string{"spool", "maildir"} {
		if err := os.Mkdir(filepath.Join(dir, d), 0o777); err != nil {
			t.Fatal(err)
		}
		os.Chmod(filepath.Join(dir, d), 0o777)
	}
	cert := NewCert(t, dir, "smtp")
	ports := FreePorts(t, "tcp", 3)
	s := &SMTP{StartTLSPort: ports[0], TLSPort: ports[1], PlainPort: ports[2], CA: cert.CertFile,
		User: "alice", Password: "s3cret pass", Maildir: filepath.Join(dir, "maildir"), dir: dir}
	conf := strings.NewReplacer(
		"{{dir}}", dir, "{{user}}", uname, "{{group}}", g.Name,
		"{{starttls}}", fmt.Sprint(s.StartTLSPort), "{{tls}}", fmt.Sprint(s.TLSPort), "{{plain}}", fmt.Sprint(s.PlainPort),
		"{{cert}}", cert.CertFile, "{{key}}", cert.KeyFile, "{{login}}", s.User, "{{password}}", s.Password,
	).Replace(eximConfig)
	confPath := filepath.Join(dir, "exim.conf")
	if err := os.WriteFile(confPath, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	var out output
	cmd := exec.Command(bin, "-C", confPath, "-bdf", "-odi")
	cmd.Stdout, cmd.Stderr = &out, &out
	exited := start(t, cmd)
	logs := func() string { return out.String() + s.log() }
	for _, p := range ports {
		waitTCP(t, p, exited, logs)
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("exim output and log:\n%s", logs())
		}
	})
	return s
}

// log returns exim's main and panic logs.
func (s *SMTP) log() string {
	m, _ := os.ReadFile(filepath.Join(s.dir, "mainlog"))
	p, _ := os.ReadFile(filepath.Join(s.dir, "paniclog"))
	return string(m) + string(p)
}

// WaitMessage waits for the delivered message containing marker (e.g. a
// Message-ID) and returns it as exim stored it (LF line endings, exim's
// Received header first).
func (s *SMTP) WaitMessage(t testing.TB, marker string) string {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		files, _ := filepath.Glob(filepath.Join(s.Maildir, "new", "*"))
		for _, f := range files {
			b, err := os.ReadFile(f)
			if err == nil && bytes.Contains(b, []byte(marker)) {
				return string(b)
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("no message with %q delivered within 15s; exim log:\n%s", marker, s.log())
	return ""
}

// Count returns how many messages were delivered.
func (s *SMTP) Count() int {
	files, _ := filepath.Glob(filepath.Join(s.Maildir, "new", "*"))
	return len(files)
}
