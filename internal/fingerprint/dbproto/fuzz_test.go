package dbproto

import (
	"bytes"
	"testing"

	"github.com/portwatch/portwatch/internal/fingerprint"
)

// The parsers read what any peer sends: none may panic or loop, whatever
// the bytes. Seeds are the recorded and spec-built server replies.

func seedServerBytes(f *testing.F) {
	for _, name := range []string{
		"mariadb-10.11.19.transcript", "mariadb-10.11.19-host-not-allowed.transcript",
		"nats-server-2.9.10.transcript", "rabbitmq-3.10.8.transcript", "redis-7.0.15.transcript",
		"postgresql-15.18-scram.transcript", "mongodb-7.0.5-spec.transcript", "kafka-3-spec.transcript",
	} {
		f.Add(loadTranscript(f, name).server())
	}
}

func FuzzMatchBanner(f *testing.F) {
	seedServerBytes(f)
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, fp := range All() {
			fp.MatchBanner(b)
		}
	})
}

func FuzzReplyParsers(f *testing.F) {
	seedServerBytes(f)
	f.Fuzz(func(t *testing.T, b []byte) {
		_, _, _ = bsonDecode(b)
		if len(b) > 7 {
			_, _ = parseAMQPStart(b[7:])
		}
		if len(b) >= 10 {
			_, _ = parseKafkaAPIVersions(b)
		}
		_, _ = parseRedisInfo(b)
		_, _ = parseZooKeeperSrvr(string(b))
		var st pgStartup
		for r := bytes.NewReader(b); ; {
			typ, body, err := readPGMessage(r)
			if err != nil {
				break
			}
			if done, err := st.add(typ, body); done || err != nil {
				break
			}
		}
		_ = st.service()
		if _, body, err := mqttReadPacket(bytes.NewReader(b)); err == nil {
			var svc fingerprint.Service
			mqttProduct(&svc, body)
		}
	})
}
