package dbproto

import (
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"regexp"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/portwatch/portwatch/internal/fingerprint"
)

func TestPostgreSQLTranscript(t *testing.T) {
	for _, c := range []struct {
		file string
		want fingerprint.Service
	}{
		{"postgresql-15.18-scram.transcript", fingerprint.Service{
			Name: "postgresql", Product: "PostgreSQL", Extra: "protocol 3.0; auth SCRAM-SHA-256",
			CPE:        []string{"cpe:2.3:a:postgresql:postgresql:*:*:*:*:*:*:*:*"},
			Confidence: fingerprint.ConfidenceCertain, Method: fingerprint.MethodProbe,
		}},
		{"postgresql-15.18-trust.transcript", fingerprint.Service{
			Name: "postgresql", Product: "PostgreSQL", Extra: "protocol 3.0; auth trust; role does not exist",
			Confidence: fingerprint.ConfidenceCertain,
		}},
		{"postgresql-15.18-no-hba.transcript", fingerprint.Service{
			Name: "postgresql", Product: "PostgreSQL", Extra: "protocol 3.0; no pg_hba.conf entry",
			Confidence: fingerprint.ConfidenceCertain,
		}},
	} {
		t.Run(c.file, func(t *testing.T) {
			got, err := probeAddr(t, &PostgreSQL{}, replay(t, loadTranscript(t, c.file)), probeTimeout)
			if err != nil {
				t.Fatal(err)
			}
			wantService(t, got, c.want)
		})
	}
}

func TestPostgreSQLStartupFacts(t *testing.T) {
	// After a password-less login the server states its version.
	st := pgStartup{protocol: "3.0", auth: "trust", authOK: true, version: "15.18 (Debian 15.18-0+deb12u1)"}
	got := st.service()
	if got.Version != "15.18" || got.Extra != "Debian 15.18-0+deb12u1; protocol 3.0; auth trust" {
		t.Errorf("got %q %q", got.Version, got.Extra)
	}
	if d := got.Distro; d == nil || *d != (fingerprint.Distro{Name: "debian", Release: "12", Revision: "0+deb12u1"}) {
		t.Errorf("distro %+v", d)
	}
	if got.CPE[0] != "cpe:2.3:a:postgresql:postgresql:15.18:*:*:*:*:*:*:*" {
		t.Errorf("cpe %q", got.CPE)
	}
	// A server older than NegotiateProtocolVersion rejects 3.2 and says
	// what it speaks.
	if p := pgProtocolFromError("unsupported frontend protocol 3.2: server supports 1.0 to 3.0", "3.2"); p != "3.0" {
		t.Errorf("protocol %q", p)
	}
	if m := pgStartupMessage(); int(m[3]) != len(m) || m[4] != 0 || m[5] != 3 || m[7] != 2 {
		t.Errorf("startup message % x", m)
	}
}

// pgCluster is a throw-away PostgreSQL cluster run as the postgres user.
type pgCluster struct {
	bin  string // directory of initdb and postgres
	dir  string
	cred *syscall.Credential
}

// newPGCluster runs initdb with the given host authentication method.
func newPGCluster(t *testing.T, authHost string) *pgCluster {
	t.Helper()
	initdb := needBinary(t, "initdb", "postgresql")
	pc := &pgCluster{bin: filepath.Dir(initdb), dir: t.TempDir()}
	if os.Geteuid() == 0 {
		// initdb and postgres refuse to run as root.
		u, err := user.Lookup("postgres")
		if err != nil {
			t.Skipf("running as root without a postgres user: %v", err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		pc.cred = &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}
		for _, d := range []string{filepath.Dir(pc.dir), pc.dir} {
			if err := os.Chown(d, uid, gid); err != nil {
				t.Fatal(err)
			}
		}
	}
	pw := filepath.Join(pc.dir, "pw")
	pc.write(t, pw, "secret-"+randomID(4))
	cmd := pc.command(filepath.Join(pc.bin, "initdb"), "--no-sync", "-D", filepath.Join(pc.dir, "data"), "-U", "postgres",
		"--pwfile="+pw, "--auth-local=trust", "--auth-host="+authHost)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("initdb: %v\n%s", err, out)
	}
	return pc
}

