package receivers

import (
	"bytes"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Syslog is a running rsyslog receiver on loopback with three inputs:
// UDP, TCP and TLS (gtls driver, anonymous client authentication). For
// every message it writes two lines: the raw message as received
// (rawmsg) and the fields rsyslog's RFC 5424 parser extracted.
type Syslog struct {
	UDPPort, TCPPort, TLSPort int
	// CA is the PEM file of the certificate the TLS input presents.
	CA  string
	dir string
}

// Record is what rsyslog wrote for one message.
type Record struct {
	Input    string // "udp", "tcp" or "tls"
	Raw      string // the message as received, framing removed
	Pri      string // PRI as parsed
	Time     string // TIMESTAMP as parsed (RFC 3339, with fraction)
	Hostname string
	AppName  string
	ProcID   string
	MsgID    string
	SD       string // STRUCTURED-DATA as parsed
	Msg      string // MSG as parsed (BOM included)
}

// rsyslogConfig is a minimal rsyslog configuration: the three inputs and
// two files, no system log socket.
const rsyslogConfig = `global(workDirectory="{{dir}}" maxMessageSize="64k"
  defaultNetstreamDriverCAFile="{{cert}}"
  defaultNetstreamDriverCertFile="{{cert}}"
  defaultNetstreamDriverKeyFile="{{key}}")
module(load="imudp")
module(load="imtcp")
input(type="imudp" address="127.0.0.1" port="{{udp}}" name="udp")
input(type="imtcp" address="127.0.0.1" port="{{tcp}}" name="tcp")
input(type="imtcp" address="127.0.0.1" port="{{tls}}" name="tls"
  streamDriver.name="gtls" streamDriver.mode="1" streamDriver.authMode="anon")
template(name="raw" type="string" string="%inputname%\t%rawmsg%\n")
template(name="parsed" type="string"
  string="%inputname%\t%pri%\t%timereported:::date-rfc3339%\t%hostname%\t%app-name%\t%procid%\t%msgid%\t%structured-data%\t%msg%\n")
action(type="omfile" file="{{dir}}/raw.log" template="raw")
action(type="omfile" file="{{dir}}/parsed.log" template="parsed")
`

// StartRsyslog runs rsyslogd in the foreground (-n) with its own
// configuration (-f) and pid file (-i) in a temporary directory. It skips
// the test when rsyslogd or its TLS driver is not installed.
func StartRsyslog(t testing.TB) *Syslog {
	t.Helper()
	bin, ok := lookBinary("rsyslogd")
	if !ok {
		t.Skip("rsyslogd not installed (Debian packages rsyslog and rsyslog-gnutls): no real syslog receiver")
	}
	if m, _ := filepath.Glob("/usr/lib/*/rsyslog/lmnsd_gtls.so"); len(m) == 0 {
		if m2, _ := filepath.Glob("/usr/lib/rsyslog/lmnsd_gtls.so"); len(m2) == 0 {
			t.Skip("rsyslog TLS driver not installed (Debian package rsyslog-gnutls)")
		}
	}
	dir := t.TempDir()
	cert := NewCert(t, dir, "syslog")
	tcp := FreePorts(t, "tcp", 2)
	s := &Syslog{UDPPort: FreePorts(t, "udp", 1)[0], TCPPort: tcp[0], TLSPort: tcp[1], CA: cert.CertFile, dir: dir}
	conf := strings.NewReplacer("{{dir}}", dir, "{{cert}}", cert.CertFile, "{{key}}", cert.KeyFile,
		"{{udp}}", fmt.Sprint(s.UDPPort), "{{tcp}}", fmt.Sprint(s.TCPPort), "{{tls}}", fmt.Sprint(s.TLSPort)).Replace(rsyslogConfig)
	confPath := filepath.Join(dir, "rsyslog.conf")
	if err := os.WriteFile(confPath, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	var out output
	cmd := exec.Command(bin, "-n", "-f", confPath, "-i", filepath.Join(dir, "rsyslogd.pid"))
	cmd.Stdout, cmd.Stderr = &out, &out
	exited := start(t, cmd)
	waitTCP(t, s.TCPPort, exited, out.String)
	waitTCP(t, s.TLSPort, exited, out.String)
	s.waitUDP(t, out.String)
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("rsyslogd output:\n%s", out.String())
		}
	})
	return s
}

// waitUDP sends probe datagrams until one is written, so that tests do
// not lose their first datagram to a receiver still starting.
func (s *Syslog) waitUDP(t testing.TB, logs func() string) {
	t.Helper()
	c, err := net.Dial("udp", fmt.Sprintf("127.0.0.1:%d", s.UDPPort))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		c.Write([]byte("<14>1 - - receivers-probe - - - ready"))
		for range 10 {
			if b, _ := os.ReadFile(filepath.Join(s.dir, "raw.log")); bytes.Contains(b, []byte("receivers-probe")) {
				return
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	t.Fatalf("rsyslog wrote no UDP probe within 15s:\n%s", logs())
}

// WaitRecord waits for the record whose raw message contains marker.
func (s *Syslog) WaitRecord(t testing.TB, marker string) Record {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		raw, _ := os.ReadFile(filepath.Join(s.dir, "raw.log"))
		parsed, _ := os.ReadFile(filepath.Join(s.dir, "parsed.log"))
		rl := strings.Split(string(raw), "\n")
		pl := strings.Split(string(parsed), "\n")
		for i, l := range rl {
			if !strings.Contains(l, marker) || i >= len(pl)-1 {
				continue
			}
			in, r, _ := strings.Cut(l, "\t")
			f := strings.SplitN(pl[i], "\t", 9)
			if len(f) != 9 {
				t.Fatalf("parsed line %d has %d fields: %q", i, len(f), pl[i])
			}
			return Record{Input: in, Raw: r, Pri: f[1], Time: f[2], Hostname: f[3], AppName: f[4],
				ProcID: f[5], MsgID: f[6], SD: f[7], Msg: f[8]}
		}
		time.Sleep(50 * time.Millisecond)
	}
	raw, _ := os.ReadFile(filepath.Join(s.dir, "raw.log"))
	t.Fatalf("rsyslog wrote no message with %q within 15s; raw.log:\n%s", marker, raw)
	return Record{}
}
