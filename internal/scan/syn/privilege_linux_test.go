package syn

import (
	"context"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestLabCapability runs a copy of this test binary as user nobody in the
// scanner namespace: without file capabilities it must refuse raw sockets
// and say why; after `setcap cap_net_raw+ep` it must SYN-scan h1.
func TestLabCapability(t *testing.T) {
	tr := needLab(t)
	setcap, err := exec.LookPath("setcap")
	if err != nil {
		t.Skip("setcap not installed (Debian package libcap2-bin)")
	}
	setpriv, err := exec.LookPath("setpriv")
	if err != nil {
		t.Skip("setpriv not installed (Debian package util-linux)")
	}
	helper := copySelf(t)
	h1, _ := tr.Host("h1")
	run := func() helperReport {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		cmd := tr.ScannerCmd(ctx, setpriv, "--reuid=nobody", "--regid=nogroup", "--clear-groups", helper)
		cmd.Env = append(cmd.Env, helperEnv+"="+h1.IPv4+":22,1")
		cmd.Dir = filepath.Dir(helper)
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("helper: %v\n%s", err, out)
		}
		var rep helperReport
		if err := json.Unmarshal(out, &rep); err != nil {
			t.Fatalf("helper output %q: %v", out, err)
		}
		return rep
	}

	rep := run()
	if rep.UID == 0 || rep.CanRaw {
		t.Fatalf("without the capability: %+v", rep)
	}
	for _, want := range []string{"CAP_NET_RAW", "setcap cap_net_raw+ep", "operation not permitted"} {
		if !strings.Contains(rep.Reason, want) {
			t.Errorf("reason %q does not mention %q", rep.Reason, want)
		}
	}

	if out, err := exec.Command(setcap, "cap_net_raw+ep", helper).CombinedOutput(); err != nil {
		t.Fatalf("setcap: %v\n%s", err, out)
	}
	rep = run()
	if rep.UID == 0 || !rep.CanRaw || rep.Reason != "has CAP_NET_RAW" || rep.Error != "" {
		t.Fatalf("with the capability: %+v", rep)
	}
	if rep.Ports["22"] != "open/syn-ack" || rep.Ports["1"] != "closed/rst" {
		t.Fatalf("scan as nobody with CAP_NET_RAW: %v", rep.Ports)
	}
}

// copySelf copies the test binary where user nobody can run it.
func copySelf(t *testing.T) string {
	t.Helper()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	dir, err := os.MkdirTemp("", "pwf-cap-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	dst := filepath.Join(dir, "syn-helper")
	in, err := os.Open(self)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o755)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(out, in); err != nil {
		t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
	return dst
}
