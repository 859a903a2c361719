package textproto

import (
	"io"
	"net"
	"testing"

	"github.com/portwatch/portwatch/internal/fingerprint"
)

// The VNC exchanges are built from RFC 6143 (no VNC server is run here).

func TestVNCMatchBanner(t *testing.T) {
	for _, c := range []struct {
		banner string
		want   fingerprint.Service
	}{
		{"RFB 003.008\n", fingerprint.Service{Name: "vnc", Extra: "protocol 3.8", Confidence: 7, Method: fingerprint.MethodBanner}},
		{"RFB 003.003\n", fingerprint.Service{Name: "vnc", Extra: "protocol 3.3", Confidence: 7, Method: fingerprint.MethodBanner}},
		{"RFB 003.889\n", fingerprint.Service{Name: "vnc", Product: "Apple remote desktop vnc", OS: "macOS", Extra: "protocol 3.889", Confidence: 7, Method: fingerprint.MethodBanner}},
	} {
		got, ok := (&VNC{}).MatchBanner([]byte(c.banner))
		if !ok {
			t.Errorf("%q: no match", c.banner)
			continue
		}
		c.want.Banner = fingerprint.EscapeBanner([]byte(c.banner))
		checkService(t, got, c.want)
	}
	for _, b := range []string{"", "RFB 003.008", "RFB 3.8\n", "RFB 00x.008\n", "SSH-2.0-x\r\n"} {
		if svc, ok := (&VNC{}).MatchBanner([]byte(b)); ok {
			t.Errorf("%q matched: %+v", b, svc)
		}
	}
}

func TestVNCProbe(t *testing.T) {
	addr := serve(t, func(c net.Conn) {
		_, _ = io.WriteString(c, "RFB 003.008\n")
		ver := make([]byte, 12)
		if _, err := io.ReadFull(c, ver); err != nil || string(ver) != "RFB 003.008\n" {
			t.Errorf("client version %q %v", ver, err)
			return
		}
		_, _ = c.Write([]byte{2, 1, 2}) // None, VNC Authentication
		_, _ = io.Copy(io.Discard, c)
	})
	svc, err := probe(t, &VNC{}, addr, nil)
	if err != nil {
		t.Fatal(err)
	}
	checkService(t, svc, fingerprint.Service{Name: "vnc", Extra: "protocol 3.8; security: None, VNC Authentication", Confidence: 7, Method: fingerprint.MethodProbe})

	old := serve(t, func(c net.Conn) {
		_, _ = io.WriteString(c, "RFB 003.003\n")
		_, _ = io.ReadFull(c, make([]byte, 12))
		_, _ = c.Write([]byte{0, 0, 0, 2})
		_, _ = io.Copy(io.Discard, c)
	})
	svc, err = probe(t, &VNC{}, old, nil)
	if err != nil || svc.Extra != "protocol 3.3; security: VNC Authentication" {
		t.Errorf("3.3: %+v %v", svc, err)
	}
}

func TestVNCNegative(t *testing.T) {
	t.Parallel()
	wantNoMatch(t, &VNC{}, canned(t, "SSH-2.0-OpenSSH_9.2p1\r\n"), true)
	wantNoMatch(t, &VNC{}, silentServer(t), false)
	wantNoMatch(t, &VNC{}, httpServer(t), false)
}
