package textproto

import (
	"bufio"
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/portwatch/portwatch/internal/fingerprint"
)

// update rewrites testdata transcripts from the live daemons:
// go test ./internal/fingerprint/textproto -run Live -update
var update = flag.Bool("update", false, "rewrite testdata transcripts captured from live daemons")

// step is one chunk of a conversation: what the server sent, or what the
// client sent.
type step struct {
	server bool
	data   []byte
}

// A transcript file holds "# comment" lines and one step a line: S or C,
// a space, and the bytes as a Go quoted string.
func loadTranscript(t *testing.T, name string) []step {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", name))
	if err != nil {
		t.Fatalf("open transcript: %v", err)
	}
	defer f.Close()
	var steps []step
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		dir, quoted, ok := strings.Cut(line, " ")
		data, err := strconv.Unquote(quoted)
		if !ok || err != nil || (dir != "S" && dir != "C") {
			t.Fatalf("%s:%d: bad transcript line", name, n)
		}
		steps = append(steps, step{server: dir == "S", data: []byte(data)})
	}
	if err := sc.Err(); err != nil {
		t.Fatalf("read transcript: %v", err)
	}
	return steps
}

// saveTranscript writes steps under testdata with a note saying where they
// were captured.
func saveTranscript(t *testing.T, name, note string, steps []step) {
	t.Helper()
	var b strings.Builder
	for _, l := range strings.Split(note, "\n") {
		fmt.Fprintf(&b, "# %s\n", l)
	}
	for _, s := range steps {
		dir := "C"
		if s.server {
			dir = "S"
		}
		fmt.Fprintf(&b, "%s %s\n", dir, strconv.Quote(string(s.data)))
	}
	if err := os.WriteFile(filepath.Join("testdata", name), []byte(b.String()), 0o644); err != nil {
		t.Fatalf("write transcript: %v", err)
	}
}

// serve runs handler for every connection to a loopback listener until the
// test ends.
func serve(t *testing.T, handler func(net.Conn)) netip.AddrPort {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen: %v", err)
	}
	var wg sync.WaitGroup
	t.Cleanup(func() {
		ln.Close()
		wg.Wait()
	})
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer c.Close()
				_ = c.SetDeadline(time.Now().Add(10 * time.Second))
				handler(c)
			}()
		}
	}()
	return netip.MustParseAddrPort(ln.Addr().String())
}

// replay serves a transcript: server steps are written, and for client
// steps as many bytes as the recorded client sent are read.
func replay(t *testing.T, steps []step) netip.AddrPort {
	t.Helper()
	return serve(t, func(c net.Conn) {
		for _, s := range steps {
			if s.server {
				if _, err := c.Write(s.data); err != nil {
					return
				}
				continue
			}
			if _, err := io.ReadFull(c, make([]byte, len(s.data))); err != nil {
				return
			}
		}
		// Hold the connection until the client is done with it.
		_, _ = io.Copy(io.Discard, c)
	})
}

// canned is a server that writes greeting, then answers each chunk the
// client sends with the next reply, then waits for the client to close.
func canned(t *testing.T, greeting string, replies ...string) netip.AddrPort {
	t.Helper()
	return serve(t, func(c net.Conn) {
		if greeting != "" {
			if _, err := io.WriteString(c, greeting); err != nil {
				return
			}
		}
		buf := make([]byte, 4096)
		for _, r := range replies {
			if _, err := c.Read(buf); err != nil {
				return
			}
			if _, err := io.WriteString(c, r); err != nil {
				return
			}
		}
		_, _ = io.Copy(io.Discard, c)
	})
}

// httpServer answers anything with an HTTP response, as a web server on an
// unexpected port would.
func httpServer(t *testing.T) netip.AddrPort {
	t.Helper()
	const resp = "HTTP/1.1 400 Bad Request\r\nServer: nginx/1.22.1\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
	return serve(t, func(c net.Conn) {
		_, _ = c.Read(make([]byte, 4096))
		_, _ = io.WriteString(c, resp)
	})
}

// silentServer accepts and never says anything.
func silentServer(t *testing.T) netip.AddrPort {
	t.Helper()
	return serve(t, func(c net.Conn) { _, _ = io.Copy(io.Discard, c) })
}

// recorder keeps what passes over a connection as transcript steps.
type recorder struct {
	net.Conn
	mu    sync.Mutex
	steps []step
}

func (r *recorder) add(server bool, p []byte) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if n := len(r.steps); n > 0 && r.steps[n-1].server == server {
		r.steps[n-1].data = append(r.steps[n-1].data, p...)
		return
	}
	r.steps = append(r.steps, step{server: server, data: append([]byte(nil), p...)})
}

func (r *recorder) Read(p []byte) (int, error) {
	n, err := r.Conn.Read(p)
	r.add(true, p[:n])
	return n, err
}

func (r *recorder) Write(p []byte) (int, error) {
	n, err := r.Conn.Write(p)
	r.add(false, p[:n])
	return n, err
}

func (r *recorder) recorded() []step {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]step(nil), r.steps...)
}

// session dials addr and returns a session for a probe.
func session(t *testing.T, addr netip.AddrPort, banner []byte) *fingerprint.Session {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr.String(), 5*time.Second)
	if err != nil {
		t.Fatalf("dial %s: %v", addr, err)
	}
	t.Cleanup(func() { c.Close() })
	return &fingerprint.Session{Addr: addr, Conn: c, Banner: banner}
}

// probe runs f.Probe against addr on a fresh connection with a deadline.
func probe(t *testing.T, f fingerprint.Fingerprinter, addr netip.AddrPort, banner []byte) (fingerprint.Service, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return f.Probe(ctx, session(t, addr, banner))
}

