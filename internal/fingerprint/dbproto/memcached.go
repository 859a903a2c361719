package dbproto

import (
	"bytes"
	"context"

	"github.com/portwatch/portwatch/internal/fingerprint"
)

// Memcached identifies memcached through the text protocol's "version"
// command.
type Memcached struct{}

var _ fingerprint.Fingerprinter = (*Memcached)(nil)

// Name returns "memcached".
func (*Memcached) Name() string { return "memcached" }

// Ports returns memcached's port.
func (*Memcached) Ports() []uint16 { return []uint16{11211} }

// MatchBanner is always false: memcached waits for the client.
func (*Memcached) MatchBanner([]byte) (fingerprint.Service, bool) {
	return fingerprint.Service{}, false
}

// Probe sends "version" and reads the one-line answer.
func (*Memcached) Probe(ctx context.Context, s *fingerprint.Session) (fingerprint.Service, error) {
	const proto = "memcached"
	release, err := openExchange(ctx, proto, s, []byte("version\r\n"))
	defer release()
	if err != nil {
		return fingerprint.Service{}, err
	}
	line, err := fingerprint.ReadUntil(s.Conn, 256, "\r\n")
	if len(line) == 0 {
		return fingerprint.Service{}, noAnswer(proto, err)
	}
	// The answer is "VERSION 1.6.18\r\n".
	rest, ok := bytes.CutPrefix(line, []byte("VERSION "))
	version := leadingVersion(string(rest))
	if !ok || version == "" || !bytes.HasSuffix(rest, []byte("\r\n")) {
		return fingerprint.Service{}, noMatch(proto, "unexpected reply %q", fingerprint.EscapeBanner(line))
	}
	svc := fingerprint.Service{
		Name: proto, Product: "Memcached", Version: version,
		CPE:        []string{fingerprint.CPE("a", "memcached", "memcached", version)},
		Confidence: fingerprint.ConfidenceCertain, Method: fingerprint.MethodProbe,
		Banner: fingerprint.EscapeBanner(bytes.TrimRight(line, "\r\n")),
	}
	return svc, nil
}
