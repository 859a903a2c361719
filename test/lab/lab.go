package lab

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

// upTimeout bounds `lab.sh up`: it waits at most 60 s for the daemons and
// usually finishes in about ten seconds (initdb and mariadb-install-db are
// the slow parts).
const upTimeout = 120 * time.Second

// downTimeout bounds `lab.sh down`.
const downTimeout = 30 * time.Second

// prefixPattern is the namespace prefix lab.sh accepts.
var prefixPattern = regexp.MustCompile(`^[a-z][a-z0-9]{0,11}$`)

// requiredTools are the commands lab.sh runs; the lab is skipped, naming
// them, when any is missing.
var requiredTools = []string{
	"bash", "ip", "nft", "ss", "sysctl", "timeout", "setpriv", "setsid",
	"sshd", "ssh-keygen", "nginx", "redis-server", "openssl",
	"dnsmasq", "snmpd", "chronyd", "memcached", "mariadbd", "mariadb-install-db",
	"vsftpd", "exim4", "dovecot", "mosquitto", "nats-server",
}

// postgresGlob finds PostgreSQL's server binaries, which are not on PATH.
const postgresGlob = "/usr/lib/postgresql/*/bin/initdb"

// sbinDirs are searched too: sshd and nft live there and a non-login PATH
// may lack them.
var sbinDirs = []string{"/usr/local/sbin", "/usr/sbin", "/sbin"}

// Up builds the lab with namespace prefix prefix (one per test package, so
// that packages tested in parallel do not collide), registers its teardown
// with t.Cleanup and returns its ground truth. It skips the test (see
// SkipReason) under -short, when not run as root or when a required command
// is missing, naming it, and fails the test when the lab cannot be built.
// Prefixes match ^[a-z][a-z0-9]{0,11}$; the lab's files go to /tmp/PREFIX-lab.
func Up(t testing.TB, prefix string) *Truth {
	t.Helper()
	if reason := SkipReason(); reason != "" {
		t.Skip(reason)
	}
	tr, teardown, err := up(prefix)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := teardown(); err != nil {
			t.Error(err)
		}
	})
	return tr
}

// UpMain builds the lab once for a whole test package, from TestMain:
//
//	func TestMain(m *testing.M) {
//		tr, teardown, skip := lab.UpMain(m, "pwscan")
//		// keep tr and skip where the tests find them; tests t.Skip(skip) if tr == nil
//		code := m.Run()
//		teardown()
//		os.Exit(code)
//	}
//
// When the lab cannot run here (not root, commands missing) it returns a nil
// Truth, a no-op teardown and the reason to skip. When building fails it
// prints why to stderr and exits the test binary with status 1, since
// nothing in the package could run meaningfully. teardown may be called more
// than once.
func UpMain(m *testing.M, prefix string) (tr *Truth, teardown func(), skipReason string) {
	_ = m // marks the TestMain context; the lab needs nothing from it
	if !flag.Parsed() {
		flag.Parse() // for -short; m.Run does not parse again
	}
	if reason := SkipReason(); reason != "" {
		return nil, func() {}, reason
	}
	tr, down, err := up(prefix)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	var once sync.Once
	return tr, func() {
		once.Do(func() {
			if err := down(); err != nil {
				fmt.Fprintln(os.Stderr, err)
			}
		})
	}, ""
}

// SkipReason says why the lab cannot or should not run here (-short, not
// Linux, not root, commands missing), or "" if it can.
func SkipReason() string {
	if flag.Parsed() && testing.Short() {
		return "lab: skipped in -short mode"
	}
	if runtime.GOOS != "linux" {
		return "lab: needs Linux network namespaces"
	}
	if os.Geteuid() != 0 {
		return "lab: needs root (network namespaces, nftables); run the tests as root"
	}
	var missing []string
	for _, tool := range requiredTools {
		if _, err := lookPath(tool); err != nil {
			missing = append(missing, tool)
		}
	}
	if found, _ := filepath.Glob(postgresGlob); len(found) == 0 {
		missing = append(missing, "initdb ("+postgresGlob+")")
	}
	if len(missing) > 0 {
		return "lab: missing commands: " + strings.Join(missing, ", ") +
			" (install them with scripts/install-deps.sh)"
	}
	if _, err := scriptPath(); err != nil {
		return "lab: " + err.Error()
	}
	return ""
}

// ScannerCmd returns a command that runs name with args inside the
// scanner namespace, the only place lab scans may start from.
func (tr *Truth) ScannerCmd(ctx context.Context, name string, args ...string) *exec.Cmd {
	return netnsCmd(ctx, tr.ScannerNetns, name, args...)
}

