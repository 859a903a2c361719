package textproto

import (
	"testing"

	"github.com/portwatch/portwatch/internal/fingerprint"
)

func TestPOP3MatchBanner(t *testing.T) {
	for _, c := range []struct {
		banner string
		want   fingerprint.Service
	}{
		{"+OK Dovecot (Debian) ready.\r\n", fingerprint.Service{Name: "pop3", Product: "Dovecot pop3d", Distro: &fingerprint.Distro{Name: "debian"},
			CPE: []string{"cpe:2.3:a:dovecot:dovecot:*:*:*:*:*:*:*:*"}, Confidence: 10, Method: fingerprint.MethodBanner}},
		{"+OK Hello there.\r\n", fingerprint.Service{Name: "pop3", Product: "Courier pop3d",
			CPE: []string{"cpe:2.3:a:courier-mta:courier-imap:*:*:*:*:*:*:*:*"}, Confidence: 10, Method: fingerprint.MethodBanner}},
		{"+OK mail.example.org Cyrus POP3 v3.6.1-Debian-3.6.1-4 server ready <123@mail>\r\n", fingerprint.Service{Name: "pop3", Product: "Cyrus pop3d", Version: "3.6.1",
			Distro: &fingerprint.Distro{Name: "debian", Revision: "3.6.1"},
			CPE:    []string{"cpe:2.3:a:cyrusimap:cyrus_imap:3.6.1:*:*:*:*:*:*:*"}, Confidence: 10, Method: fingerprint.MethodBanner}},
		{"+OK POP3 ready <1896.697170952@dbc.mtview.ca.us>\r\n", fingerprint.Service{Name: "pop3", Confidence: 7, Method: fingerprint.MethodBanner}},
	} {
		got, ok := (&POP3{}).MatchBanner([]byte(c.banner))
		if !ok {
			t.Errorf("%q: no match", c.banner)
			continue
		}
		c.want.Banner = fingerprint.EscapeBanner([]byte(c.banner))
		checkService(t, got, c.want)
	}
	for _, b := range []string{"", "+OK", "+OKAY\r\n", "* OK IMAP4 ready\r\n", "-ERR go away\r\n", "220 (vsFTPd 3.0.3)\r\n"} {
		if svc, ok := (&POP3{}).MatchBanner([]byte(b)); ok {
			t.Errorf("%q matched: %+v", b, svc)
		}
	}
}

func TestPOP3Transcript(t *testing.T) {
	addr := replay(t, loadTranscript(t, "pop3-dovecot-2.3.19.1-debian12.txt"))
	svc, err := probe(t, &POP3{}, addr, nil)
	if err != nil {
		t.Fatal(err)
	}
	if svc.Product != "Dovecot pop3d" || svc.Distro == nil || svc.Distro.Name != "debian" {
		t.Errorf("got %+v", svc)
	}
}

// TestPOP3Implementation: an anonymous greeting, the server told by CAPA.
func TestPOP3Implementation(t *testing.T) {
	addr := canned(t, "+OK ready\r\n", "+OK\r\nTOP\r\nUIDL\r\nIMPLEMENTATION Cyrus POP3 v3.6.1\r\nSTLS\r\n.\r\n")
	svc, err := probe(t, &POP3{}, addr, nil)
	if err != nil {
		t.Fatal(err)
	}
	checkService(t, svc, fingerprint.Service{Name: "pop3", Product: "Cyrus pop3d", Version: "3.6.1",
		CPE: []string{"cpe:2.3:a:cyrusimap:cyrus_imap:3.6.1:*:*:*:*:*:*:*"}, Confidence: 10, Method: fingerprint.MethodProbe})
}

func TestPOP3Negative(t *testing.T) {
	t.Parallel()
	wantNoMatch(t, &POP3{}, httpServer(t), false)
	wantNoMatch(t, &POP3{}, silentServer(t), false)
	wantNoMatch(t, &POP3{}, canned(t, "* OK [CAPABILITY IMAP4rev1] ready\r\n"), true)
}

// TestPOP3Live runs Debian's dovecot on random loopback ports.
func TestPOP3Live(t *testing.T) {
	_, addr := startDovecot(t)
	svc := liveProbe(t, &POP3{}, addr, "pop3-dovecot-2.3.19.1-debian12.txt",
		"Debian 12 dovecot-pop3d "+debVersion("dovecot-pop3d")+", dovecot -F -c <own config> on 127.0.0.1, captured by TestPOP3Live -update")
	if svc.Product != "Dovecot pop3d" || svc.Method != fingerprint.MethodBanner {
		t.Errorf("got %+v", svc)
	}
	liveStartTLS(t, &POP3{}, addr)
}
