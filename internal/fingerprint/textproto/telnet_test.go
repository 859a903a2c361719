package textproto

import (
	"bytes"
	"io"
	"net"
	"testing"

	"github.com/portwatch/portwatch/internal/fingerprint"
)

// Negotiation as inetutils telnetd opens it (RFC 854/1091/1073/1079):
// DO TERMINAL-TYPE, DO TSPEED, DO XDISPLOC, DO NEW-ENVIRON. Built from
// the RFCs; no telnet daemon is run here.
var telnetOpen = []byte{255, 253, 24, 255, 253, 32, 255, 253, 35, 255, 253, 39}

func TestTelnetMatchBanner(t *testing.T) {
	svc, ok := (&Telnet{}).MatchBanner(telnetOpen)
	if !ok {
		t.Fatal("no match")
	}
	checkService(t, svc, fingerprint.Service{Name: "telnet", Confidence: 7, Method: fingerprint.MethodBanner})
	withPrompt := append(append([]byte(nil), telnetOpen...), "\r\nDebian GNU/Linux 12\r\nrouter1 login: "...)
	svc, _ = (&Telnet{}).MatchBanner(withPrompt)
	checkService(t, svc, fingerprint.Service{Name: "telnet", Extra: "login prompt", Hostname: "router1", Confidence: 7, Method: fingerprint.MethodBanner})
	for _, b := range []string{"", "login: ", "\xff", "SSH-2.0-x\r\n", "\xff\x01\x02"} {
		if svc, ok := (&Telnet{}).MatchBanner([]byte(b)); ok {
			t.Errorf("%q matched: %+v", b, svc)
		}
	}
}

// TestTelnetProbe: the server negotiates, expects refusals, then prompts.
func TestTelnetProbe(t *testing.T) {
	addr := serve(t, func(c net.Conn) {
		if _, err := c.Write(telnetOpen); err != nil {
			return
		}
		want := []byte{255, 252, 24, 255, 252, 32, 255, 252, 35, 255, 252, 39}
		got := make([]byte, len(want))
		if _, err := io.ReadFull(c, got); err != nil || !bytes.Equal(got, want) {
			t.Errorf("refusals: got %v, want %v (%v)", got, want, err)
			return
		}
		_, _ = c.Write([]byte("\r\nUser Access Verification\r\n\r\nUsername: "))
		_, _ = io.Copy(io.Discard, c)
	})
	svc, err := probe(t, &Telnet{}, addr, nil)
	if err != nil {
		t.Fatal(err)
	}
	checkService(t, svc, fingerprint.Service{Name: "telnet", Extra: "login prompt", Confidence: 7, Method: fingerprint.MethodProbe})
}

func TestTelnetNegative(t *testing.T) {
	t.Parallel()
	wantNoMatch(t, &Telnet{}, canned(t, "SSH-2.0-OpenSSH_9.2p1\r\n"), true)
	wantNoMatch(t, &Telnet{}, silentServer(t), false)
	wantNoMatch(t, &Telnet{}, httpServer(t), false)
}
