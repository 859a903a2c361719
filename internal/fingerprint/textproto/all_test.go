package textproto

import "testing"

// TestAll checks that every fingerprinter is registered once, under a
// distinct nmap-style name, with ports.
func TestAll(t *testing.T) {
	want := []string{"ssh", "ftp", "smtp", "pop3", "imap", "telnet", "vnc", "ms-wbt-server", "microsoft-ds", "ldap", "domain", "rtsp", "sip"}
	seen := map[string]bool{}
	for _, f := range All() {
		if seen[f.Name()] {
			t.Errorf("%s registered twice", f.Name())
		}
		seen[f.Name()] = true
		if len(f.Ports()) == 0 {
			t.Errorf("%s has no ports", f.Name())
		}
		if _, ok := f.MatchBanner(nil); ok {
			t.Errorf("%s matched an empty banner", f.Name())
		}
	}
	for _, n := range want {
		if !seen[n] {
			t.Errorf("%s missing from All", n)
		}
	}
	if len(seen) != len(want) {
		t.Errorf("%d fingerprinters, want %d", len(seen), len(want))
	}
}

// FuzzMatchBanner feeds arbitrary banners to every fingerprinter: no
// panic, and a match keeps the banner bounded and names the service.
func FuzzMatchBanner(f *testing.F) {
	for _, s := range []string{
		"SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u10\r\n", "220 (vsFTPd 3.0.3)\r\n",
		"220 mx ESMTP Exim 4.96\r\n", "+OK Dovecot (Debian) ready.\r\n",
		"* OK [CAPABILITY IMAP4rev1] Dovecot ready.\r\n", "\xff\xfd\x18\xff\xfd\x20", "RFB 003.008\n",
		"220-FileZilla Server version 0.9.60 beta\r\n220 x\r\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, banner []byte) {
		for _, fp := range All() {
			svc, ok := fp.MatchBanner(banner)
			if !ok {
				continue
			}
			if svc.Name == "" || len(svc.Banner) > 600 {
				t.Fatalf("%s: bad service %+v", fp.Name(), svc)
			}
		}
	})
}
