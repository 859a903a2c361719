package fingerprint

import (
	"bytes"
	"strings"
	"testing"
)

func TestCPE(t *testing.T) {
	for _, c := range []struct{ got, want string }{
		{CPE("a", "openbsd", "openssh", "9.2p1"), "cpe:2.3:a:openbsd:openssh:9.2p1:*:*:*:*:*:*:*"},
		{CPE("a", "F5", "NGINX", ""), "cpe:2.3:a:f5:nginx:*:*:*:*:*:*:*:*"},
		{CPE("a", "redis", "redis", "7.0.15"), "cpe:2.3:a:redis:redis:7.0.15:*:*:*:*:*:*:*"},
		{CPE("a", "x", "a b:c", "1.0+x"), `cpe:2.3:a:x:a_b\:c:1.0\+x:*:*:*:*:*:*:*`},
	} {
		if c.got != c.want {
			t.Errorf("got %s, want %s", c.got, c.want)
		}
	}
}

func TestEscapeBanner(t *testing.T) {
	if got := EscapeBanner([]byte("SSH-2.0-x\r\n\x00\xff")); got != `SSH-2.0-x\r\n\x00\xff` {
		t.Errorf("got %q", got)
	}
	long := EscapeBanner(bytes.Repeat([]byte{0}, 10000))
	if len(long) > MaxBanner+8 || !strings.HasSuffix(long, "...") {
		t.Errorf("banner not bounded: %d chars", len(long))
	}
}

func TestReadUntil(t *testing.T) {
	got, err := ReadUntil(strings.NewReader("220 hi\r\nrest"), 100, "\r\n")
	if err != nil || string(got) != "220 hi\r\nrest" && string(got) != "220 hi\r\n" {
		t.Errorf("got %q %v", got, err)
	}
	if _, err := ReadUntil(strings.NewReader(strings.Repeat("x", 500)), 100, "\n"); err == nil {
		t.Error("no error for an endless line")
	}
}
