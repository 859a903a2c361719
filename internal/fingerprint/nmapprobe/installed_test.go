package nmapprobe

import (
	"os"
	"runtime"
	"testing"
	"time"
)

// TestInstalled parses the user's own nmap-service-probes when nmap is
// installed (it is read in place, never copied): every line must parse,
// nearly every pattern must compile with regexp2, and typical answers must
// match what nmap would say.
func TestInstalled(t *testing.T) {
	skipUninstalled(t)
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	start := time.Now()
	s, err := Load("auto")
	if err != nil {
		t.Fatal(err)
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	matches := 0
	for _, p := range s.Probes {
		matches += len(p.Matches)
	}
	t.Logf("%s: %d probes, %d match lines, %d skipped, %v, %d MiB", s.Source, len(s.Probes), matches,
		len(s.Warnings), time.Since(start).Round(time.Millisecond), (after.HeapAlloc-before.HeapAlloc)>>20)
	for i, w := range s.Warnings {
		if i < 40 {
			t.Log(w)
		}
	}
	if len(s.Warnings)*100 > matches {
		t.Errorf("%d of %d patterns do not compile", len(s.Warnings), matches)
	}
	testInstalledMatches(t, s)
}

func skipUninstalled(t *testing.T) {
	t.Helper()
	if testing.Short() {
		t.Skip("-short")
	}
	if _, err := os.Stat(AutoPaths()[0]); err != nil {
		if _, err := os.Stat(AutoPaths()[1]); err != nil {
			t.Skip("nmap is not installed")
		}
	}
}

// testInstalledMatches runs the user's nmap match lines on typical
// answers, which checks the PCRE rewriting on real patterns. What is
// asserted is only the gist (service, product, version).
func testInstalledMatches(t *testing.T, s *Set) {
	probe := func(name string) *Probe {
		for _, p := range s.Probes {
			if p.Protocol == "TCP" && p.Name == name {
				return p
			}
		}
		t.Fatalf("no TCP probe %s", name)
		return nil
	}
	for _, c := range []struct{ probe, resp, want string }{
		{"NULL", "SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\r\n", "ssh OpenSSH 9.2p1"},
		{"NULL", "220 (vsFTPd 3.0.3)\r\n", "ftp vsftpd 3.0.3"},
		{"GetRequest", "HTTP/1.1 200 OK\r\nServer: nginx/1.22.1\r\nDate: Mon, 01 Jan 2024 00:00:00 GMT\r\nContent-Type: text/html\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello", "http nginx 1.22.1"},
	} {
		res := s.match(probe(c.probe), []byte(c.resp))
		if res.hard == nil {
			t.Errorf("%q: no match", c.resp)
			continue
		}
		svc := s.result(res.hard, res.groups, nil, false)
		if got := svc.Name + " " + svc.Product + " " + svc.Version; got != c.want {
			t.Errorf("%q: got %q (line %d), want %q", c.resp, got, res.hard.Line, c.want)
		}
		t.Logf("%s: %+v", c.want, svc)
	}
}
