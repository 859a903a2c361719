package dbproto

import (
	"net"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/portwatch/portwatch/internal/fingerprint"
)

func TestZooKeeperTranscript(t *testing.T) {
	got, err := probeAddr(t, &ZooKeeper{}, replay(t, loadTranscript(t, "zookeeper-3.8.0.transcript")), probeTimeout)
	if err != nil {
		t.Fatal(err)
	}
	wantService(t, got, fingerprint.Service{
		Name: "zookeeper", Product: "Apache ZooKeeper", Version: "3.8.0", Extra: "standalone",
		CPE:        []string{"cpe:2.3:a:apache:zookeeper:3.8.0:*:*:*:*:*:*:*"},
		Confidence: fingerprint.ConfidenceCertain, Method: fingerprint.MethodProbe,
	})
}

func TestZooKeeperReplies(t *testing.T) {
	for reply, extra := range map[string]string{
		"srvr is not executed because it is not in the whitelist.\n":  "four-letter words disabled",
		"This ZooKeeper instance is not currently serving requests\n": "not serving requests",
	} {
		got, err := parseZooKeeperSrvr(reply)
		if err != nil || got.Extra != extra || got.Version != "" {
			t.Errorf("%q: %+v %v", reply, got, err)
		}
	}
	got, err := parseZooKeeperSrvr("Zookeeper version: 3.9.2-e454e8c7283100c7caec6dcae2bc82aaecb63023, built on 2024-02-12 20:59 UTC\nMode: leader\nNode count: 9\n")
	if err != nil || got.Version != "3.9.2" || got.Extra != "leader" {
		t.Errorf("got %+v %v", got, err)
	}
}

func TestZooKeeperLive(t *testing.T) {
	java := needBinary(t, "java", "default-jre-headless")
	const jar = "/usr/share/java/zookeeper.jar"
	if !fileExists(jar) {
		t.Skip("zookeeper not installed (Debian package zookeeper)")
	}
	version := debUpstreamVersion(t, "zookeeper")
	port := strconv.Itoa(freePort(t))
	dir := t.TempDir()
	cmd := exec.Command(java, "-Xmx64m", "-Dzookeeper.admin.enableServer=false",
		"-cp", "/etc/zookeeper/conf:"+jar, "org.apache.zookeeper.server.ZooKeeperServerMain", port, dir)
	cmd.Dir = dir
	addr := "127.0.0.1:" + port
	daemon(t, cmd, addr, 60*time.Second)
	waitZooKeeperServing(t, addr)
	got, err := probeAddr(t, &ZooKeeper{}, liveAddr(t, addr, "zookeeper-"+version+".transcript", packageVersion("zookeeper")+" (Debian 12), ZooKeeperServerMain"), probeTimeout)
	if err != nil {
		t.Fatal(err)
	}
	wantService(t, got, fingerprint.Service{Name: "zookeeper", Product: "Apache ZooKeeper", Version: version, Extra: "standalone"})
}

// waitZooKeeperServing polls srvr until the server has finished starting:
// before that it answers "not currently serving requests".
func waitZooKeeperServing(t *testing.T, addr string) {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err != nil {
			continue
		}
		_ = c.SetDeadline(time.Now().Add(2 * time.Second))
		_, _ = c.Write([]byte("srvr"))
		reply, _ := fingerprint.ReadUntil(c, 4096, "\n")
		c.Close()
		if strings.HasPrefix(string(reply), "Zookeeper version: ") {
			return
		}
	}
	t.Fatal("zookeeper did not start serving")
}
