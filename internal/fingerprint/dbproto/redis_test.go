package dbproto

import (
	"os/exec"
	"regexp"
	"strconv"
	"testing"

	"github.com/portwatch/portwatch/internal/fingerprint"
)

func TestRedisTranscript(t *testing.T) {
	for _, c := range []struct {
		file string
		want fingerprint.Service
	}{
		{"redis-7.0.15.transcript", fingerprint.Service{
			Name: "redis", Product: "Redis", Version: "7.0.15", Extra: "standalone mode",
			CPE:        []string{"cpe:2.3:a:redis:redis:7.0.15:*:*:*:*:*:*:*"},
			Confidence: fingerprint.ConfidenceCertain, Method: fingerprint.MethodProbe,
		}},
		{"redis-7.0.15-noauth.transcript", fingerprint.Service{
			Name: "redis", Product: "Redis", Extra: "authentication required",
			CPE:        []string{"cpe:2.3:a:redis:redis:*:*:*:*:*:*:*:*"},
			Confidence: fingerprint.ConfidenceLikely,
		}},
	} {
		t.Run(c.file, func(t *testing.T) {
			addr := replay(t, loadTranscript(t, c.file))
			got, err := probeAddr(t, &Redis{}, addr, probeTimeout)
			if err != nil {
				t.Fatal(err)
			}
			wantService(t, got, c.want)
		})
	}
}

func TestRedisInfoVariants(t *testing.T) {
	for _, c := range []struct {
		info, product, version string
	}{
		{"# Server\r\nredis_version:7.2.4\r\nserver_name:valkey\r\nvalkey_version:8.0.1\r\n", "Valkey", "8.0.1"},
		{"# Server\r\nredis_version:6.2.11\r\ndragonfly_version:df-v1.14.0\r\n", "Dragonfly", "1.14.0"},
		{"# Server\r\nredis_version:7.4.1\r\nredis_mode:cluster\r\n", "Redis", "7.4.1"},
	} {
		got, err := parseRedisInfo([]byte(c.info))
		if err != nil || got.Product != c.product || got.Version != c.version {
			t.Errorf("%q: got %q %q %v", c.info, got.Product, got.Version, err)
		}
	}
	if _, err := parseRedisInfo([]byte("# Server\r\nfoo:bar\r\n")); err == nil {
		t.Error("INFO without a version accepted")
	}
	if svc, ok := (&Redis{}).MatchBanner([]byte("-ERR max number of clients reached\r\n")); !ok || svc.Name != "redis" {
		t.Errorf("maxclients banner: %v %v", svc, ok)
	}
}

// redisVersion asks the installed redis-server for its version.
func redisVersion(t *testing.T, bin string) string {
	out, err := exec.Command(bin, "--version").Output()
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`v=([0-9.]+)`).FindSubmatch(out)
	if m == nil {
		t.Fatalf("no version in %q", out)
	}
	return string(m[1])
}

func TestRedisLive(t *testing.T) {
	bin := needBinary(t, "redis-server", "redis-server")
	version := redisVersion(t, bin)
	for _, c := range []struct {
		name, file string
		args       []string
		want       fingerprint.Service
	}{
		{"open", "redis-" + version + ".transcript", nil, fingerprint.Service{
			Name: "redis", Product: "Redis", Version: version, Extra: "standalone mode",
		}},
		{"password", "redis-" + version + "-noauth.transcript", []string{"--requirepass", "secret-" + randomID(4)}, fingerprint.Service{
			Name: "redis", Product: "Redis", Extra: "authentication required",
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			port := strconv.Itoa(freePort(t))
			args := append([]string{"--port", port, "--bind", "127.0.0.1", "--dir", t.TempDir(),
				"--save", "", "--appendonly", "no", "--daemonize", "no"}, c.args...)
			daemon(t, exec.Command(bin, args...), "127.0.0.1:"+port, 10e9)
			addr := liveAddr(t, "127.0.0.1:"+port, c.file, packageVersion("redis-server")+" (Debian 12), redis-server "+shellArgs(c.args))
			got, err := probeAddr(t, &Redis{}, addr, probeTimeout)
			if err != nil {
				t.Fatal(err)
			}
			wantService(t, got, c.want)
		})
	}
}
