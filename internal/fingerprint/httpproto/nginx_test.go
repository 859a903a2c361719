package httpproto

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"syscall"
	"testing"
	"time"
)

// TestLiveNginx identifies a real nginx (Debian's nginx-light or any other
// build) started on 127.0.0.1 with a temporary prefix, in plain text and
// inside TLS, and checks that no app-specific fingerprinter claims it.
func TestLiveNginx(t *testing.T) {
	if testing.Short() {
		t.Skip("starts nginx")
	}
	bin := nginxBinary()
	if bin == "" {
		t.Skip("nginx not installed (Debian: apt-get install nginx-light)")
	}
	version := nginxVersion(t, bin)
	plain, tlsAddr := startNginx(t, bin)

	for _, c := range []struct {
		name   string
		addr   string
		useTLS bool
	}{{"plain", plain, false}, {"tls", tlsAddr, true}} {
		t.Run(c.name, func(t *testing.T) {
			for _, fp := range All() {
				svc, err := probe(t, fp, c.addr, c.useTLS)
				if fp.Name() != "http" {
					wantNoMatch(t, svc, err)
					continue
				}
				want{Name: "http", Product: "nginx", Version: version, Confidence: 10,
					CPE: []string{cpe("f5", "nginx", version)}, Extra: []string{`title "portwatch nginx test"`}}.check(t, svc, err)
			}
		})
	}
	t.Run("plain-to-tls-port", func(t *testing.T) {
		svc, err := probe(t, &HTTP{}, tlsAddr, false)
		want{Name: "http", Product: "nginx", Version: version, Confidence: 5, Extra: []string{"plain HTTP sent to an HTTPS port"}}.check(t, svc, err)
	})
}

// nginxBinary finds nginx on PATH or where Debian installs it.
func nginxBinary() string {
	if p, err := exec.LookPath("nginx"); err == nil {
		return p
	}
	if _, err := os.Stat("/usr/sbin/nginx"); err == nil {
		return "/usr/sbin/nginx"
	}
	return ""
}

// nginxVersion asks the binary for its version ("nginx version: nginx/1.22.1").
func nginxVersion(t *testing.T, bin string) string {
	t.Helper()
	out, err := exec.Command(bin, "-v").CombinedOutput()
	if err != nil {
		t.Fatalf("%s -v: %v: %s", bin, err, out)
	}
	m := regexp.MustCompile(`nginx/([0-9][0-9.]*)`).FindSubmatch(out)
	if m == nil {
		t.Fatalf("no version in %q", out)
	}
	return string(m[1])
}

const nginxConf = `worker_processes 1;
pid %[1]s/nginx.pid;
error_log %[1]s/error.log;
events { worker_connections 32; }
http {
	access_log off;
	client_body_temp_path %[1]s/body;
	proxy_temp_path %[1]s/proxy;
	fastcgi_temp_path %[1]s/fastcgi;
	uwsgi_temp_path %[1]s/uwsgi;
	scgi_temp_path %[1]s/scgi;
	server {
		listen 127.0.0.1:%[2]d;
		listen 127.0.0.1:%[3]d ssl;
		ssl_certificate %[1]s/cert.pem;
		ssl_certificate_key %[1]s/key.pem;
		location = / {
			default_type text/html;
			return 200 "<!DOCTYPE html><html><head><title>portwatch nginx test</title></head><body>ok</body></html>\n";
		}
		location / { return 404; }
	}
}
`

// startNginx runs nginx in the foreground on two free loopback ports
// (plain and TLS) and stops it when the test ends. A port taken between
// choosing and binding is retried.
func startNginx(t *testing.T, bin string) (plain, tlsAddr string) {
	t.Helper()
	prefix := t.TempDir()
	writeSelfSigned(t, prefix)
	var lastErr error
	for attempt := 0; attempt < 3; attempt++ {
		p1, p2 := freePort(t), freePort(t)
		conf := filepath.Join(prefix, "nginx.conf")
		if err := os.WriteFile(conf, fmt.Appendf(nil, nginxConf, prefix, p1, p2), 0o600); err != nil {
			t.Fatal(err)
		}
		var stderr bytes.Buffer
		cmd := exec.Command(bin, "-p", prefix, "-c", conf, "-e", filepath.Join(prefix, "error.log"), "-g", "daemon off;")
		cmd.Stderr = &stderr
		if err := cmd.Start(); err != nil {
			t.Fatalf("start nginx: %v", err)
		}
		exited := make(chan error, 1)
		go func() { exited <- cmd.Wait() }()
		plain, tlsAddr = fmt.Sprintf("127.0.0.1:%d", p1), fmt.Sprintf("127.0.0.1:%d", p2)
		if err := waitListening(exited, plain, tlsAddr); err != nil {
			log, _ := os.ReadFile(filepath.Join(prefix, "error.log"))
			lastErr = fmt.Errorf("%w; stderr %q; error.log %q", err, stderr.String(), log)
			_ = cmd.Process.Kill()
			continue
		}
		t.Cleanup(func() {
			_ = cmd.Process.Signal(syscall.SIGTERM)
			select {
			case <-exited:
			case <-time.After(5 * time.Second):
				_ = cmd.Process.Kill()
				<-exited
			}
		})
		return plain, tlsAddr
	}
	t.Fatalf("nginx did not start: %v", lastErr)
	return "", ""
}

// waitListening waits until every address accepts, or nginx exits.
func waitListening(exited <-chan error, addrs ...string) error {
	deadline := time.Now().Add(10 * time.Second)
	for _, a := range addrs {
		for {
			c, err := net.DialTimeout("tcp", a, time.Second)
			if err == nil {
				c.Close()
				break
			}
			select {
			case err := <-exited:
				return fmt.Errorf("nginx exited: %v", err)
			case <-time.After(50 * time.Millisecond):
			}
			if time.Now().After(deadline) {
				return fmt.Errorf("%s not listening: %v", a, err)
			}
		}
	}
	return nil
}

// freePort returns a loopback port that was free a moment ago.
func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// writeSelfSigned writes cert.pem and key.pem (ECDSA P-256, CN=localhost)
// into dir.
func writeSelfSigned(t *testing.T, dir string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "localhost"},
		DNSNames:     []string{"localhost"},
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1)},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	for name, block := range map[string]*pem.Block{
		"cert.pem": {Type: "CERTIFICATE", Bytes: der},
		"key.pem":  {Type: "EC PRIVATE KEY", Bytes: keyDER},
	} {
		if err := os.WriteFile(filepath.Join(dir, name), pem.EncodeToMemory(block), 0o600); err != nil {
			t.Fatal(err)
		}
	}
}
