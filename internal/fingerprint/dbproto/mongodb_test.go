package dbproto

import (
	"os/exec"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/portwatch/portwatch/internal/fingerprint"
)

// MongoDB is not packaged in Debian: the transcripts are built from the
// wire protocol and BSON specifications by testdata/spec-transcripts.py,
// and the requests must match them byte for byte.
func TestMongoDBTranscript(t *testing.T) {
	for _, c := range []struct {
		file string
		want fingerprint.Service
	}{
		{"mongodb-7.0.5-spec.transcript", fingerprint.Service{
			Name: "mongodb", Product: "MongoDB", Version: "7.0.5",
			CPE:        []string{"cpe:2.3:a:mongodb:mongodb:7.0.5:*:*:*:*:*:*:*"},
			Confidence: fingerprint.ConfidenceCertain, Method: fingerprint.MethodProbe,
		}},
		{"mongodb-7.0-buildinfo-denied-spec.transcript", fingerprint.Service{
			Name: "mongodb", Product: "MongoDB", Extra: "wire version 21 (7.0 or later)",
			CPE: []string{"cpe:2.3:a:mongodb:mongodb:*:*:*:*:*:*:*:*"},
		}},
	} {
		t.Run(c.file, func(t *testing.T) {
			got, err := probeAddr(t, &MongoDB{}, replayExact(t, loadTranscript(t, c.file)), probeTimeout)
			if err != nil {
				t.Fatal(err)
			}
			wantService(t, got, c.want)
		})
	}
}

func TestMongoDBRoles(t *testing.T) {
	// A mongos and a replica set member, answering isMaster only.
	for _, c := range []struct {
		hello []bsonField
		extra string
	}{
		{[]bsonField{{"ismaster", int32(1)}, {"msg", "isdbgrid"}, {"maxWireVersion", int32(25)}}, "mongos; wire version 25 (8.0 or later)"},
		{[]bsonField{{"setName", "rs0"}, {"maxWireVersion", int32(99)}}, "replica set rs0; wire version 99"},
	} {
		reply := bsonDoc(c.hello...)
		msg := mongoTestReply(mongoHelloID, reply)
		addr := serve(t, func(conn netConn) {
			_ = conn.SetDeadline(time.Now().Add(probeTimeout))
			if _, err := readFull(conn, 16+5+len(bsonDoc(bsonField{"isMaster", int32(1)}, bsonField{"$db", "admin"}))); err != nil {
				return
			}
			_, _ = conn.Write(msg) // and close: no answer to buildInfo
		})
		got, err := probeAddr(t, &MongoDB{}, addr, probeTimeout)
		if err != nil || got.Extra != c.extra || got.Version != "" {
			t.Errorf("got %+v %v, want extra %q", got, err, c.extra)
		}
	}
}

// mongoTestReply wraps a document in an OP_MSG reply to request id.
func mongoTestReply(id int32, doc []byte) []byte {
	b := make([]byte, 16, 16+5+len(doc))
	putLE32(b[0:], uint32(16+5+len(doc)))
	putLE32(b[8:], uint32(id))
	putLE32(b[12:], mongoOpMsg)
	return append(append(b, 0, 0, 0, 0, 0), doc...)
}

func TestBSONDecode(t *testing.T) {
	doc := bsonDoc(bsonField{"a", int32(7)}, bsonField{"b", "x"})
	got, n, err := bsonDecode(doc)
	if err != nil || n != len(doc) || got["a"] != int64(7) || got["b"] != "x" {
		t.Errorf("got %v %d %v", got, n, err)
	}
	for _, bad := range [][]byte{nil, {5, 0, 0, 0}, {6, 0, 0, 0, 2, 0}, {12, 0, 0, 0, 0x02, 'k', 0, 0xff, 0xff, 0xff, 0x7f, 0}} {
		if _, _, err := bsonDecode(bad); err == nil {
			t.Errorf("% x decoded", bad)
		}
	}
}

// MongoDB is not in Debian; this runs where an upstream mongod is installed.
func TestMongoDBLive(t *testing.T) {
	bin := needBinary(t, "mongod", "none: upstream mongodb-org-server")
	out, err := exec.Command(bin, "--version").Output()
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`db version v([0-9.]+)`).FindSubmatch(out)
	if m == nil {
		t.Fatalf("no version in %q", out)
	}
	port := strconv.Itoa(freePort(t))
	daemon(t, exec.Command(bin, "--port", port, "--bind_ip", "127.0.0.1", "--dbpath", t.TempDir(), "--nounixsocket"), "127.0.0.1:"+port, 60*time.Second)
	got, err := probeAddr(t, &MongoDB{}, liveAddr(t, "127.0.0.1:"+port, "mongodb-"+string(m[1])+".transcript", "mongod "+string(m[1])), probeTimeout)
	if err != nil {
		t.Fatal(err)
	}
	wantService(t, got, fingerprint.Service{Name: "mongodb", Product: "MongoDB", Version: string(m[1])})
}
