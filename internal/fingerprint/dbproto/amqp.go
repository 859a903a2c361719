package dbproto

import (
	"context"
	"encoding/binary"
	"fmt"
	"strings"

	"github.com/portwatch/portwatch/internal/fingerprint"
)

// AMQP identifies AMQP 0-9-1 brokers (RabbitMQ and others) from the
// server-properties of connection.start, and AMQP 1.0-only brokers from the
// protocol header they answer a 0-9-1 client with.
type AMQP struct{}

var _ fingerprint.Fingerprinter = (*AMQP)(nil)

// amqpHeader is the AMQP 0-9-1 protocol header.
const amqpHeader = "AMQP\x00\x00\x09\x01"

// Name returns "amqp".
func (*AMQP) Name() string { return "amqp" }

// Ports returns AMQP's plain and TLS ports.
func (*AMQP) Ports() []uint16 { return []uint16{5672, 5671} }

// MatchBanner is always false: AMQP waits for the client.
func (*AMQP) MatchBanner([]byte) (fingerprint.Service, bool) {
	return fingerprint.Service{}, false
}

// Probe sends the 0-9-1 protocol header and reads connection.start.
func (*AMQP) Probe(ctx context.Context, s *fingerprint.Session) (fingerprint.Service, error) {
	const proto = "amqp"
	release, err := openExchange(ctx, proto, s, []byte(amqpHeader))
	defer release()
	if err != nil {
		return fingerprint.Service{}, err
	}
	// A frame header (type, channel, size) is 7 bytes; a protocol header
	// sent back instead is 8, and starts with "AMQP".
	hdr, err := readFull(s.Conn, 7)
	if err != nil {
		return fingerprint.Service{}, noAnswer(proto, err)
	}
	if string(hdr[:4]) == "AMQP" {
		last, err := readFull(s.Conn, 1)
		if err != nil {
			return fingerprint.Service{}, noMatch(proto, "short protocol header")
		}
		return amqpOtherVersion(append(hdr, last...))
	}
	size := int(binary.BigEndian.Uint32(hdr[3:]))
	if hdr[0] != 1 || hdr[1] != 0 || hdr[2] != 0 || size < 4 || size > fingerprint.MaxRead-1 {
		return fingerprint.Service{}, noMatch(proto, "not a method frame: %q", fingerprint.EscapeBanner(hdr))
	}
	payload, err := readFull(s.Conn, size+1)
	if err != nil {
		return fingerprint.Service{}, noMatch(proto, "short frame: %v", err)
	}
	if payload[size] != 0xCE {
		return fingerprint.Service{}, noMatch(proto, "frame without frame-end")
	}
	svc, err := parseAMQPStart(payload[:size])
	if err != nil {
		return fingerprint.Service{}, err
	}
	svc.Name = proto
	svc.Banner = fingerprint.EscapeBanner(append(hdr, payload...))
	return svc, nil
}

// amqpOtherVersion reports a broker that answered with the header of the
// protocol it speaks instead.
func amqpOtherVersion(h []byte) (fingerprint.Service, error) {
	svc := fingerprint.Service{
		Name: "amqp", Confidence: fingerprint.ConfidenceLikely, Method: fingerprint.MethodProbe,
		Banner: fingerprint.EscapeBanner(h),
	}
	switch h[4] {
	case 0, 2, 3: // AMQP 0-x with id 0, or AMQP 1.0 with protocol id 2 (TLS) or 3 (SASL)
		svc.Extra = fmt.Sprintf("AMQP %d.%d.%d", h[5], h[6], h[7])
		if h[4] != 0 {
			svc.Extra += fmt.Sprintf(" (protocol id %d)", h[4])
		}
	case 1: // AMQP 0-8 style: class 1, instance 1, major, minor
		svc.Extra = fmt.Sprintf("AMQP %d-%d", h[6], h[7])
	default:
		return fingerprint.Service{}, noMatch("amqp", "unknown protocol header %q", svc.Banner)
	}
	return svc, nil
}