// HostCmd returns a command that runs name with args inside the namespace of
// lab host host (h1, h2, ...). Starting it fails if there is no such host.
func (tr *Truth) HostCmd(ctx context.Context, host string, name string, args ...string) *exec.Cmd {
	h, ok := tr.Host(host)
	if !ok {
		cmd := exec.CommandContext(ctx, name, args...)
		cmd.Err = fmt.Errorf("lab %s has no host %q", tr.Prefix, host)
		return cmd
	}
	return netnsCmd(ctx, h.Netns, name, args...)
}

func netnsCmd(ctx context.Context, netns, name string, args ...string) *exec.Cmd {
	ip, err := lookPath("ip")
	if err != nil {
		ip = "ip"
	}
	cmd := exec.CommandContext(ctx, ip, append([]string{"netns", "exec", netns, name}, args...)...)
	cmd.Env = labEnv("")
	return cmd
}

// up runs `lab.sh up` and returns the truth and the matching teardown.
func up(prefix string) (*Truth, func() error, error) {
	if !prefixPattern.MatchString(prefix) {
		return nil, nil, fmt.Errorf("lab: prefix %q must match %s", prefix, prefixPattern)
	}
	dir := filepath.Join("/tmp", prefix+"-lab")
	down := func() error {
		ctx, cancel := context.WithTimeout(context.Background(), downTimeout)
		defer cancel()
		if out, err := runScript(ctx, prefix, "down", dir); err != nil {
			return fmt.Errorf("lab %s down: %w\n%s", prefix, err, out)
		}
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), upTimeout)
	defer cancel()
	out, err := runScript(ctx, prefix, "up", dir)
	if err != nil {
		// lab.sh tears a failed lab down itself; make sure of it.
		_ = down()
		return nil, nil, fmt.Errorf("lab %s up: %w\n%s", prefix, err, out)
	}
	tr, err := LoadTruth(filepath.Join(dir, "truth.json"))
	if err != nil {
		_ = down()
		return nil, nil, fmt.Errorf("lab %s up: %w", prefix, err)
	}
	if tr.Prefix != prefix {
		_ = down()
		return nil, nil, fmt.Errorf("lab %s up: truth is for prefix %q", prefix, tr.Prefix)
	}
	return tr, down, nil
}

// runScript runs lab.sh with the given arguments and returns its output.
func runScript(ctx context.Context, prefix string, args ...string) ([]byte, error) {
	script, err := scriptPath()
	if err != nil {
		return nil, err
	}
	bash, err := lookPath("bash")
	if err != nil {
		return nil, fmt.Errorf("find bash: %w", err)
	}
	cmd := exec.CommandContext(ctx, bash, append([]string{script}, args...)...)
	cmd.Env = labEnv(prefix)
	cmd.WaitDelay = 5 * time.Second
	var out bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = &out
	if err := cmd.Run(); err != nil {
		return out.Bytes(), fmt.Errorf("%s %s: %w", script, strings.Join(args, " "), err)
	}
	return out.Bytes(), nil
}

// labEnv is the environment for lab commands: ours, with the sbin
// directories on PATH and LAB_PREFIX set when prefix is not empty.
func labEnv(prefix string) []string {
	env := make([]string, 0, len(os.Environ())+1)
	path := os.Getenv("PATH")
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "PATH=") || strings.HasPrefix(kv, "LAB_PREFIX=") {
			continue
		}
		env = append(env, kv)
	}
	for _, d := range sbinDirs {
		if !strings.Contains(":"+path+":", ":"+d+":") {
			path += ":" + d
		}
	}
	env = append(env, "PATH="+strings.TrimPrefix(path, ":"))
	if prefix != "" {
		env = append(env, "LAB_PREFIX="+prefix)
	}
	return env
}

// lookPath finds a command on PATH or in the sbin directories.
func lookPath(name string) (string, error) {
	if p, err := exec.LookPath(name); err == nil {
		return p, nil
	}
	for _, d := range sbinDirs {
		p := filepath.Join(d, name)
		if fi, err := os.Stat(p); err == nil && !fi.IsDir() && fi.Mode()&0o111 != 0 {
			return p, nil
		}
	}
	return "", fmt.Errorf("command %s not found", name)
}

// scriptPath finds lab.sh: beside this source file, or, when the binary was
// built with -trimpath, at test/lab/lab.sh under the module root above the
// working directory.
func scriptPath() (string, error) {
	if _, file, _, ok := runtime.Caller(0); ok && filepath.IsAbs(file) {
		p := filepath.Join(filepath.Dir(file), "lab.sh")
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
	}
	dir, err := os.Getwd()
	if err != nil {
		return "", fmt.Errorf("find lab.sh: %w", err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			p := filepath.Join(dir, "test", "lab", "lab.sh")
			if _, err := os.Stat(p); err != nil {
				return "", fmt.Errorf("find lab.sh: %w", err)
			}
			return p, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("find lab.sh: no go.mod above the working directory")
		}
		dir = parent
	}
}
