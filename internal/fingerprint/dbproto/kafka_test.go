package dbproto

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/portwatch/portwatch/internal/fingerprint"
)

// Kafka is not packaged in Debian: the transcript is built from the
// protocol guide by testdata/spec-transcripts.py, and the request must
// match it byte for byte.
func TestKafkaTranscript(t *testing.T) {
	got, err := probeAddr(t, &Kafka{}, replayExact(t, loadTranscript(t, "kafka-3-spec.transcript")), probeTimeout)
	if err != nil {
		t.Fatal(err)
	}
	wantService(t, got, fingerprint.Service{
		Name: "kafka", Product: "Apache Kafka", Extra: "60 APIs, newest key 67 (Kafka 3.0 or later)",
		CPE:        []string{"cpe:2.3:a:apache:kafka:*:*:*:*:*:*:*:*"},
		Confidence: fingerprint.ConfidenceLikely, Method: fingerprint.MethodProbe,
	})
}

func TestKafkaRejects(t *testing.T) {
	ok := []byte{0x70, 0x77, 0x00, 0x18, 0, 0, 0, 0, 0, 1, 0, 18, 0, 0, 0, 3}
	if keys, err := parseKafkaAPIVersions(ok); err != nil || len(keys) != 1 {
		t.Errorf("valid response: %v %v", keys, err)
	}
	for name, b := range map[string][]byte{
		"other correlation id": {0, 0, 0, 1, 0, 0, 0, 0, 0, 1, 0, 18, 0, 0, 0, 3},
		"error code":           {0x70, 0x77, 0x00, 0x18, 0, 7, 0, 0, 0, 1, 0, 18, 0, 0, 0, 3},
		"array too long":       {0x70, 0x77, 0x00, 0x18, 0, 0, 0, 0, 0, 9, 0, 18, 0, 0, 0, 3},
		"max below min":        {0x70, 0x77, 0x00, 0x18, 0, 0, 0, 0, 0, 1, 0, 18, 0, 4, 0, 3},
	} {
		if _, err := parseKafkaAPIVersions(b); err == nil {
			t.Errorf("%s accepted", name)
		}
	}
}

// Kafka is not in Debian; this runs where an upstream Kafka (3.3 or later,
// KRaft mode) has its scripts on PATH.
func TestKafkaLive(t *testing.T) {
	start := needBinary(t, "kafka-server-start.sh", "none: upstream Apache Kafka")
	storage := needBinary(t, "kafka-storage.sh", "none: upstream Apache Kafka")
	dir := t.TempDir()
	port, ctrl := strconv.Itoa(freePort(t)), strconv.Itoa(freePort(t))
	conf := filepath.Join(dir, "server.properties")
	cfg := strings.Join([]string{
		"process.roles=broker,controller", "node.id=1",
		"controller.quorum.voters=1@127.0.0.1:" + ctrl,
		"listeners=PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + ctrl,
		"advertised.listeners=PLAINTEXT://127.0.0.1:" + port,
		"controller.listener.names=CONTROLLER", "inter.broker.listener.name=PLAINTEXT",
		"log.dirs=" + filepath.Join(dir, "data"), "offsets.topic.replication.factor=1", "",
	}, "\n")
	if err := os.WriteFile(conf, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	id, err := exec.Command(storage, "random-uuid").Output()
	if err != nil {
		t.Fatalf("kafka-storage.sh random-uuid: %v", err)
	}
	if out, err := exec.Command(storage, "format", "-t", strings.TrimSpace(string(id)), "-c", conf).CombinedOutput(); err != nil {
		t.Fatalf("kafka-storage.sh format: %v\n%s", err, out)
	}
	cmd := exec.Command(start, conf)
	cmd.Env = append(os.Environ(), "LOG_DIR="+filepath.Join(dir, "logs"), "KAFKA_HEAP_OPTS=-Xmx256m")
	daemon(t, cmd, "127.0.0.1:"+port, 90*time.Second)
	got, err := probeAddr(t, &Kafka{}, liveAddr(t, "127.0.0.1:"+port, "kafka-live.transcript", "Apache Kafka (upstream), KRaft"), probeTimeout)
	if err != nil {
		t.Fatal(err)
	}
	wantService(t, got, fingerprint.Service{Name: "kafka", Product: "Apache Kafka"})
}
