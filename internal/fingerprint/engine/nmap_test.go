package engine

import (
	"io"
	"net"
	"strings"
	"testing"

	"github.com/portwatch/portwatch/internal/fingerprint"
	"github.com/portwatch/portwatch/internal/fingerprint/nmapprobe"
)

// TestNmapProbesFallback checks that the optional probe file is asked only
// after the native fingerprinters failed, with the banner already read
// standing in for its NULL probe.
func TestNmapProbesFallback(t *testing.T) {
	set, err := nmapprobe.Load("../nmapprobe/testdata/probes.txt")
	if err != nil {
		t.Fatal(err)
	}
	banner := serve(t, func(c net.Conn) {
		_, _ = c.Write([]byte("PWTEST 1.2.3 (lab)\r\n"))
		_, _ = io.Copy(io.Discard, c)
	})
	svc := identify(t, Options{NmapProbes: set}, local(banner))
	if svc.Name != "pwtest" || svc.Version != "1.2.3" || svc.Method != fingerprint.MethodNmapProbe ||
		len(svc.CPE) != 1 || svc.Banner != `PWTEST 1.2.3 (lab)\r\n` {
		t.Errorf("got %+v", svc)
	}
	// Silent until asked HELLO; the fake HTTP fingerprinter fails first.
	hello := serve(t, lines("", func(l string) string {
		if l == "HELLO" {
			return "HI there\r\nVER 2_0\r\n"
		}
		return ""
	}))
	tgt, r := at(80, hello)
	svc = identify(t, Options{Dial: r.dial, NmapProbes: set}, tgt)
	if svc.Name != "pwhello" || svc.Version != "2.0" || svc.Method != fingerprint.MethodNmapProbe {
		t.Errorf("got %+v", svc)
	}
	// Native identification wins; the probe file is not needed.
	ssh := serve(t, greetThenDrain("SSH-2.0-OpenSSH_9.2p1\r\n"))
	if svc = identify(t, Options{NmapProbes: set}, local(ssh)); svc.Method != fingerprint.MethodBanner {
		t.Errorf("got %+v", svc)
	}
}

func TestIPv6(t *testing.T) {
	ln, err := net.Listen("tcp", "[::1]:0")
	if err != nil {
		t.Skip("no IPv6 loopback:", err)
	}
	ln.Close()
	ap := serve6(t, greetThenDrain("SSH-2.0-OpenSSH_9.2p1\r\n"))
	if svc := identify(t, Options{}, local(ap)); svc.Name != "ssh" || !strings.HasPrefix(ap.String(), "[::1]") {
		t.Errorf("%s: got %+v", ap, svc)
	}
}
