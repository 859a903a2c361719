package dbproto

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"

	"github.com/portwatch/portwatch/internal/fingerprint"
)

func TestMQTTTranscript(t *testing.T) {
	for _, c := range []struct {
		file string
		want fingerprint.Service
	}{
		{"mosquitto-2.0.11-anonymous.transcript", fingerprint.Service{
			Name: "mqtt", Product: "Eclipse Mosquitto", Version: "2.0.11", Extra: "anonymous access allowed",
			CPE:        []string{"cpe:2.3:a:eclipse:mosquitto:2.0.11:*:*:*:*:*:*:*"},
			Confidence: fingerprint.ConfidenceCertain, Method: fingerprint.MethodProbe,
		}},
		{"mosquitto-2.0.11-no-anonymous.transcript", fingerprint.Service{
			Name: "mqtt", Extra: "not authorized",
			Confidence: fingerprint.ConfidenceLikely, Method: fingerprint.MethodProbe,
		}},
	} {
		t.Run(c.file, func(t *testing.T) {
			got, err := probeAddr(t, &MQTT{}, replay(t, loadTranscript(t, c.file)), probeTimeout)
			if err != nil {
				t.Fatal(err)
			}
			wantService(t, got, c.want)
		})
	}
}

func TestMQTTPackets(t *testing.T) {
	id := "portwatch-" + randomID(6)
	if c := mqttConnect(id); c[0] != 0x10 || int(c[1]) != len(c)-2 || len(id) > 23 {
		t.Errorf("CONNECT % x", c)
	}
	for n, want := range map[int]string{0: "00", 127: "7f", 128: "8001", 16383: "ff7f", 2097152: "80808001"} {
		if got := fmt.Sprintf("%x", mqttLength(n)); got != want {
			t.Errorf("length %d: %s, want %s", n, got, want)
		}
	}
	svc := fingerprint.Service{}
	mqttProduct(&svc, []byte("VerneMQ version 1.13.0"))
	if svc.Product != "VerneMQ" || svc.Version != "1.13.0" || svc.CPE != nil {
		t.Errorf("got %+v", svc)
	}
}

func TestMQTTLive(t *testing.T) {
	bin := needBinary(t, "mosquitto", "mosquitto")
	out, _ := exec.Command(bin, "-h").Output() // exits 3 after printing its usage
	m := regexp.MustCompile(`mosquitto version ([0-9.]+)`).FindSubmatch(out)
	if m == nil {
		t.Fatalf("no version in %q", out)
	}
	version := string(m[1])
	for _, c := range []struct {
		name, anonymous string
		want            fingerprint.Service
	}{
		{"anonymous", "true", fingerprint.Service{Name: "mqtt", Product: "Eclipse Mosquitto", Version: version, Extra: "anonymous access allowed"}},
		{"no-anonymous", "false", fingerprint.Service{Name: "mqtt", Extra: "not authorized"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			port := strconv.Itoa(freePort(t))
			conf := filepath.Join(t.TempDir(), "mosquitto.conf")
			cfg := fmt.Sprintf("listener %s 127.0.0.1\nallow_anonymous %s\npersistence false\nlog_dest stderr\n", port, c.anonymous)
			if err := os.WriteFile(conf, []byte(cfg), 0o644); err != nil {
				t.Fatal(err)
			}
			daemon(t, exec.Command(bin, "-c", conf), "127.0.0.1:"+port, 10e9)
			addr := liveAddr(t, "127.0.0.1:"+port, "mosquitto-"+version+"-"+c.name+".transcript",
				packageVersion("mosquitto")+" (Debian 12), allow_anonymous "+c.anonymous)
			got, err := probeAddr(t, &MQTT{}, addr, probeTimeout)
			if err != nil {
				t.Fatal(err)
			}
			wantService(t, got, c.want)
		})
	}
}
