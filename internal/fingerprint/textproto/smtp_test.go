package textproto

import (
	"testing"

	"github.com/portwatch/portwatch/internal/fingerprint"
)

func TestSMTPMatchBanner(t *testing.T) {
	for _, c := range []struct {
		banner string
		want   fingerprint.Service
	}{
		{"220 mx.example.org ESMTP Postfix (Debian/GNU)\r\n", fingerprint.Service{Name: "smtp", Product: "Postfix smtpd", Hostname: "mx.example.org",
			Distro: &fingerprint.Distro{Name: "debian"},
			CPE:    []string{"cpe:2.3:a:postfix:postfix:*:*:*:*:*:*:*:*"}, Confidence: 10, Method: fingerprint.MethodBanner}},
		{"220 mx.example.org ESMTP Exim 4.96 Sat, 21 Nov 2026 19:20:34 +0000\r\n", fingerprint.Service{Name: "smtp", Product: "Exim smtpd", Version: "4.96", Hostname: "mx.example.org",
			CPE: []string{"cpe:2.3:a:exim:exim:4.96:*:*:*:*:*:*:*"}, Confidence: 10, Method: fingerprint.MethodBanner}},
		{"220 h.example.com ESMTP Sendmail 8.17.1.9/8.17.1.9/Debian-2; Sat, 21 Nov 2026 19:20:34 GMT\r\n", fingerprint.Service{Name: "smtp", Product: "Sendmail", Version: "8.17.1.9", Hostname: "h.example.com",
			Distro: &fingerprint.Distro{Name: "debian", Revision: "2"},
			CPE:    []string{"cpe:2.3:a:sendmail:sendmail:8.17.1.9:*:*:*:*:*:*:*"}, Confidence: 10, Method: fingerprint.MethodBanner}},
		{"220 smtpd.example.net ESMTP OpenSMTPD\r\n", fingerprint.Service{Name: "smtp", Product: "OpenSMTPD", Hostname: "smtpd.example.net",
			CPE: []string{"cpe:2.3:a:openbsd:opensmtpd:*:*:*:*:*:*:*:*"}, Confidence: 10, Method: fingerprint.MethodBanner}},
		{"220 EX01.corp.example Microsoft ESMTP MAIL Service, Version: 10.0.17763.1697 ready at  Sat, 21 Nov 2026 19:20:34 +0000\r\n",
			fingerprint.Service{Name: "smtp", Product: "Microsoft ESMTP", Version: "10.0.17763.1697", Hostname: "EX01.corp.example", OS: "Windows",
				CPE: []string{"cpe:2.3:o:microsoft:windows:*:*:*:*:*:*:*:*"}, Confidence: 10, Method: fingerprint.MethodBanner}},
		{"220-mail.example.org ESMTP\r\n220 no spam please\r\n", fingerprint.Service{Name: "smtp", Hostname: "mail.example.org", Confidence: 7, Method: fingerprint.MethodBanner}},
	} {
		got, ok := (&SMTP{}).MatchBanner([]byte(c.banner))
		if !ok {
			t.Errorf("%q: no match", c.banner)
			continue
		}
		c.want.Banner = fingerprint.EscapeBanner([]byte(c.banner))
		checkService(t, got, c.want)
	}
	for _, b := range []string{"", "220 (vsFTPd 3.0.3)\r\n", "220 ready\r\n", "+OK Dovecot ready.\r\n", "554 5.7.1 go away\r\n"} {
		if svc, ok := (&SMTP{}).MatchBanner([]byte(b)); ok {
			t.Errorf("%q matched: %+v", b, svc)
		}
	}
}

func TestSMTPTranscript(t *testing.T) {
	addr := replay(t, loadTranscript(t, "smtp-exim-4.96-debian12.txt"))
	svc, err := probe(t, &SMTP{}, addr, nil)
	if err != nil {
		t.Fatal(err)
	}
	if svc.Product != "Exim smtpd" || svc.Version != "4.96" || svc.Hostname != "mx.portwatch.test" {
		t.Errorf("got %+v", svc)
	}
}

// TestSMTPEHLOProduct: a customised greeting, the mailer told by EHLO.
func TestSMTPEHLOProduct(t *testing.T) {
	addr := canned(t, "220 mail.example.org ready\r\n",
		"250-mail.example.org Hello portwatch.invalid [127.0.0.1], pleased to meet you\r\n250-ENHANCEDSTATUSCODES\r\n250 HELP\r\n")
	svc, err := probe(t, &SMTP{}, addr, nil)
	if err != nil {
		t.Fatal(err)
	}
	checkService(t, svc, fingerprint.Service{Name: "smtp", Product: "Sendmail", Hostname: "mail.example.org",
		CPE: []string{"cpe:2.3:a:sendmail:sendmail:*:*:*:*:*:*:*:*"}, Confidence: 10, Method: fingerprint.MethodProbe})
}

func TestSMTPNegative(t *testing.T) {
	t.Parallel()
	wantNoMatch(t, &SMTP{}, httpServer(t), false)
	wantNoMatch(t, &SMTP{}, silentServer(t), false)
	// An FTP server greets with 220 too, but does not know EHLO.
	wantNoMatch(t, &SMTP{}, canned(t, "220 Service ready\r\n", "500 Unknown command.\r\n"), true)
	wantNoMatch(t, &SMTP{}, canned(t, "SSH-2.0-OpenSSH_9.2p1\r\n"), true)
}

// TestSMTPLive runs Debian's exim4 on a random loopback port.
func TestSMTPLive(t *testing.T) {
	addr := startExim(t)
	svc := liveProbe(t, &SMTP{}, addr, "smtp-exim-4.96-debian12.txt",
		"Debian 12 exim4-daemon-light "+debVersion("exim4-daemon-light")+", exim4 -bdf -C <own config> on 127.0.0.1, captured by TestSMTPLive -update")
	if svc.Product != "Exim smtpd" || svc.Version == "" || svc.Method != fingerprint.MethodBanner {
		t.Errorf("got %+v", svc)
	}
	liveStartTLS(t, &SMTP{}, addr)
}