// wantNoMatch asserts that probing addr fails with ErrNoMatch or, for a
// silent peer, at least fails without claiming the port.
func wantNoMatch(t *testing.T, f fingerprint.Fingerprinter, addr netip.AddrPort, strict bool) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 700*time.Millisecond)
	defer cancel()
	svc, err := f.Probe(ctx, session(t, addr, nil))
	switch {
	case err == nil:
		t.Errorf("%s claimed a foreign peer: %+v", f.Name(), svc)
	case strict && !errors.Is(err, fingerprint.ErrNoMatch):
		t.Errorf("%s: got %v, want ErrNoMatch", f.Name(), err)
	}
}

// checkService compares the fields a test cares about.
func checkService(t *testing.T, got, want fingerprint.Service) {
	t.Helper()
	if got.Name != want.Name || got.Product != want.Product || got.Version != want.Version ||
		got.Extra != want.Extra || got.Method != want.Method || got.Confidence != want.Confidence ||
		got.OS != want.OS || got.Hostname != want.Hostname {
		t.Errorf("got  %+v\nwant %+v", got, want)
	}
	if want.Distro != nil && (got.Distro == nil || *got.Distro != *want.Distro) {
		t.Errorf("distro: got %+v, want %+v", got.Distro, want.Distro)
	}
	if want.Distro == nil && got.Distro != nil {
		t.Errorf("distro: got %+v, want none", got.Distro)
	}
	if strings.Join(got.CPE, " ") != strings.Join(want.CPE, " ") {
		t.Errorf("cpe: got %q, want %q", got.CPE, want.CPE)
	}
}

// daemon starts a real server binary for a live test, skipping the test
// when the binary is missing, and stops it when the test ends.
func daemon(t *testing.T, bin string, args ...string) {
	t.Helper()
	if _, err := os.Stat(bin); err != nil {
		t.Skipf("%s not installed (%v); install its Debian package to run this live test", bin, err)
	}
	var out bytes.Buffer
	cmd := exec.Command(bin, args...)
	// A process group of its own: some daemons (smbd) signal their whole
	// group on shutdown, which must not reach the test binary.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Stdout = &syncWriter{w: &out}
	cmd.Stderr = cmd.Stdout
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", bin, err)
	}
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	t.Cleanup(func() {
		// SIGTERM first so that a master process takes its children down.
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
		if t.Failed() {
			t.Logf("%s output:\n%s", bin, cmd.Stdout.(*syncWriter).String())
		}
	})
}

// syncWriter is a bytes.Buffer safe for the process's writers and the
// test's reader.
type syncWriter struct {
	mu sync.Mutex
	w  *bytes.Buffer
}

func (s *syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}

func (s *syncWriter) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.String()
}

// freePort finds a TCP port free on loopback right now.
func freePort(t *testing.T) uint16 {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen: %v", err)
	}
	defer ln.Close()
	return netip.MustParseAddrPort(ln.Addr().String()).Port()
}

// waitListening waits until something accepts connections on addr.
func waitListening(t *testing.T, addr netip.AddrPort) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		c, err := net.DialTimeout("tcp", addr.String(), time.Second)
		if err == nil {
			c.Close()
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("nothing listening on %s", addr)
}

// liveProbe probes a live daemon, recording the conversation; with -update
// the recording replaces testdata/name.
func liveProbe(t *testing.T, f fingerprint.Fingerprinter, addr netip.AddrPort, transcript, note string) fingerprint.Service {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	s := session(t, addr, nil)
	rec := &recorder{Conn: s.Conn}
	s.Conn = rec
	svc, err := f.Probe(ctx, s)
	if err != nil {
		t.Fatalf("probe %s: %v", addr, err)
	}
	if *update && transcript != "" {
		saveTranscript(t, transcript, note, rec.recorded())
	}
	return svc
}

// debVersion returns the installed version of a Debian package, for
// transcript notes.
func debVersion(pkg string) string {
	out, err := exec.Command("dpkg-query", "-W", "-f=${Version}", pkg).Output()
	if err != nil {
		return "unknown"
	}
	return string(out)
}

// netipLoopback is 127.0.0.1:port.
func netipLoopback(port uint16) netip.AddrPort {
	return netip.AddrPortFrom(netip.MustParseAddr("127.0.0.1"), port)
}

// selfSigned writes a throwaway certificate and key for 127.0.0.1 into dir
// and returns their paths.
func selfSigned(t *testing.T, dir string) (certFile, keyFile string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "portwatch-test"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1)},
		DNSNames:     []string{"localhost"},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kder, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kder}), 0o600); err != nil {
		t.Fatal(err)
	}
	return certFile, keyFile
}

// liveStartTLS runs f's upgrade on a fresh connection to addr and
// completes the TLS handshake over it.
func liveStartTLS(t *testing.T, f fingerprint.StartTLSer, addr netip.AddrPort) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	s := session(t, addr, nil)
	if err := f.StartTLS(ctx, s); err != nil {
		t.Fatalf("StartTLS: %v", err)
	}
	_ = s.Conn.SetDeadline(time.Now().Add(5 * time.Second))
	tc := tls.Client(s.Conn, &tls.Config{InsecureSkipVerify: true}) //nolint:gosec // a throwaway test certificate
	if err := tc.HandshakeContext(ctx); err != nil {
		t.Fatalf("TLS handshake after StartTLS: %v", err)
	}
}

// contextWithTimeout is the deadline unit tests give a probe.
func contextWithTimeout() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), 5*time.Second)
}
