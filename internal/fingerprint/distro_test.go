package fingerprint

import (
	"strings"
	"testing"
)

func TestParseDistro(t *testing.T) {
	for _, c := range []struct {
		in   string
		want *Distro
	}{
		// Debian: OpenSSH banners, bare revisions, security and point updates, backports.
		{"SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u10", &Distro{Name: "debian", Release: "12", Revision: "2+deb12u10"}},
		{"Debian-2+deb12u10", &Distro{Name: "debian", Release: "12", Revision: "2+deb12u10"}},
		{"2+deb12u10", &Distro{Name: "debian", Release: "12", Revision: "2+deb12u10"}},
		{"+deb11u3", &Distro{Name: "debian", Release: "11", Revision: "+deb11u3"}},
		{"1.2.3-1+deb11u3", &Distro{Name: "debian", Release: "11", Revision: "1+deb11u3"}},
		{"5.5.5-10.11.6-MariaDB-0+deb12u1", &Distro{Name: "debian", Release: "12", Revision: "0+deb12u1"}},
		{"9.18.28-1~deb12u2-Debian", &Distro{Name: "debian", Release: "12", Revision: "1~deb12u2"}},
		{"PostgreSQL 15.5 (Debian 15.5-0+deb12u1) on x86_64-pc-linux-gnu", &Distro{Name: "debian", Release: "12", Revision: "0+deb12u1"}},
		{"2.4.1-1~bpo12+1", &Distro{Name: "debian", Release: "12", Revision: "1~bpo12+1"}},
		{"1.0-1~bpo70+1", &Distro{Name: "debian", Release: "7", Revision: "1~bpo70+1"}},
		{"1.0-1~bpo10+1", &Distro{Name: "debian", Release: "10", Revision: "1~bpo10+1"}},
		{"SSH-2.0-OpenSSH_9.6p1 Debian-5", &Distro{Name: "debian", Revision: "5"}},
		{"Apache/2.4.62 (Debian)", &Distro{Name: "debian"}},
		{"220 mail.example.org ESMTP Postfix (Debian/GNU)", &Distro{Name: "debian"}},
		{"Samba 4.17.12-Debian", &Distro{Name: "debian"}},
		{"SSH-2.0-OpenSSH_8.4p1 Raspbian-5+deb11u3", &Distro{Name: "raspbian", Release: "11", Revision: "5+deb11u3"}},
		// Ubuntu: the release is known only from SRU/security rebuild revisions.
		{"SSH-2.0-OpenSSH_8.9p1 Ubuntu-3ubuntu0.10", &Distro{Name: "ubuntu", Revision: "3ubuntu0.10"}},
		{"Ubuntu-3ubuntu0.10", &Distro{Name: "ubuntu", Revision: "3ubuntu0.10"}},
		{"0ubuntu0.22.04.1", &Distro{Name: "ubuntu", Release: "22.04", Revision: "0ubuntu0.22.04.1"}},
		{"8.0.36-0ubuntu0.22.04.1", &Distro{Name: "ubuntu", Release: "22.04", Revision: "0ubuntu0.22.04.1"}},
		{"9.18.18-0ubuntu0.20.04.2-Ubuntu", &Distro{Name: "ubuntu", Release: "20.04", Revision: "0ubuntu0.20.04.2"}},
		{"1.2-1ubuntu1~24.04.1", &Distro{Name: "ubuntu", Release: "24.04", Revision: "1ubuntu1~24.04.1"}},
		{"1:9.6p1-3ubuntu13.10", &Distro{Name: "ubuntu", Revision: "3ubuntu13.10"}},
		{"nginx/1.18.0 (Ubuntu)", &Distro{Name: "ubuntu"}},
		// Red Hat family, Fedora, Amazon.
		{"2.4.37-62.el8", &Distro{Name: "rhel", Release: "8", Revision: "62.el8"}},
		{"5.7.4-1.el9_3", &Distro{Name: "rhel", Release: "9", Revision: "1.el9_3"}},
		{"2.4.37-62.module+el8.9.0+19699+7a7a2044", &Distro{Name: "rhel", Release: "8", Revision: "62.module+el8.9.0+19699+7a7a2044"}},
		{".el8", &Distro{Name: "rhel", Release: "8", Revision: ".el8"}},
		{"Apache/2.4.37 (Red Hat Enterprise Linux)", &Distro{Name: "rhel"}},
		{"Apache/2.4.6 (Red Hat)", &Distro{Name: "rhel"}},
		{"Apache/2.4.6 (CentOS) OpenSSL/1.0.2k-fips", &Distro{Name: "centos"}},
		{"Apache/2.4.6 (CentOS) 2.4.6-99.el7", &Distro{Name: "centos", Release: "7", Revision: "99.el7"}},
		{"1.24.0-1.fc39", &Distro{Name: "fedora", Release: "39", Revision: "1.fc39"}},
		{"fc39", &Distro{Name: "fedora", Release: "39", Revision: "fc39"}},
		{"8.7p1-8.amzn2023.0.4", &Distro{Name: "amzn", Release: "2023", Revision: "8.amzn2023.0.4"}},
		// Alpine, BSD.
		{"9.6_p1-r0", &Distro{Name: "alpine", Revision: "r0"}},
		{"openssh-9.6_p1-r0", &Distro{Name: "alpine", Revision: "r0"}},
		{"SSH-2.0-OpenSSH_9.4 FreeBSD-20230316", &Distro{Name: "freebsd", Revision: "20230316"}},
		// Nothing recognisable.
		{"", nil},
		{"SSH-2.0-OpenSSH_9.6", nil},
		{"SSH-2.0-dropbear_2022.83", nil},
		{"nginx/1.24.0", nil},
		{"220 debian.example.org ESMTP Exim 4.96", nil},
		{"220 debian-mail ESMTP", nil},
		{"Welcome to Ubuntu mail", nil},
		{"1.2.3-r1", nil}, // Gentoo or Alpine: ambiguous
		{"kernel-el8x", nil},
		{"model.fc3", nil},
		{"3ubuntu", &Distro{Name: "ubuntu", Revision: "3ubuntu"}},
		{"ubuntu0.22.04", nil},
		{"(Unix)", nil},
		{"(Win64)", nil},
		{"dnsmasq-2.89", nil},
	} {
		got := ParseDistro(c.in)
		if !distroEqual(got, c.want) {
			t.Errorf("ParseDistro(%q) = %+v, want %+v", c.in, got, c.want)
		}
	}
}

func distroEqual(a, b *Distro) bool {
	if a == nil || b == nil {
		return a == b
	}
	return *a == *b
}

func FuzzParseDistro(f *testing.F) {
	for _, s := range []string{
		"SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u10", "0ubuntu0.22.04.1", "1.el9_3",
		"1.fc39", "~bpo70+1", "9.6_p1-r0", "(Red Hat)", "FreeBSD-20230316", "(",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d := ParseDistro(s)
		if d == nil {
			return
		}
		if d.Name == "" {
			t.Fatalf("ParseDistro(%q) has no name: %+v", s, d)
		}
		// Release and revision are read from the input, never invented.
		if d.Revision != "" && !strings.Contains(s, d.Revision) {
			t.Fatalf("ParseDistro(%q): revision %q not in input", s, d.Revision)
		}
		if d.Release != "" && !strings.Contains(s, d.Release) {
			t.Fatalf("ParseDistro(%q): release %q not in input", s, d.Release)
		}
	})
}
