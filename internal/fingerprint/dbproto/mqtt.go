package dbproto

import (
	"context"
	"fmt"
	"io"
	"net"
	"strings"
	"time"

	"github.com/portwatch/portwatch/internal/fingerprint"
)

// MQTT identifies MQTT brokers with a CONNECT under a random client id.
// When the broker lets anonymous clients in, it subscribes to
// $SYS/broker/version, which Mosquitto and others publish as a retained
// message, and waits a moment for it.
type MQTT struct{}

var _ fingerprint.Fingerprinter = (*MQTT)(nil)

// mqttVersionTopic is where brokers publish their name and version.
const mqttVersionTopic = "$SYS/broker/version"

// mqttSysWait bounds the wait for the retained version message, which a
// broker sends at once if it has it.
const mqttSysWait = 2 * time.Second

// Name returns "mqtt".
func (*MQTT) Name() string { return "mqtt" }

// Ports returns MQTT's plain and TLS ports.
func (*MQTT) Ports() []uint16 { return []uint16{1883, 8883} }

// MatchBanner is always false: MQTT waits for the client.
func (*MQTT) MatchBanner([]byte) (fingerprint.Service, bool) {
	return fingerprint.Service{}, false
}

// Probe connects (MQTT 3.1.1, clean session) and reads CONNACK.
func (*MQTT) Probe(ctx context.Context, s *fingerprint.Session) (fingerprint.Service, error) {
	const proto = "mqtt"
	release, err := openExchange(ctx, proto, s, mqttConnect("portwatch-"+randomID(6)))
	defer release()
	if err != nil {
		return fingerprint.Service{}, err
	}
	ack, err := readFull(s.Conn, 4)
	if err != nil {
		return fingerprint.Service{}, noAnswer(proto, err)
	}
	// CONNACK: type 2, remaining length 2, session-present flag, return code.
	if ack[0] != 0x20 || ack[1] != 2 || ack[2]&0xFE != 0 || ack[3] > 5 {
		return fingerprint.Service{}, noMatch(proto, "not a CONNACK: %q", fingerprint.EscapeBanner(ack))
	}
	svc := fingerprint.Service{
		Name: "mqtt", Confidence: fingerprint.ConfidenceLikely, Method: fingerprint.MethodProbe,
		Banner: fingerprint.EscapeBanner(ack),
	}
	if ack[3] != 0 {
		svc.Extra = mqttRefusal(ack[3])
		return svc, nil
	}
	svc.Extra = "anonymous access allowed"
	if payload, ok := mqttSysVersion(ctx, s.Conn); ok {
		mqttProduct(&svc, payload)
	}
	_ = send(proto, s.Conn, []byte{0xE0, 0}) // DISCONNECT; the answer is complete either way
	return svc, nil
}

// mqttConnect builds an MQTT 3.1.1 CONNECT packet.
func mqttConnect(clientID string) []byte {
	body := []byte{0, 4, 'M', 'Q', 'T', 'T', 4, 0x02, 0, 30} // protocol, level 4, clean session, keep-alive 30 s
	body = append(body, byte(len(clientID)>>8), byte(len(clientID)))
	body = append(body, clientID...)
	return append(append([]byte{0x10}, mqttLength(len(body))...), body...)
}

// mqttSubscribe builds a SUBSCRIBE packet for one topic at QoS 0.
func mqttSubscribe(topic string) []byte {
	body := []byte{0, 1, byte(len(topic) >> 8), byte(len(topic))} // packet id 1, topic length
	body = append(append(body, topic...), 0)
	return append(append([]byte{0x82}, mqttLength(len(body))...), body...)
}

// mqttLength encodes a remaining length.
func mqttLength(n int) []byte {
	var b []byte
	for {
		c := byte(n % 128)
		n /= 128
		if n > 0 {
			c |= 0x80
		}
		b = append(b, c)
		if n == 0 {
			return b
		}
	}
}

// mqttSysVersion subscribes to the version topic and returns the payload
// published on it, waiting at most mqttSysWait.
func mqttSysVersion(ctx context.Context, c net.Conn) ([]byte, bool) {
	if send("mqtt", c, mqttSubscribe(mqttVersionTopic)) != nil {
		return nil, false
	}
	deadline := time.Now().Add(mqttSysWait)
	if d, ok := ctx.Deadline(); ok && d.Before(deadline) {
		deadline = d
	}
	if c.SetReadDeadline(deadline) != nil {
		return nil, false
	}
	for range 8 { // SUBACK, then the retained message; skip anything else
		typ, body, err := mqttReadPacket(c)
		if err != nil {
			return nil, false
		}
		switch {
		case typ>>4 == 9 && len(body) == 3 && body[2] == 0x80: // SUBACK: refused
			return nil, false
		case typ>>4 == 3: // PUBLISH: topic, packet id if QoS > 0, payload
			if len(body) < 2 {
				return nil, false
			}
			tl := int(body[0])<<8 | int(body[1])
			if len(body) < 2+tl || string(body[2:2+tl]) != mqttVersionTopic {
				continue
			}
			payload := body[2+tl:]
			if typ&0x06 != 0 && len(payload) >= 2 {
				payload = payload[2:]
			}
			return payload, true
		}
	}
	return nil, false
}

// mqttReadPacket reads one control packet of at most 4 KiB.
func mqttReadPacket(r io.Reader) (byte, []byte, error) {
	first, err := readFull(r, 1)
	if err != nil {
		return 0, nil, err
	}
	n, shift := 0, 0
	for i := 0; ; i++ {
		b, err := readFull(r, 1)
		if err != nil {
			return 0, nil, err
		}
		n |= int(b[0]&0x7F) << shift
		shift += 7
		if b[0]&0x80 == 0 {
			break
		}
		if i == 3 {
			return 0, nil, fmt.Errorf("remaining length too long")
		}
	}
	if n > 4096 {
		return 0, nil, fmt.Errorf("packet of %d bytes", n)
	}
	body, err := readFull(r, n)
	return first[0], body, err
}

// mqttProduct reads "mosquitto version 2.0.11" and the like.
func mqttProduct(svc *fingerprint.Service, payload []byte) {
	text := strings.TrimSpace(string(payload))
	if !isPrintable(text) {
		return
	}
	svc.Confidence = fingerprint.ConfidenceCertain
	name, version, ok := strings.Cut(text, " version ")
	if !ok {
		svc.Extra = joinExtra(svc.Extra, text)
		return
	}
	svc.Version = leadingVersion(version)
	switch strings.ToLower(name) {
	case "mosquitto":
		svc.Product = "Eclipse Mosquitto"
		svc.CPE = []string{fingerprint.CPE("a", "eclipse", "mosquitto", svc.Version)}
	default:
		svc.Product = name
	}
}

// mqttRefusal names a CONNACK return code.
func mqttRefusal(code byte) string {
	switch code {
	case 1:
		return "MQTT 3.1.1 not accepted"
	case 2:
		return "client identifier rejected"
	case 3:
		return "server unavailable"
	case 4:
		return "bad user name or password"
	}
	return "not authorized"
}
