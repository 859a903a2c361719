package textproto

import (
	"bufio"
	"io"
	"net"
	"strings"
	"testing"

	"github.com/portwatch/portwatch/internal/fingerprint"
)

// The SIP answers are built from RFC 3261 section 11.2's OPTIONS response
// (no SIP server is run here).

// sipServer checks the OPTIONS request and answers with the given
// header, echoing Via, From, To, Call-ID and CSeq as a server must.
func sipServer(t *testing.T, header string) fingerprint.Service {
	t.Helper()
	addr := serve(t, func(c net.Conn) {
		r := bufio.NewReader(c)
		line, err := r.ReadString('\n')
		if err != nil || !strings.HasPrefix(line, "OPTIONS sip:portwatch@127.0.0.1:") || !strings.HasSuffix(line, " SIP/2.0\r\n") {
			t.Errorf("request line %q %v", line, err)
			return
		}
		var echo strings.Builder
		for {
			l, err := r.ReadString('\n')
			if err != nil || l == "\r\n" {
				break
			}
			for _, h := range []string{"Via:", "From:", "To:", "Call-ID:", "CSeq:"} {
				if strings.HasPrefix(l, h) {
					echo.WriteString(l)
				}
			}
		}
		if !strings.Contains(echo.String(), "branch=z9hG4bK") {
			t.Errorf("Via without an RFC 3261 branch: %q", echo.String())
		}
		_, _ = io.WriteString(c, "SIP/2.0 200 OK\r\n"+echo.String()+header+"Allow: INVITE, ACK, CANCEL, OPTIONS, BYE\r\nContent-Length: 0\r\n\r\n")
		_, _ = io.Copy(io.Discard, r)
	})
	svc, err := probe(t, &SIP{}, addr, nil)
	if err != nil {
		t.Fatal(err)
	}
	return svc
}

func TestSIP(t *testing.T) {
	for _, c := range []struct {
		header string
		want   fingerprint.Service
	}{
		{"Server: Asterisk PBX 18.10.0~dfsg+~cs6.10.40431411-2\r\n", fingerprint.Service{Name: "sip", Product: "Asterisk", Version: "18.10.0",
			CPE: []string{"cpe:2.3:a:digium:asterisk:18.10.0:*:*:*:*:*:*:*"}, Confidence: 10, Method: fingerprint.MethodProbe}},
		{"User-Agent: FPBX-16.0.40(18.20.0)\r\n", fingerprint.Service{Name: "sip", Product: "Asterisk", Version: "18.20.0", Extra: "FreePBX 16.0.40",
			CPE: []string{"cpe:2.3:a:digium:asterisk:18.20.0:*:*:*:*:*:*:*"}, Confidence: 10, Method: fingerprint.MethodProbe}},
		{"User-Agent: FreeSWITCH-mod_sofia/1.10.9-release~64bit\r\n", fingerprint.Service{Name: "sip", Product: "FreeSWITCH", Version: "1.10.9",
			CPE: []string{"cpe:2.3:a:freeswitch:freeswitch:1.10.9:*:*:*:*:*:*:*"}, Confidence: 10, Method: fingerprint.MethodProbe}},
		{"Server: kamailio (5.6.4 (x86_64/linux))\r\n", fingerprint.Service{Name: "sip", Product: "Kamailio", Version: "5.6.4",
			CPE: []string{"cpe:2.3:a:kamailio:kamailio:5.6.4:*:*:*:*:*:*:*"}, Confidence: 10, Method: fingerprint.MethodProbe}},
		{"", fingerprint.Service{Name: "sip", Confidence: 7, Method: fingerprint.MethodProbe}},
	} {
		checkService(t, sipServer(t, c.header), c.want)
	}
}

func TestSIPNegative(t *testing.T) {
	t.Parallel()
	if _, ok := (&SIP{}).MatchBanner([]byte("SIP/2.0 200 OK\r\n")); ok {
		t.Error("banner matched")
	}
	wantNoMatch(t, &SIP{}, httpServer(t), true)
	wantNoMatch(t, &SIP{}, canned(t, "SSH-2.0-OpenSSH_9.2p1\r\n"), true)
	wantNoMatch(t, &SIP{}, silentServer(t), false)
	wantNoMatch(t, &SIP{}, canned(t, "", "RTSP/1.0 400 Bad Request\r\n\r\n"), true)
}
