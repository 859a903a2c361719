package dbproto

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/portwatch/portwatch/internal/fingerprint"
)

func TestAMQPTranscript(t *testing.T) {
	got, err := probeAddr(t, &AMQP{}, replay(t, loadTranscript(t, "rabbitmq-3.10.8.transcript")), probeTimeout)
	if err != nil {
		t.Fatal(err)
	}
	wantService(t, got, fingerprint.Service{
		Name: "amqp", Product: "RabbitMQ", Version: "3.10.8", Extra: "Erlang/OTP 25.2.3; mechanisms PLAIN AMQPLAIN",
		CPE: []string{
			"cpe:2.3:a:vmware:rabbitmq:3.10.8:*:*:*:*:*:*:*",
			"cpe:2.3:a:broadcom:rabbitmq_server:3.10.8:*:*:*:*:*:*:*",
		},
		Confidence: fingerprint.ConfidenceCertain, Method: fingerprint.MethodProbe,
	})
}

func TestAMQPOtherVersions(t *testing.T) {
	// An AMQP 1.0-only broker (Qpid, ActiveMQ Artemis) answers a 0-9-1
	// header with its own: "AMQP", protocol id, 1, 0, 0 (AMQP 1.0 spec 2.2).
	for header, extra := range map[string]string{
		"AMQP\x03\x01\x00\x00": "AMQP 1.0.0 (protocol id 3)",
		"AMQP\x00\x01\x00\x00": "AMQP 1.0.0",
		"AMQP\x01\x01\x00\x09": "AMQP 0-9",
	} {
		addr := serve(t, func(c netConn) { _, _ = c.Write([]byte(header)); waitClose(c) })
		got, err := probeAddr(t, &AMQP{}, addr, probeTimeout)
		if err != nil || got.Name != "amqp" || got.Extra != extra || got.Product != "" {
			t.Errorf("%q: %+v %v", header, got, err)
		}
	}
}

func TestAMQPLive(t *testing.T) {
	if testing.Short() {
		t.Skip("RabbitMQ takes 15 s or more to start")
	}
	bin := needBinary(t, "rabbitmq-server", "rabbitmq-server")
	if filepath.Dir(bin) != "/usr/lib/rabbitmq/bin" && fileExists("/usr/lib/rabbitmq/bin/rabbitmq-server") {
		bin = "/usr/lib/rabbitmq/bin/rabbitmq-server" // the script itself, not the wrapper that switches user
	}
	epmd := needBinary(t, "epmd", "erlang-base")
	version := debUpstreamVersion(t, "rabbitmq-server")
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "enabled_plugins"), []byte("[].\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	epmdPort, port, distPort := strconv.Itoa(freePort(t)), strconv.Itoa(freePort(t)), strconv.Itoa(freePort(t))
	// A private epmd, so that nothing outlives the test.
	daemon(t, exec.Command(epmd, "-port", epmdPort), "127.0.0.1:"+epmdPort, 10*time.Second)
	cmd := exec.Command(bin)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(),
		"HOME="+dir, "ERL_EPMD_PORT="+epmdPort,
		"RABBITMQ_NODENAME=pwtest-"+randomID(3)+"@localhost",
		"RABBITMQ_NODE_IP_ADDRESS=127.0.0.1", "RABBITMQ_NODE_PORT="+port, "RABBITMQ_DIST_PORT="+distPort,
		"RABBITMQ_MNESIA_BASE="+filepath.Join(dir, "mnesia"), "RABBITMQ_LOG_BASE="+filepath.Join(dir, "log"),
		"RABBITMQ_ENABLED_PLUGINS_FILE="+filepath.Join(dir, "enabled_plugins"),
		"RABBITMQ_PLUGINS_EXPAND_DIR="+filepath.Join(dir, "plugins"),
		"RABBITMQ_CONFIG_FILE="+filepath.Join(dir, "rabbitmq"),
		"RABBITMQ_ADVANCED_CONFIG_FILE="+filepath.Join(dir, "advanced.config"),
		"RABBITMQ_PID_FILE="+filepath.Join(dir, "pid"))
	daemon(t, cmd, "127.0.0.1:"+port, 90*time.Second)
	addr := liveAddr(t, "127.0.0.1:"+port, "rabbitmq-"+version+".transcript", packageVersion("rabbitmq-server")+" (Debian 12), no plugins")
	got, err := probeAddr(t, &AMQP{}, addr, probeTimeout)
	if err != nil {
		t.Fatal(err)
	}
	wantService(t, got, fingerprint.Service{Name: "amqp", Product: "RabbitMQ", Version: version})
	if got.Hostname == "" {
		t.Error("no hostname from cluster_name")
	}
}
