package dbproto

import (
	"encoding/binary"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"

	"github.com/portwatch/portwatch/internal/fingerprint"
)

// mysqlHandshake builds a protocol 10 handshake packet as the MySQL client
// protocol documentation describes it (Protocol::HandshakeV10).
func mysqlHandshake(version string, caps uint32, plugin string) []byte {
	p := append([]byte{10}, version...)
	p = append(p, 0)
	p = binary.LittleEndian.AppendUint32(p, 42) // connection id
	p = append(p, "abcdefgh"...)                // auth-plugin-data part 1
	p = append(p, 0)                            // filler
	p = binary.LittleEndian.AppendUint16(p, uint16(caps))
	p = append(p, 255)                         // utf8mb4_0900_ai_ci
	p = binary.LittleEndian.AppendUint16(p, 2) // SERVER_STATUS_AUTOCOMMIT
	p = binary.LittleEndian.AppendUint16(p, uint16(caps>>16))
	p = append(p, 21)                    // auth-plugin-data length
	p = append(p, make([]byte, 10)...)   // reserved
	p = append(p, "ijklmnopqrst\x00"...) // auth-plugin-data part 2 (13 bytes)
	p = append(append(p, plugin...), 0)
	hdr := []byte{byte(len(p)), byte(len(p) >> 8), byte(len(p) >> 16), 0}
	return append(hdr, p...)
}

func TestMySQLTranscript(t *testing.T) {
	for _, c := range []struct {
		file string
		want fingerprint.Service
	}{
		{"mariadb-10.11.19.transcript", fingerprint.Service{
			Name: "mysql", Product: "MariaDB", Version: "10.11.19", Extra: "0+deb12u1; auth mysql_native_password",
			Distro:     &fingerprint.Distro{Name: "debian", Release: "12", Revision: "0+deb12u1"},
			CPE:        []string{"cpe:2.3:a:mariadb:mariadb:10.11.19:*:*:*:*:*:*:*"},
			Confidence: fingerprint.ConfidenceCertain, Method: fingerprint.MethodBanner,
		}},
		{"mariadb-10.11.19-host-not-allowed.transcript", fingerprint.Service{
			Name: "mysql", Product: "MariaDB", Extra: "host not allowed to connect",
			CPE:        []string{"cpe:2.3:a:mariadb:mariadb:*:*:*:*:*:*:*:*"},
			Confidence: fingerprint.ConfidenceLikely, Method: fingerprint.MethodBanner,
		}},
	} {
		t.Run(c.file, func(t *testing.T) {
			tr := loadTranscript(t, c.file)
			got, err := probeAddr(t, &MySQL{}, replay(t, tr), probeTimeout)
			if err != nil {
				t.Fatal(err)
			}
			wantService(t, got, c.want)
			banner, ok := (&MySQL{}).MatchBanner(tr.firstServer())
			if !ok {
				t.Fatal("banner not matched")
			}
			wantService(t, banner, c.want)
		})
	}
}

func TestMySQLSpecHandshake(t *testing.T) {
	// MySQL 8 as Ubuntu packages it; built from the protocol documentation
	// since Debian 12 ships no MySQL server.
	const caps = 0xdfffffff
	b := mysqlHandshake("8.0.36-0ubuntu0.22.04.1", caps, "caching_sha2_password")
	addr := serve(t, func(c netConn) { _, _ = c.Write(b); waitClose(c) })
	got, err := probeAddr(t, &MySQL{}, addr, probeTimeout)
	if err != nil {
		t.Fatal(err)
	}
	wantService(t, got, fingerprint.Service{
		Name: "mysql", Product: "MySQL", Version: "8.0.36", Extra: "0ubuntu0.22.04.1; auth caching_sha2_password",
		Distro: &fingerprint.Distro{Name: "ubuntu", Release: "22.04", Revision: "0ubuntu0.22.04.1"},
		CPE:    []string{"cpe:2.3:a:oracle:mysql:8.0.36:*:*:*:*:*:*:*"},
	})
}

