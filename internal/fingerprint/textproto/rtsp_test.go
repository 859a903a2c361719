package textproto

import (
	"bufio"
	"io"
	"net"
	"strings"
	"testing"

	"github.com/portwatch/portwatch/internal/fingerprint"
)

// The RTSP answers are built from RFC 2326 section 10.1's OPTIONS example
// (no RTSP server is run here).

// rtspServer checks the OPTIONS request and answers it.
func rtspServer(t *testing.T, answer string) fingerprint.Service {
	t.Helper()
	addr := serve(t, func(c net.Conn) {
		r := bufio.NewReader(c)
		line, err := r.ReadString('\n')
		if err != nil || !strings.HasPrefix(line, "OPTIONS rtsp://127.0.0.1:") || !strings.HasSuffix(line, "/ RTSP/1.0\r\n") {
			t.Errorf("request line %q %v", line, err)
			return
		}
		for {
			l, err := r.ReadString('\n')
			if err != nil || l == "\r\n" {
				break
			}
		}
		_, _ = io.WriteString(c, answer)
		_, _ = io.Copy(io.Discard, r)
	})
	svc, err := probe(t, &RTSP{}, addr, nil)
	if err != nil {
		t.Fatal(err)
	}
	return svc
}

func TestRTSP(t *testing.T) {
	svc := rtspServer(t, "RTSP/1.0 200 OK\r\nCSeq: 1\r\nServer: GStreamer RTSP server\r\nPublic: OPTIONS, DESCRIBE, SETUP, PLAY, TEARDOWN\r\n\r\n")
	checkService(t, svc, fingerprint.Service{Name: "rtsp", Product: "GStreamer RTSP server", Confidence: 10, Method: fingerprint.MethodProbe})
	svc = rtspServer(t, "RTSP/1.0 200 OK\r\nCSeq: 1\r\nServer: Wowza Streaming Engine 4.8.26+4 build20231115\r\n\r\n")
	checkService(t, svc, fingerprint.Service{Name: "rtsp", Product: "Wowza Streaming Engine", Version: "4.8.26", Confidence: 10, Method: fingerprint.MethodProbe})
	svc = rtspServer(t, "RTSP/1.0 401 Unauthorized\r\nCSeq: 1\r\nWWW-Authenticate: Digest realm=\"cam\"\r\n\r\n")
	checkService(t, svc, fingerprint.Service{Name: "rtsp", Confidence: 7, Method: fingerprint.MethodProbe})
}

func TestRTSPNegative(t *testing.T) {
	t.Parallel()
	if _, ok := (&RTSP{}).MatchBanner([]byte("RTSP/1.0 200 OK\r\n")); ok {
		t.Error("banner matched")
	}
	wantNoMatch(t, &RTSP{}, httpServer(t), true)
	wantNoMatch(t, &RTSP{}, canned(t, "SSH-2.0-OpenSSH_9.2p1\r\n"), true)
	wantNoMatch(t, &RTSP{}, silentServer(t), false)
}
