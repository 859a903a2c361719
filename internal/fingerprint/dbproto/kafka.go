package dbproto

import (
	"context"
	"encoding/binary"
	"fmt"

	"github.com/portwatch/portwatch/internal/fingerprint"
)

// Kafka identifies Kafka brokers (and brokers speaking its protocol) with
// an ApiVersions v0 request, which every broker since 0.10 answers before
// any authentication. Brokers do not state their release; the newest API
// key they list bounds it from below.
type Kafka struct{}

var _ fingerprint.Fingerprinter = (*Kafka)(nil)

// Request constants.
const (
	kafkaAPIVersions   = 18
	kafkaCorrelationID = 0x70770018 // fixed so that replies are replayable
	kafkaClientID      = "portwatch"
	kafkaErrUnsupport  = 35 // UNSUPPORTED_VERSION: the API list still follows
)

// Name returns "kafka".
func (*Kafka) Name() string { return "kafka" }

// Ports returns the broker port.
func (*Kafka) Ports() []uint16 { return []uint16{9092} }

// MatchBanner is always false: Kafka waits for the client.
func (*Kafka) MatchBanner([]byte) (fingerprint.Service, bool) {
	return fingerprint.Service{}, false
}

// Probe sends ApiVersions v0 and reads the API list.
func (*Kafka) Probe(ctx context.Context, s *fingerprint.Session) (fingerprint.Service, error) {
	const proto = "kafka"
	release, err := openExchange(ctx, proto, s, kafkaAPIVersionsRequest())
	defer release()
	if err != nil {
		return fingerprint.Service{}, err
	}
	hdr, err := readFull(s.Conn, 4)
	if err != nil {
		return fingerprint.Service{}, noAnswer(proto, err)
	}
	n := int(binary.BigEndian.Uint32(hdr))
	if n < 10 || n > 4096 {
		return fingerprint.Service{}, noMatch(proto, "response size %d out of range", n)
	}
	body, err := readFull(s.Conn, n)
	if err != nil {
		return fingerprint.Service{}, noMatch(proto, "short response: %v", err)
	}
	keys, err := parseKafkaAPIVersions(body)
	if err != nil {
		return fingerprint.Service{}, err
	}
	maxKey := 0
	for _, k := range keys {
		maxKey = max(maxKey, k)
	}
	extra := fmt.Sprintf("%d APIs, newest key %d", len(keys), maxKey)
	if r := kafkaReleaseOfKey(maxKey); r != "" {
		extra += " (Kafka " + r + " or later)"
	}
	return fingerprint.Service{
		Name: proto, Product: "Apache Kafka", Extra: extra,
		CPE: []string{fingerprint.CPE("a", "apache", "kafka", "")},
		// Other brokers (Redpanda, ...) answer ApiVersions alike.
		Confidence: fingerprint.ConfidenceLikely, Method: fingerprint.MethodProbe,
		Banner: fingerprint.EscapeBanner(append(hdr, body...)),
	}, nil
}

// kafkaAPIVersionsRequest is ApiVersions v0: size, api key, api version,
// correlation id, client id; no body.
func kafkaAPIVersionsRequest() []byte {
	b := make([]byte, 4, 4+10+len(kafkaClientID))
	b = binary.BigEndian.AppendUint16(b, kafkaAPIVersions)
	b = binary.BigEndian.AppendUint16(b, 0)
	b = binary.BigEndian.AppendUint32(b, kafkaCorrelationID)
	b = binary.BigEndian.AppendUint16(b, uint16(len(kafkaClientID)))
	b = append(b, kafkaClientID...)
	binary.BigEndian.PutUint32(b, uint32(len(b)-4))
	return b
}

// parseKafkaAPIVersions checks a v0 response (correlation id, error code,
// array of api key, min version, max version) and returns the api keys.
func parseKafkaAPIVersions(body []byte) ([]int, error) {
	const proto = "kafka"
	if binary.BigEndian.Uint32(body) != kafkaCorrelationID {
		return nil, noMatch(proto, "correlation id mismatch")
	}
	if code := binary.BigEndian.Uint16(body[4:]); code != 0 && code != kafkaErrUnsupport {
		return nil, noMatch(proto, "error code %d", code)
	}
	count := int(int32(binary.BigEndian.Uint32(body[6:])))
	if count < 1 || count > 1000 || len(body) < 10+6*count {
		return nil, noMatch(proto, "API array of %d entries in %d bytes", count, len(body))
	}
	keys := make([]int, 0, count)
	for i := range count {
		e := body[10+6*i:]
		key := int(int16(binary.BigEndian.Uint16(e)))
		lo, hi := int16(binary.BigEndian.Uint16(e[2:])), int16(binary.BigEndian.Uint16(e[4:]))
		if key < 0 || lo < 0 || hi < lo {
			return nil, noMatch(proto, "bad API entry %d: %d %d-%d", i, key, lo, hi)
		}
		keys = append(keys, key)
	}
	return keys, nil
}

// kafkaReleaseOfKey names the Kafka release that introduced a client API
// key, for the keys that mark a release.
func kafkaReleaseOfKey(key int) string {
	switch {
	case key >= 75: // DescribeTopicPartitions
		return "3.8"
	case key >= 71: // GetTelemetrySubscriptions
		return "3.7"
	case key >= 65: // DescribeTransactions
		return "3.0"
	case key >= 60: // DescribeCluster
		return "2.8"
	case key >= 50: // DescribeUserScramCredentials
		return "2.7"
	case key >= 48: // DescribeClientQuotas
		return "2.6"
	case key >= 45: // AlterPartitionReassignments
		return "2.4"
	case key >= 44: // IncrementalAlterConfigs
		return "2.3"
	case key >= 43: // ElectLeaders
		return "2.2"
	case key >= 38: // CreateDelegationToken
		return "1.1"
	case key >= 34: // AlterReplicaLogDirs
		return "1.0"
	case key >= 21: // DeleteRecords
		return "0.11"
	case key >= 19: // CreateTopics
		return "0.10.1"
	}
	return ""
}
