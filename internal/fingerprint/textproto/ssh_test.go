package textproto

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/portwatch/portwatch/internal/fingerprint"
)

func TestSSHMatchBanner(t *testing.T) {
	const deb = "SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u10\r\n"
	for _, c := range []struct {
		banner string
		want   fingerprint.Service
	}{
		{deb, fingerprint.Service{
			Name: "ssh", Product: "OpenSSH", Version: "9.2p1", Extra: "Debian 2+deb12u10",
			Distro:     &fingerprint.Distro{Name: "debian", Release: "12", Revision: "2+deb12u10"},
			CPE:        []string{"cpe:2.3:a:openbsd:openssh:9.2p1:*:*:*:*:*:*:*"},
			Confidence: 10, Method: fingerprint.MethodBanner,
		}},
		{"SSH-2.0-OpenSSH_8.9p1 Ubuntu-3ubuntu0.10\r\n", fingerprint.Service{
			Name: "ssh", Product: "OpenSSH", Version: "8.9p1", Extra: "Ubuntu 3ubuntu0.10",
			Distro:     &fingerprint.Distro{Name: "ubuntu", Revision: "3ubuntu0.10"},
			CPE:        []string{"cpe:2.3:a:openbsd:openssh:8.9p1:*:*:*:*:*:*:*"},
			Confidence: 10, Method: fingerprint.MethodBanner,
		}},
		{"SSH-2.0-OpenSSH_9.4 FreeBSD-20230316\r\n", fingerprint.Service{
			Name: "ssh", Product: "OpenSSH", Version: "9.4", Extra: "FreeBSD 20230316",
			Distro:     &fingerprint.Distro{Name: "freebsd", Revision: "20230316"},
			CPE:        []string{"cpe:2.3:a:openbsd:openssh:9.4:*:*:*:*:*:*:*"},
			Confidence: 10, Method: fingerprint.MethodBanner,
		}},
		{"SSH-2.0-OpenSSH_for_Windows_8.1\r\n", fingerprint.Service{
			Name: "ssh", Product: "OpenSSH", Version: "8.1", OS: "Windows",
			CPE:        []string{"cpe:2.3:a:openbsd:openssh:8.1:*:*:*:*:*:*:*"},
			Confidence: 10, Method: fingerprint.MethodBanner,
		}},
		{"SSH-2.0-dropbear_2022.83\r\n", fingerprint.Service{
			Name: "ssh", Product: "Dropbear sshd", Version: "2022.83",
			CPE:        []string{"cpe:2.3:a:dropbear_ssh_project:dropbear_ssh:2022.83:*:*:*:*:*:*:*"},
			Confidence: 10, Method: fingerprint.MethodBanner,
		}},
		{"SSH-2.0-libssh_0.9.6\r\n", fingerprint.Service{
			Name: "ssh", Product: "libssh", Version: "0.9.6",
			CPE:        []string{"cpe:2.3:a:libssh:libssh:0.9.6:*:*:*:*:*:*:*"},
			Confidence: 10, Method: fingerprint.MethodBanner,
		}},
		{"SSH-1.99-Cisco-1.25\r\n", fingerprint.Service{
			Name: "ssh", Product: "Cisco SSH", Version: "1.25", Extra: "protocol 1.99", OS: "IOS",
			Confidence: 10, Method: fingerprint.MethodBanner,
		}},
		{"SSH-2.0-paramiko_3.4.0\r\n", fingerprint.Service{
			Name: "ssh", Product: "paramiko", Version: "3.4.0",
			Confidence: 10, Method: fingerprint.MethodBanner,
		}},
		{"Please wait\r\nSSH-2.0-Go\r\n", fingerprint.Service{
			Name: "ssh", Product: "Go", Confidence: 10, Method: fingerprint.MethodBanner,
		}},
	} {
		got, ok := (&SSH{}).MatchBanner([]byte(c.banner))
		if !ok {
			t.Errorf("%q: no match", c.banner)
			continue
		}
		c.want.Banner = fingerprint.EscapeBanner([]byte(c.banner))
		checkService(t, got, c.want)
	}
	for _, b := range []string{"", "SSH-2.0", "HTTP/1.1 200 OK\r\n", "220 (vsFTPd 3.0.3)\r\n", "SSH-2.0-OpenSSH_9.2p1"} {
		if svc, ok := (&SSH{}).MatchBanner([]byte(b)); ok {
			t.Errorf("%q matched: %+v", b, svc)
		}
	}
}

// TestSSHTranscript replays the greeting captured from Debian 12's sshd.
func TestSSHTranscript(t *testing.T) {
	addr := replay(t, loadTranscript(t, "ssh-openssh-9.2p1-debian12.txt"))
	svc, err := probe(t, &SSH{}, addr, nil)
	if err != nil {
		t.Fatal(err)
	}
	if svc.Product != "OpenSSH" || svc.Version != "9.2p1" || svc.Distro == nil || svc.Distro.Release != "12" {
		t.Errorf("got %+v", svc)
	}
}

func TestSSHNegative(t *testing.T) {
	t.Parallel()
	wantNoMatch(t, &SSH{}, httpServer(t), false)
	wantNoMatch(t, &SSH{}, canned(t, "220 (vsFTPd 3.0.3)\r\n"), true)
	wantNoMatch(t, &SSH{}, silentServer(t), false)
}

// TestSSHLive runs Debian's sshd on a random loopback port with its own
// configuration and host key.
func TestSSHLive(t *testing.T) {
	const sshd = "/usr/sbin/sshd"
	if _, err := os.Stat(sshd); err != nil {
		t.Skip("sshd not installed: apt-get install openssh-server")
	}
	if _, err := exec.LookPath("ssh-keygen"); err != nil {
		t.Skip("ssh-keygen not installed: apt-get install openssh-client")
	}
	dir := t.TempDir()
	key := filepath.Join(dir, "host_ed25519")
	if out, err := exec.Command("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", key).CombinedOutput(); err != nil {
		t.Fatalf("ssh-keygen: %v: %s", err, out)
	}
	port := freePort(t)
	cfg := filepath.Join(dir, "sshd_config")
	conf := fmt.Sprintf("ListenAddress 127.0.0.1\nPort %d\nHostKey %s\nPidFile none\nUsePAM no\nStrictModes no\n", port, key)
	if err := os.WriteFile(cfg, []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	daemon(t, sshd, "-D", "-e", "-f", cfg)
	addr := netipLoopback(port)
	waitListening(t, addr)
	svc := liveProbe(t, &SSH{}, addr, "ssh-openssh-9.2p1-debian12.txt",
		"Debian 12 openssh-server "+debVersion("openssh-server")+", sshd -D -e on 127.0.0.1, captured by TestSSHLive -update")
	if svc.Name != "ssh" || svc.Product != "OpenSSH" || svc.Version == "" || svc.Method != fingerprint.MethodBanner {
		t.Errorf("got %+v", svc)
	}
	if len(svc.CPE) != 1 || svc.CPE[0] != fingerprint.CPE("a", "openbsd", "openssh", svc.Version) {
		t.Errorf("cpe %q", svc.CPE)
	}
}
