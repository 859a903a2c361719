package lab_test

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"strings"

	"github.com/portwatch/portwatch/test/lab"
)

// mqttPacket frames an MQTT control packet: type and flags, the remaining
// length (one byte suffices here), the body.
func mqttPacket(typeFlags byte, body []byte) []byte {
	return append([]byte{typeFlags, byte(len(body))}, body...)
}

// mqttString is an MQTT length-prefixed string.
func mqttString(s string) []byte {
	return append([]byte{byte(len(s) >> 8), byte(len(s))}, s...)
}

// readMQTT reads one MQTT control packet: its first byte and its body.
func readMQTT(r *bufio.Reader) (byte, []byte, error) {
	first, err := r.ReadByte()
	if err != nil {
		return 0, nil, err
	}
	n, shift := 0, 0
	for {
		b, err := r.ReadByte()
		if err != nil {
			return 0, nil, err
		}
		n |= int(b&0x7f) << shift
		if b&0x80 == 0 {
			break
		}
		if shift += 7; shift > 21 {
			return 0, nil, fmt.Errorf("bad remaining length")
		}
	}
	body := make([]byte, n)
	_, err = io.ReadFull(r, body)
	return first, body, err
}

// checkMQTT connects anonymously (MQTT 3.1.1), which must be accepted if
// the truth says anonymous, and reads $SYS/broker/version, where Mosquitto
// shows its version.
func checkMQTT(conn net.Conn, want lab.Port) error {
	connect := append(mqttString("MQTT"), 4, 0x02, 0, 30) // level 4, clean session, keepalive 30 s
	// The client id must be unique per connection: the IPv4 and IPv6
	// checks run in parallel against one broker, and a second CONNECT with
	// the same id takes the first one's session over (the broker resets it).
	connect = append(connect, mqttString("portwatch-lab-"+conn.LocalAddr().String())...)
	subscribe := append([]byte{0, 1}, mqttString("$SYS/broker/version")...) // packet id 1
	subscribe = append(subscribe, 0)                                        // QoS 0
	if _, err := conn.Write(append(mqttPacket(0x10, connect), mqttPacket(0x82, subscribe)...)); err != nil {
		return fmt.Errorf("send CONNECT: %w", err)
	}
	r := bufio.NewReader(conn)
	first, body, err := readMQTT(r)
	if err != nil || first != 0x20 || len(body) != 2 {
		return fmt.Errorf("CONNECT answered %#x %v, %v", first, body, err)
	}
	if accepted := body[1] == 0; accepted != (want.Details["anonymous"] == "true") {
		return fmt.Errorf("anonymous CONNECT: return code %d, truth anonymous=%s", body[1], want.Details["anonymous"])
	}
	for {
		first, body, err = readMQTT(r)
		if err != nil {
			return fmt.Errorf("waiting for $SYS/broker/version: %w", err)
		}
		if first>>4 != 3 { // not PUBLISH: SUBACK
			continue
		}
		if len(body) < 2 {
			return fmt.Errorf("short PUBLISH %q", body)
		}
		topicLen := int(body[0])<<8 | int(body[1])
		if len(body) < 2+topicLen {
			return fmt.Errorf("short PUBLISH %q", body)
		}
		payload := string(body[2+topicLen:])
		if payload != strings.ToLower(want.Product)+" version "+want.Version {
			return fmt.Errorf("$SYS/broker/version is %q, want %s %s", payload, want.Product, want.Version)
		}
		return nil
	}
}

// checkNATS reads the INFO line a NATS server greets with.
func checkNATS(conn net.Conn, want lab.Port) error {
	line, err := bufio.NewReader(conn).ReadString('\n')
	if err != nil {
		return fmt.Errorf("read INFO: %w", err)
	}
	var info struct {
		Version string `json:"version"`
	}
	js, ok := strings.CutPrefix(strings.TrimSpace(line), "INFO ")
	if !ok {
		return fmt.Errorf("greeting %q is not INFO", line)
	}
	if err := json.Unmarshal([]byte(js), &info); err != nil {
		return fmt.Errorf("INFO: %w", err)
	}
	if info.Version != want.Version {
		return fmt.Errorf("INFO version %q, want %s", info.Version, want.Version)
	}
	return nil
}
