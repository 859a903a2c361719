// Package receivers runs real mail and syslog receivers (Debian's exim4
// and rsyslog) for the notifier tests: foreground processes on loopback
// high ports, configured in the test's temporary directory, stopped by
// t.Cleanup. It also makes the self-signed certificates they present.
// Only tests import it.
package receivers

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// FreePorts returns n distinct loopback ports that were free a moment ago
// (for daemons that need their port in a config file).
func FreePorts(t testing.TB, network string, n int) []int {
	t.Helper()
	var ports []int
	var closers []func() error
	for len(ports) < n {
		switch network {
		case "udp":
			c, err := net.ListenPacket("udp", "127.0.0.1:0")
			if err != nil {
				t.Fatalf("free udp port: %v", err)
			}
			closers = append(closers, c.Close)
			ports = append(ports, c.LocalAddr().(*net.UDPAddr).Port)
		default:
			l, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatalf("free tcp port: %v", err)
			}
			closers = append(closers, l.Close)
			ports = append(ports, l.Addr().(*net.TCPAddr).Port)
		}
	}
	for _, c := range closers {
		c()
	}
	return ports
}

// waitTCP waits until something accepts on 127.0.0.1:port or the process
// exits.
func waitTCP(t testing.TB, port int, exited <-chan struct{}, logs func() string) {
	t.Helper()
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-exited:
			t.Fatalf("receiver exited before listening on %s:\n%s", addr, logs())
		default:
		}
		c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond)
		if err == nil {
			c.Close()
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("receiver not listening on %s after 15s:\n%s", addr, logs())
}

// lookBinary finds a daemon binary in PATH or the sbin directories
// (which a plain user's PATH may lack).
func lookBinary(names ...string) (string, bool) {
	for _, n := range names {
		if p, err := exec.LookPath(n); err == nil {
			return p, true
		}
		for _, dir := range []string{"/usr/sbin", "/sbin"} {
			p := filepath.Join(dir, n)
			if st, err := os.Stat(p); err == nil && !st.IsDir() {
				return p, true
			}
		}
	}
	return "", false
}

// start runs cmd until the test ends and returns a channel closed when
// it exits.
func start(t testing.TB, cmd *exec.Cmd) <-chan struct{} {
	t.Helper()
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", cmd.Path, err)
	}
	exited := make(chan struct{})
	go func() {
		cmd.Wait()
		close(exited)
	}()
	t.Cleanup(func() {
		cmd.Process.Kill()
		<-exited
	})
	return exited
}

// openTempDir makes a fresh temporary directory that a daemon running
// under its own unprivileged user can write, opening the parents the
// testing package created 0700.
func openTempDir(t testing.TB) string {
	t.Helper()
	dir := t.TempDir()
	for d := dir; d != os.TempDir() && d != "/" && d != "."; d = filepath.Dir(d) {
		os.Chmod(d, 0o777)
	}
	return dir
}

// output collects a daemon's stdout and stderr; safe for concurrent use.
type output struct {
	mu  sync.Mutex
	buf []byte
}

func (o *output) Write(p []byte) (int, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.buf = append(o.buf, p...)
	return len(p), nil
}

func (o *output) String() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return string(o.buf)
}