// parseAMQPStart reads connection.start: class and method ids (10, 10),
// protocol version, server-properties table, mechanisms and locales.
func parseAMQPStart(p []byte) (fingerprint.Service, error) {
	const proto = "amqp"
	if len(p) < 10 || binary.BigEndian.Uint16(p) != 10 || binary.BigEndian.Uint16(p[2:]) != 10 {
		return fingerprint.Service{}, noMatch(proto, "first method is not connection.start")
	}
	major, minor := p[4], p[5]
	props, rest, err := amqpTable(p[6:])
	if err != nil {
		return fingerprint.Service{}, noMatch(proto, "server-properties: %v", err)
	}
	svc := fingerprint.Service{
		Product: props["product"], Version: props["version"],
		Confidence: fingerprint.ConfidenceCertain, Method: fingerprint.MethodProbe,
	}
	var extra []string
	if major != 0 || minor != 9 {
		extra = append(extra, fmt.Sprintf("AMQP 0-%d-%d", major, minor))
	}
	if pl := props["platform"]; pl != "" {
		extra = append(extra, pl)
	}
	if mechs, ok := amqpLongString(rest); ok && mechs != "" {
		extra = append(extra, "mechanisms "+mechs)
	}
	svc.Extra = strings.Join(extra, "; ")
	if _, host, ok := strings.Cut(props["cluster_name"], "@"); ok {
		svc.Hostname = host // RabbitMQ's default cluster name is its node name
	}
	if strings.EqualFold(svc.Product, "RabbitMQ") {
		// NVD files RabbitMQ under VMware (most CVEs up to 2025) and, for
		// the newest, under Broadcom; both names let a match find either.
		svc.CPE = []string{
			fingerprint.CPE("a", "vmware", "rabbitmq", svc.Version),
			fingerprint.CPE("a", "broadcom", "rabbitmq_server", svc.Version),
		}
	}
	return svc, nil
}

// amqpTable reads a field table, keeping its top-level string values.
func amqpTable(p []byte) (map[string]string, []byte, error) {
	if len(p) < 4 {
		return nil, nil, fmt.Errorf("short table")
	}
	n := int(binary.BigEndian.Uint32(p))
	if n > len(p)-4 {
		return nil, nil, fmt.Errorf("table of %d bytes in %d", n, len(p)-4)
	}
	t, rest := p[4:4+n], p[4+n:]
	out := map[string]string{}
	for len(t) > 0 {
		kl := int(t[0])
		if len(t) < 1+kl+1 {
			return nil, nil, fmt.Errorf("short field name")
		}
		key, typ := string(t[1:1+kl]), t[1+kl]
		t = t[2+kl:]
		size, err := amqpValueSize(typ, t)
		if err != nil {
			return nil, nil, fmt.Errorf("field %q: %w", key, err)
		}
		if typ == 'S' {
			out[key] = string(t[4:size])
		}
		t = t[size:]
	}
	return out, rest, nil
}

// amqpValueSize is the encoded size of a field value of type typ
// (RabbitMQ's type letters, as the 0-9-1 errata fixed them).
func amqpValueSize(typ byte, p []byte) (int, error) {
	var n int
	switch typ {
	case 'V':
		n = 0
	case 't', 'b', 'B':
		n = 1
	case 's', 'u':
		n = 2
	case 'I', 'i', 'f':
		n = 4
	case 'D':
		n = 5
	case 'l', 'L', 'd', 'T':
		n = 8
	case 'S', 'x', 'F', 'A': // 32-bit length prefix
		if len(p) < 4 {
			return 0, fmt.Errorf("short length")
		}
		n = 4 + int(binary.BigEndian.Uint32(p))
	default:
		return 0, fmt.Errorf("unknown type %q", typ)
	}
	if n < 0 || n > len(p) {
		return 0, fmt.Errorf("value of %d bytes in %d", n, len(p))
	}
	return n, nil
}

// amqpLongString reads a long string (32-bit length).
func amqpLongString(p []byte) (string, bool) {
	if len(p) < 4 {
		return "", false
	}
	n := int(binary.BigEndian.Uint32(p))
	if n > len(p)-4 {
		return "", false
	}
	return string(p[4 : 4+n]), true
}