func TestMySQLVersionStrings(t *testing.T) {
	for _, c := range []struct{ in, product, version, extra string }{
		{"8.0.36", "MySQL", "8.0.36", ""},
		{"5.7.44-log", "MySQL", "5.7.44", "log"},
		{"5.5.5-10.11.6-MariaDB-0+deb12u1", "MariaDB", "10.11.6", "0+deb12u1"},
		{"11.4.2-MariaDB-ubu2404", "MariaDB", "11.4.2", "ubu2404"},
		{"5.5.5-10.6.16-MariaDB-1:10.6.16+maria~ubu2204-log", "MariaDB", "10.6.16", "1:10.6.16+maria~ubu2204-log"},
		{"8.0.11-TiDB-v7.5.0", "TiDB", "7.5.0", "MySQL 8.0.11 compatible"},
	} {
		got := mysqlVersion(c.in)
		if got.Product != c.product || got.Version != c.version || got.Extra != c.extra {
			t.Errorf("%s: got %q %q %q", c.in, got.Product, got.Version, got.Extra)
		}
	}
}

// startMariaDB initialises a data directory and starts mariadbd on a free
// loopback port.
func startMariaDB(t *testing.T, args ...string) string {
	t.Helper()
	bin := needBinary(t, "mariadbd", "mariadb-server")
	install := needBinary(t, "mariadb-install-db", "mariadb-server")
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	if out, err := exec.Command(install, "--no-defaults", "--datadir="+data, "--user=root",
		"--auth-root-authentication-method=normal", "--skip-test-db").CombinedOutput(); err != nil {
		t.Fatalf("mariadb-install-db: %v\n%s", err, out)
	}
	port := strconv.Itoa(freePort(t))
	args = append([]string{"--no-defaults", "--datadir=" + data, "--user=root", "--port=" + port,
		"--bind-address=127.0.0.1", "--socket=" + filepath.Join(dir, "sock"), "--pid-file=" + filepath.Join(dir, "pid"),
		"--skip-log-bin", "--innodb-buffer-pool-size=8M"}, args...)
	daemon(t, exec.Command(bin, args...), "127.0.0.1:"+port, 30e9)
	return "127.0.0.1:" + port
}

// mariadbVersion asks the installed mariadbd for its version.
func mariadbVersion(t *testing.T) string {
	out, err := exec.Command(needBinary(t, "mariadbd", "mariadb-server"), "--version").Output()
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`Ver ([0-9.]+)-MariaDB`).FindSubmatch(out)
	if m == nil {
		t.Fatalf("no version in %q", out)
	}
	return string(m[1])
}

func TestMySQLLive(t *testing.T) {
	version := mariadbVersion(t)
	note := packageVersion("mariadb-server") + " (Debian 12)"
	t.Run("handshake", func(t *testing.T) {
		addr := liveAddr(t, startMariaDB(t), "mariadb-"+version+".transcript", note)
		got, err := probeAddr(t, &MySQL{}, addr, probeTimeout)
		if err != nil {
			t.Fatal(err)
		}
		wantService(t, got, fingerprint.Service{Name: "mysql", Product: "MariaDB", Version: version})
		if got.Distro == nil || got.Distro.Name != "debian" {
			t.Errorf("distro %+v, want debian", got.Distro)
		}
	})
	t.Run("host not allowed", func(t *testing.T) {
		// Without name resolution a client from 127.0.0.2 matches none of
		// the root@localhost accounts, so the server refuses the host.
		addr := liveAddrFrom(t, startMariaDB(t, "--skip-name-resolve"), "127.0.0.2",
			"mariadb-"+version+"-host-not-allowed.transcript", note+", mariadbd --skip-name-resolve, client from 127.0.0.2")
		got, err := probeAddr(t, &MySQL{}, addr, probeTimeout)
		if err != nil {
			t.Fatal(err)
		}
		wantService(t, got, fingerprint.Service{Name: "mysql", Product: "MariaDB", Extra: "host not allowed to connect"})
	})
	t.Run("starttls", func(t *testing.T) {
		cert, key := selfSignedCert(t, t.TempDir())
		addr := startMariaDB(t, "--ssl-cert="+cert, "--ssl-key="+key)
		if cn := startTLSAddr(t, &MySQL{}, addr); cn != "portwatch-test" {
			t.Errorf("certificate %q", cn)
		}
	})
}
