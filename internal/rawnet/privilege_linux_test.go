package rawnet

import (
	"os"
	"strings"
	"testing"
)

func TestCanRaw(t *testing.T) {
	ok, reason := CanRaw()
	switch {
	case os.Geteuid() == 0:
		if !ok || reason != "running as root" {
			t.Fatalf("as root: %v %q", ok, reason)
		}
	case ok:
		if reason != "has CAP_NET_RAW" {
			t.Fatalf("unprivileged but able: %q", reason)
		}
	default:
		if !strings.Contains(reason, "CAP_NET_RAW") || !strings.Contains(reason, "setcap cap_net_raw+ep") {
			t.Fatalf("reason %q", reason)
		}
	}
}
