package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/portwatch/portwatch/internal/scan"
)

func run(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var out, errb bytes.Buffer
	code = Main(context.Background(), args, IO{In: strings.NewReader(""), Out: &out, Err: &errb}, "test")
	return out.String(), errb.String(), code
}

func TestUsageErrorsExitTwo(t *testing.T) {
	for _, c := range []struct {
		args []string
		msg  string
	}{
		{[]string{"scan", "-p", "80"}, "no targets"},
		{[]string{"scan", "-p", "0", "127.0.0.1"}, "0"},
		{[]string{"scan", "-p", "70000", "127.0.0.1"}, "70000"},
		{[]string{"scan", "-p", "22", "127.0.0.300"}, "127.0.0.300"},
		{[]string{"scan", "-p", "22", "-o", "yaml", "127.0.0.1"}, "yaml"},
		{[]string{"scan", "-p", "22", "--top-ports", "10", "127.0.0.1"}, "cannot be combined"},
		{[]string{"scan", "--bogus", "127.0.0.1"}, "bogus"},
		{[]string{"scan", "-p", "22", "--timing", "warp", "127.0.0.1"}, "warp"},
		{[]string{"scan", "-p", "22", "--input-list", "/nonexistent/list", "127.0.0.1"}, "/nonexistent/list"},
		{[]string{"scan", "-p", "22", "10.0.0.0/8"}, "allow-large"},
		{[]string{"nosuchcommand"}, "unknown command"},
	} {
		_, stderr, code := run(t, c.args...)
		if code != ExitUsage {
			t.Errorf("%v: exit %d, want %d (stderr %q)", c.args, code, ExitUsage, stderr)
		}
		if !strings.Contains(stderr, c.msg) {
			t.Errorf("%v: stderr %q does not mention %q", c.args, stderr, c.msg)
		}
	}
}

func TestVersion(t *testing.T) {
	out, _, code := run(t, "--version")
	if code != 0 || !strings.Contains(out, "test") {
		t.Errorf("--version: exit %d output %q", code, out)
	}
}

func TestScanLoopbackJSON(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	open := ln.Addr().(*net.TCPAddr).Port
	list := filepath.Join(t.TempDir(), "targets.txt")
	if err := os.WriteFile(list, []byte("# loopback only\n127.0.0.1\n127.0.0.1 # again: deduplicated\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	out, stderr, code := run(t, "scan", "-iL", list, "-p", strconv.Itoa(open)+",1", "-o", "json", "-T5")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var res scan.Result
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	if len(res.Hosts) != 1 {
		t.Fatalf("%d hosts, want 1 (duplicates removed)", len(res.Hosts))
	}
	h := res.Hosts[0]
	states := map[uint16]scan.PortState{}
	for _, p := range h.Ports {
		states[p.Port] = p.State
	}
	if states[uint16(open)] != scan.Open || states[1] != scan.Closed {
		t.Errorf("states %v, want %d open and 1 closed", states, open)
	}
	if !slices.Contains(res.Args, "-iL") || res.Stats.Endpoints != 2 {
		t.Errorf("args %v endpoints %d", res.Args, res.Stats.Endpoints)
	}
}

func TestNormalizeArgs(t *testing.T) {
	got := normalizeArgs([]string{"scan", "-iL", "f", "-sT", "-T4", "-oX", "o.xml", "-p-", "--", "-T4"})
	want := []string{"scan", "--input-list", "f", "--connect", "--timing", "aggressive", "--output", "xml", "--output-file", "o.xml", "-p-", "--", "-T4"}
	if !slices.Equal(got, want) {
		t.Errorf("got %v\nwant %v", got, want)
	}
}

func TestAllPortsSpec(t *testing.T) {
	// -p- must parse as "every port" through cobra/pflag.
	_, stderr, code := run(t, "scan", "-p-", "--top-ports", "5", "127.0.0.1")
	if code != ExitUsage || !strings.Contains(stderr, "cannot be combined") {
		t.Errorf("-p- was not taken as a port spec: exit %d %q", code, stderr)
	}
}

func TestInputListFromStdin(t *testing.T) {
	var out, errb bytes.Buffer
	code := Main(context.Background(), []string{"scan", "-iL", "-", "-p", "1", "-o", "json"},
		IO{In: strings.NewReader("127.0.0.1 # loopback\n"), Out: &out, Err: &errb}, "test")
	if code != 0 || !strings.Contains(out.String(), `"127.0.0.1"`) {
		t.Errorf("exit %d, stderr %q, output %q", code, errb.String(), out.String())
	}
}

func TestServiceFlagsNeedSV(t *testing.T) {
	for _, args := range [][]string{
		{"scan", "-p", "1", "--sv-timeout", "1s", "127.0.0.1"},
		{"scan", "-p", "1", "--nmap-probes", "auto", "127.0.0.1"},
		{"scan", "-p", "1", "-sV", "--sv-timeout", "0s", "127.0.0.1"},
		{"scan", "-p", "1", "-sV", "--nmap-probes", "/nonexistent/probes", "127.0.0.1"},
	} {
		if _, stderr, code := run(t, args...); code != ExitUsage {
			t.Errorf("%v: exit %d, want 2 (%s)", args, code, stderr)
		}
	}
}

func TestServiceScanLoopback(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			c.Write([]byte("SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u10\r\n"))
			c.Close()
		}
	}()
	port := strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
	out, stderr, code := run(t, "scan", "-sV", "-p", port, "-o", "json", "127.0.0.1")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var res scan.Result
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatal(err)
	}
	svc := res.Hosts[0].Ports[0].Service
	if svc == nil || svc.Name != "ssh" || svc.Product != "OpenSSH" || svc.Version != "9.2p1" || len(svc.CPE) == 0 {
		t.Errorf("service %+v, want ssh OpenSSH 9.2p1 with a CPE", svc)
	}
}
