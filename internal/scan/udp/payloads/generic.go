package payloads

import (
	"bytes"

	"github.com/portwatch/portwatch/internal/fingerprint"
)

// genericLine is the second generic datagram: a blank line, which
// line-oriented services answer with an error or a prompt, and which an
// echo service (RFC 862) returns as is.
const genericLine = "\r\n\r\n"

// Generic returns the payloads for ports without their own: an empty
// datagram, which services such as daytime (RFC 867), time (RFC 868) and
// chargen (RFC 864) answer, then a blank line.
func Generic() []Payload {
	return []Payload{
		{
			Service:  "unknown",
			Name:     "generic-empty",
			Spec:     "RFC 867, RFC 868, RFC 864",
			Build:    func(Request) []byte { return []byte{} },
			Identify: func([]byte) (fingerprint.Service, bool) { return fingerprint.Service{}, false },
		},
		{
			Service:  "unknown",
			Name:     "generic-line",
			Spec:     "RFC 862",
			Build:    func(Request) []byte { return []byte(genericLine) },
			Identify: identifyEcho,
		},
	}
}

// identifyEcho recognises an echo service returning the blank line.
func identifyEcho(reply []byte) (fingerprint.Service, bool) {
	if !bytes.Equal(reply, []byte(genericLine)) {
		return fingerprint.Service{}, false
	}
	return probe("echo", fingerprint.ConfidenceLikely), true
}
