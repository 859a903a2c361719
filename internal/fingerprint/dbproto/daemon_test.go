package dbproto

import (
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// needBinary skips the test when a daemon is not installed.
func needBinary(t *testing.T, bin, pkg string) string {
	t.Helper()
	path, err := exec.LookPath(bin)
	if err != nil {
		for _, dir := range []string{"/usr/sbin", "/usr/lib/postgresql/15/bin", "/usr/lib/rabbitmq/bin"} {
			if p := filepath.Join(dir, bin); fileExists(p) {
				return p
			}
		}
		t.Skipf("%s not installed (Debian package %s)", bin, pkg)
	}
	return path
}

// fileExists reports whether path exists.
func fileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// packageVersion names the installed Debian package version, for
// transcript notes.
func packageVersion(pkg string) string {
	out, err := exec.Command("dpkg-query", "-W", "-f=${Version}", pkg).Output()
	if err != nil {
		return pkg + " (version unknown)"
	}
	return pkg + " " + string(out)
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

// daemon starts cmd, kills it when the test ends, and waits until addr
// accepts connections; its output goes to a log file shown on failure.
func daemon(t *testing.T, cmd *exec.Cmd, addr string, wait time.Duration) {
	t.Helper()
	logPath := filepath.Join(t.TempDir(), "daemon.log")
	logf, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = logf, logf
	// A process group of its own, so that the daemon's children (postgres
	// backends, RabbitMQ's Erlang VM) die with it.
	if cmd.SysProcAttr == nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{}
	}
	cmd.SysProcAttr.Setpgid = true
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", cmd.Path, err)
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited); logf.Close() }()
	t.Cleanup(func() {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		<-exited
		if t.Failed() {
			out, _ := os.ReadFile(logPath)
			t.Logf("%s output:\n%s", filepath.Base(cmd.Path), out)
		}
	})
	deadline := time.Now().Add(wait)
	for {
		c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond)
		if err == nil {
			c.Close()
			return
		}
		select {
		case <-exited:
			out, _ := os.ReadFile(logPath)
			t.Fatalf("%s exited before listening on %s:\n%s", filepath.Base(cmd.Path), addr, out)
		case <-time.After(100 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s not listening on %s after %s", filepath.Base(cmd.Path), addr, wait)
		}
	}
}

// shellArgs renders daemon arguments for a transcript note, hiding secrets.
func shellArgs(args []string) string {
	var out []string
	for i, a := range args {
		if i > 0 && strings.Contains(args[i-1], "pass") {
			a = "***"
		}
		out = append(out, a)
	}
	return strings.Join(out, " ")
}

// debUpstreamVersion returns the upstream part of an installed Debian
// package's version: "1:10.11.6-0+deb12u1" gives "10.11.6".
func debUpstreamVersion(t *testing.T, pkg string) string {
	t.Helper()
	out, err := exec.Command("dpkg-query", "-W", "-f=${Version}", pkg).Output()
	if err != nil {
		t.Skipf("%s not installed: %v", pkg, err)
	}
	v := string(out)
	if _, after, ok := strings.Cut(v, ":"); ok {
		v = after
	}
	if i := strings.LastIndexByte(v, '-'); i > 0 {
		v = v[:i]
	}
	return v
}
