package textproto

import (
	"testing"

	"github.com/portwatch/portwatch/internal/fingerprint"
)

func TestIMAPMatchBanner(t *testing.T) {
	for _, c := range []struct {
		banner string
		want   fingerprint.Service
	}{
		{"* OK [CAPABILITY IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE LITERAL+ STARTTLS AUTH=PLAIN] Dovecot (Debian) ready.\r\n",
			fingerprint.Service{Name: "imap", Product: "Dovecot imapd", Distro: &fingerprint.Distro{Name: "debian"},
				CPE: []string{"cpe:2.3:a:dovecot:dovecot:*:*:*:*:*:*:*:*"}, Confidence: 10, Method: fingerprint.MethodBanner}},
		{"* OK [CAPABILITY IMAP4rev1 UIDPLUS CHILDREN NAMESPACE STARTTLS] Courier-IMAP ready. Copyright 1998-2018 Double Precision, Inc.  See COPYING for distribution information.\r\n",
			fingerprint.Service{Name: "imap", Product: "Courier imapd",
				CPE: []string{"cpe:2.3:a:courier-mta:courier-imap:*:*:*:*:*:*:*:*"}, Confidence: 10, Method: fingerprint.MethodBanner}},
		{"* OK [CAPABILITY IMAP4rev1 LITERAL+ ID ENABLE] mail.example.org Cyrus IMAP 3.6.1-Debian-3.6.1-4 server ready\r\n",
			fingerprint.Service{Name: "imap", Product: "Cyrus imapd", Version: "3.6.1", Distro: &fingerprint.Distro{Name: "debian", Revision: "3.6.1"},
				CPE: []string{"cpe:2.3:a:cyrusimap:cyrus_imap:3.6.1:*:*:*:*:*:*:*"}, Confidence: 10, Method: fingerprint.MethodBanner}},
		{"* OK The Microsoft Exchange IMAP4 service is ready.\r\n", fingerprint.Service{Name: "imap", Product: "Microsoft Exchange imapd", OS: "Windows",
			CPE: []string{"cpe:2.3:a:microsoft:exchange_server:*:*:*:*:*:*:*:*"}, Confidence: 10, Method: fingerprint.MethodBanner}},
		{"* OK IMAP4rev1 server ready\r\n", fingerprint.Service{Name: "imap", Confidence: 7, Method: fingerprint.MethodBanner}},
		{"* PREAUTH IMAP4rev1 server logged in as alice\r\n", fingerprint.Service{Name: "imap", Confidence: 7, Method: fingerprint.MethodBanner}},
	} {
		got, ok := (&IMAP{}).MatchBanner([]byte(c.banner))
		if !ok {
			t.Errorf("%q: no match", c.banner)
			continue
		}
		c.want.Banner = fingerprint.EscapeBanner([]byte(c.banner))
		checkService(t, got, c.want)
	}
	for _, b := range []string{"", "* OK", "+OK Dovecot ready.\r\n", "220 (vsFTPd 3.0.3)\r\n", "HTTP/1.1 200 OK\r\n"} {
		if svc, ok := (&IMAP{}).MatchBanner([]byte(b)); ok {
			t.Errorf("%q matched: %+v", b, svc)
		}
	}
}

func TestIMAPTranscript(t *testing.T) {
	addr := replay(t, loadTranscript(t, "imap-dovecot-2.3.19.1-debian12.txt"))
	svc, err := probe(t, &IMAP{}, addr, nil)
	if err != nil {
		t.Fatal(err)
	}
	if svc.Product != "Dovecot imapd" || svc.Distro == nil || svc.Distro.Name != "debian" {
		t.Errorf("got %+v", svc)
	}
}

// TestIMAPID: an anonymous greeting, the server and version told by ID.
func TestIMAPID(t *testing.T) {
	addr := canned(t, "* OK IMAP4rev1 ready\r\n",
		"* CAPABILITY IMAP4rev1 ID\r\npw1 OK done\r\n* ID (\"name\" \"Cyrus IMAPD\" \"version\" \"3.6.1-Debian-3.6.1-4\" \"vendor\" \"Project Cyrus\")\r\npw2 OK done\r\n")
	svc, err := probe(t, &IMAP{}, addr, nil)
	if err != nil {
		t.Fatal(err)
	}
	checkService(t, svc, fingerprint.Service{Name: "imap", Product: "Cyrus imapd", Version: "3.6.1",
		Distro: &fingerprint.Distro{Name: "debian", Revision: "3.6.1"},
		CPE:    []string{"cpe:2.3:a:cyrusimap:cyrus_imap:3.6.1:*:*:*:*:*:*:*"}, Confidence: 10, Method: fingerprint.MethodProbe})
}

func TestIMAPNegative(t *testing.T) {
	t.Parallel()
	wantNoMatch(t, &IMAP{}, httpServer(t), false)
	wantNoMatch(t, &IMAP{}, silentServer(t), false)
	wantNoMatch(t, &IMAP{}, canned(t, "+OK Dovecot (Debian) ready.\r\n"), true)
}

// TestIMAPLive runs Debian's dovecot on random loopback ports.
func TestIMAPLive(t *testing.T) {
	addr, _ := startDovecot(t)
	svc := liveProbe(t, &IMAP{}, addr, "imap-dovecot-2.3.19.1-debian12.txt",
		"Debian 12 dovecot-imapd "+debVersion("dovecot-imapd")+", dovecot -F -c <own config> on 127.0.0.1, captured by TestIMAPLive -update")
	if svc.Product != "Dovecot imapd" || svc.Method != fingerprint.MethodBanner {
		t.Errorf("got %+v", svc)
	}
	liveStartTLS(t, &IMAP{}, addr)
}
