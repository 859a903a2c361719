package dbproto

import (
	"os/exec"
	"strconv"
	"strings"
	"testing"

	"github.com/portwatch/portwatch/internal/fingerprint"
)

func TestMemcachedTranscript(t *testing.T) {
	addr := replay(t, loadTranscript(t, "memcached-1.6.18.transcript"))
	got, err := probeAddr(t, &Memcached{}, addr, probeTimeout)
	if err != nil {
		t.Fatal(err)
	}
	wantService(t, got, fingerprint.Service{
		Name: "memcached", Product: "Memcached", Version: "1.6.18",
		CPE:        []string{"cpe:2.3:a:memcached:memcached:1.6.18:*:*:*:*:*:*:*"},
		Confidence: fingerprint.ConfidenceCertain, Method: fingerprint.MethodProbe,
	})
}

func TestMemcachedLive(t *testing.T) {
	bin := needBinary(t, "memcached", "memcached")
	out, err := exec.Command(bin, "-V").Output()
	if err != nil {
		t.Fatal(err)
	}
	version := strings.TrimPrefix(strings.TrimSpace(string(out)), "memcached ")
	port := strconv.Itoa(freePort(t))
	daemon(t, exec.Command(bin, "-l", "127.0.0.1", "-p", port, "-U", "0", "-u", "nobody", "-m", "16"), "127.0.0.1:"+port, 10e9)
	addr := liveAddr(t, "127.0.0.1:"+port, "memcached-"+version+".transcript", packageVersion("memcached")+" (Debian 12)")
	got, err := probeAddr(t, &Memcached{}, addr, probeTimeout)
	if err != nil {
		t.Fatal(err)
	}
	wantService(t, got, fingerprint.Service{Name: "memcached", Product: "Memcached", Version: version})
}
