package payloads

import (
	"bytes"
	"encoding/binary"

	"github.com/portwatch/portwatch/internal/fingerprint"
)

// memcachedFrame is the length of the UDP frame header of memcached's text
// protocol: request ID, sequence number, datagram count, reserved
// (memcached's protocol.txt, "UDP protocol").
const memcachedFrame = 8

// Memcached returns the memcached payload: a one-datagram "version"
// command. memcached has listened on UDP only when started with -U since
// 1.5.6.
func Memcached() []Payload {
	return []Payload{{
		Service: "memcached", Name: "memcached-version", Spec: "memcached protocol.txt (UDP protocol)", Ports: []uint16{11211},
		Build: func(req Request) []byte {
			b := make([]byte, memcachedFrame)
			binary.BigEndian.PutUint16(b[0:], uint16(req.Rand.Uint64()))
			binary.BigEndian.PutUint16(b[4:], 1) // one datagram
			return append(b, "version\r\n"...)
		},
		Identify: identifyMemcached,
	}}
}

// identifyMemcached reads "VERSION x.y.z\r\n" (or an error line) after the
// frame header.
func identifyMemcached(b []byte) (fingerprint.Service, bool) {
	if len(b) < memcachedFrame+5 || binary.BigEndian.Uint16(b[4:]) == 0 || binary.BigEndian.Uint16(b[2:]) >= binary.BigEndian.Uint16(b[4:]) {
		return fingerprint.Service{}, false
	}
	line, _, found := bytes.Cut(b[memcachedFrame:], []byte("\r\n"))
	if !found {
		return fingerprint.Service{}, false
	}
	svc := probe("memcached", fingerprint.ConfidenceLikely)
	switch {
	case bytes.HasPrefix(line, []byte("VERSION ")):
		svc.Product, svc.Version = "memcached", clean(string(line[len("VERSION "):]))
		svc.CPE = []string{fingerprint.CPE("a", "memcached", "memcached", svc.Version)}
		svc.Confidence = fingerprint.ConfidenceCertain
	case bytes.Equal(line, []byte("ERROR")), bytes.HasPrefix(line, []byte("CLIENT_ERROR ")), bytes.HasPrefix(line, []byte("SERVER_ERROR ")):
	default:
		return fingerprint.Service{}, false
	}
	return svc, true
}
