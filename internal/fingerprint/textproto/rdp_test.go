package textproto

import (
	"bytes"
	"io"
	"net"
	"testing"

	"github.com/portwatch/portwatch/internal/fingerprint"
)

// The RDP answers are built from [MS-RDPBCGR] 2.2.1.2 (no RDP server is
// run here): TPKT + X.224 Connection Confirm + RDP_NEG_RSP/FAILURE.
func rdpServer(t *testing.T, answer []byte) fingerprint.Service {
	t.Helper()
	addr := serve(t, func(c net.Conn) {
		req := make([]byte, len(rdpRequest))
		if _, err := io.ReadFull(c, req); err != nil || !bytes.Equal(req, rdpRequest) {
			return
		}
		_, _ = c.Write(answer)
		_, _ = io.Copy(io.Discard, c)
	})
	svc, err := probe(t, &RDP{}, addr, nil)
	if err != nil {
		t.Fatal(err)
	}
	return svc
}

func TestRDP(t *testing.T) {
	for _, c := range []struct {
		answer []byte
		extra  string
		conf   int
	}{
		{[]byte{3, 0, 0, 19, 14, 0xd0, 0, 0, 0x12, 0x34, 0, 2, 0x1f, 8, 0, 2, 0, 0, 0}, "security: CredSSP (NLA)", 7},
		{[]byte{3, 0, 0, 19, 14, 0xd0, 0, 0, 0x12, 0x34, 0, 2, 0x00, 8, 0, 1, 0, 0, 0}, "security: TLS", 7},
		{[]byte{3, 0, 0, 19, 14, 0xd0, 0, 0, 0x12, 0x34, 0, 3, 0x00, 8, 0, 5, 0, 0, 0}, "negotiation failure: CredSSP required by server", 7},
		{[]byte{3, 0, 0, 11, 6, 0xd0, 0, 0, 0x12, 0x34, 0}, "no RDP negotiation (standard RDP security)", 5},
	} {
		svc := rdpServer(t, c.answer)
		checkService(t, svc, fingerprint.Service{Name: "ms-wbt-server", Extra: c.extra, Confidence: c.conf, Method: fingerprint.MethodProbe})
	}
}

func TestRDPNegative(t *testing.T) {
	t.Parallel()
	if _, ok := (&RDP{}).MatchBanner([]byte("RFB 003.008\n")); ok {
		t.Error("banner matched")
	}
	wantNoMatch(t, &RDP{}, httpServer(t), true)
	wantNoMatch(t, &RDP{}, canned(t, "SSH-2.0-OpenSSH_9.2p1\r\n"), true)
	wantNoMatch(t, &RDP{}, silentServer(t), false)
	// A TPKT answer that is not a Connection Confirm (a Disconnect Request).
	wantNoMatch(t, &RDP{}, canned(t, "", "\x03\x00\x00\x0b\x06\x80\x00\x00\x12\x34\x00"), true)
}