// command runs a cluster program as the cluster's owner.
func (pc *pgCluster) command(bin string, args ...string) *exec.Cmd {
	cmd := exec.Command(bin, args...)
	if pc.cred != nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: pc.cred}
	}
	return cmd
}

// write creates a file the cluster's owner can read.
func (pc *pgCluster) write(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	if pc.cred != nil {
		if err := os.Chown(path, int(pc.cred.Uid), int(pc.cred.Gid)); err != nil {
			t.Fatal(err)
		}
	}
}

// start runs postgres on a free loopback port with extra -c settings.
func (pc *pgCluster) start(t *testing.T, settings ...string) string {
	t.Helper()
	port := strconv.Itoa(freePort(t))
	args := []string{"-D", filepath.Join(pc.dir, "data"), "-p", port, "-k", pc.dir,
		"-c", "listen_addresses=127.0.0.1", "-c", "fsync=off", "-c", "shared_buffers=8MB"}
	for _, s := range settings {
		args = append(args, "-c", s)
	}
	daemon(t, pc.command(filepath.Join(pc.bin, "postgres"), args...), "127.0.0.1:"+port, 30e9)
	// Listening is not ready: until recovery ends the server answers
	// "the database system is starting up".
	ready := filepath.Join(pc.bin, "pg_isready")
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		if !fileExists(ready) || exec.Command(ready, "-q", "-h", "127.0.0.1", "-p", port).Run() == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("postgres not ready after 30 s")
		}
	}
	return "127.0.0.1:" + port
}

// postgresVersion asks the installed server for its version.
func postgresVersion(t *testing.T) string {
	out, err := exec.Command(filepath.Join(filepath.Dir(needBinary(t, "initdb", "postgresql")), "postgres"), "--version").Output()
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`\) ([0-9.]+)`).FindSubmatch(out)
	if m == nil {
		t.Fatalf("no version in %q", out)
	}
	return string(m[1])
}

func TestPostgreSQLLive(t *testing.T) {
	version := postgresVersion(t)
	note := packageVersion("postgresql-15") + " (Debian 12)"
	for _, c := range []struct {
		name, auth, file, extra string
		hba                     string
	}{
		{"scram", "scram-sha-256", "scram", "protocol 3.0; auth SCRAM-SHA-256", ""},
		{"trust", "trust", "trust", "protocol 3.0; auth trust; role does not exist", ""},
		{"no hba entry", "scram-sha-256", "no-hba", "protocol 3.0; no pg_hba.conf entry", "local all all trust\n"},
	} {
		t.Run(c.name, func(t *testing.T) {
			pc := newPGCluster(t, c.auth)
			if c.hba != "" {
				pc.write(t, filepath.Join(pc.dir, "data", "pg_hba.conf"), c.hba)
			}
			addr := liveAddr(t, pc.start(t), "postgresql-"+version+"-"+c.file+".transcript", note+", initdb --auth-host="+c.auth)
			got, err := probeAddr(t, &PostgreSQL{}, addr, probeTimeout)
			if err != nil {
				t.Fatal(err)
			}
			wantService(t, got, fingerprint.Service{Name: "postgresql", Product: "PostgreSQL", Extra: c.extra})
		})
	}
	t.Run("starttls", func(t *testing.T) {
		pc := newPGCluster(t, "scram-sha-256")
		cert, key := selfSignedCert(t, t.TempDir())
		for _, f := range []string{cert, key} {
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			pc.write(t, filepath.Join(pc.dir, filepath.Base(f)), string(b))
		}
		addr := pc.start(t, "ssl=on", "ssl_cert_file="+filepath.Join(pc.dir, "server.crt"), "ssl_key_file="+filepath.Join(pc.dir, "server.key"))
		if cn := startTLSAddr(t, &PostgreSQL{}, addr); cn != "portwatch-test" {
			t.Errorf("certificate %q", cn)
		}
	})
	t.Run("starttls refused", func(t *testing.T) {
		addr := newPGCluster(t, "scram-sha-256").start(t)
		c := dialSession(t, addr)
		if err := (&PostgreSQL{}).StartTLS(t.Context(), c); err == nil {
			t.Error("StartTLS succeeded on a server without TLS")
		}
	})
}
