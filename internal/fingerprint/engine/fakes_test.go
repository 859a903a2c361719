package engine

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/portwatch/portwatch/internal/fingerprint"
)

// The fingerprinters below are test doubles with just enough protocol to
// exercise the engine; the real ones live in textproto, dbproto and
// httpproto.

// fakeSSH speaks first: "SSH-2.0-OpenSSH_9.2p1 ...".
type fakeSSH struct{}

func (fakeSSH) Name() string            { return "ssh" }
func (fakeSSH) Ports() []uint16         { return []uint16{22} }
func (fakeSSH) ServerSpeaksFirst() bool { return true }
func (fakeSSH) MatchBanner(b []byte) (fingerprint.Service, bool) {
	line, _, _ := bytes.Cut(b, []byte("\n"))
	rest, ok := bytes.CutPrefix(bytes.TrimSpace(line), []byte("SSH-2.0-"))
	if !ok {
		return fingerprint.Service{}, false
	}
	soft, extra, _ := strings.Cut(string(rest), " ")
	prod, ver, _ := strings.Cut(soft, "_")
	return fingerprint.Service{Name: "ssh", Product: prod, Version: ver, Extra: extra,
		CPE:        []string{fingerprint.CPE("a", "openbsd", "openssh", ver)},
		Confidence: fingerprint.ConfidenceCertain}, true
}
func (f fakeSSH) Probe(_ context.Context, s *fingerprint.Session) (fingerprint.Service, error) {
	b, err := fingerprint.ReadUntil(s.Conn, 1024, "\n")
	if err != nil {
		return fingerprint.Service{}, fmt.Errorf("ssh banner: %w", err)
	}
	if svc, ok := f.MatchBanner(b); ok {
		return svc, nil
	}
	return fingerprint.Service{}, fingerprint.ErrNoMatch
}

// fakeHTTP sends GET / and reads the Server header.
type fakeHTTP struct{}

func (fakeHTTP) Name() string                                   { return "http" }
func (fakeHTTP) Ports() []uint16                                { return []uint16{80, 443, 8080} }
func (fakeHTTP) MatchBanner([]byte) (fingerprint.Service, bool) { return fingerprint.Service{}, false }
func (fakeHTTP) Probe(_ context.Context, s *fingerprint.Session) (fingerprint.Service, error) {
	host := s.ServerName
	if host == "" {
		host = s.Addr.String()
	}
	if _, err := fmt.Fprintf(s.Conn, "GET / HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n", host); err != nil {
		return fingerprint.Service{}, err
	}
	b, err := fingerprint.ReadSome(s.Conn, fingerprint.MaxRead)
	if !bytes.HasPrefix(b, []byte("HTTP/1.")) {
		return fingerprint.Service{}, errors.Join(fingerprint.ErrNoMatch, err)
	}
	svc := fingerprint.Service{Name: "http", Confidence: fingerprint.ConfidenceLikely}
	for _, l := range strings.Split(string(b), "\r\n") {
		if v, ok := strings.CutPrefix(l, "Server: "); ok {
			svc.Product, svc.Version, _ = strings.Cut(v, "/")
			svc.CPE = []string{fingerprint.CPE("a", "f5", svc.Product, svc.Version)}
			svc.Confidence = fingerprint.ConfidenceCertain
		}
	}
	return svc, nil
}

// fakeSMTP speaks first and has STARTTLS.
type fakeSMTP struct{}

func (fakeSMTP) Name() string            { return "smtp" }
func (fakeSMTP) Ports() []uint16         { return []uint16{25, 465, 587} }
func (fakeSMTP) ServerSpeaksFirst() bool { return true }
func (fakeSMTP) MatchBanner(b []byte) (fingerprint.Service, bool) {
	if !bytes.HasPrefix(b, []byte("220 ")) || !bytes.Contains(b, []byte("ESMTP")) {
		return fingerprint.Service{}, false
	}
	svc := fingerprint.Service{Name: "smtp", Confidence: fingerprint.ConfidenceLikely}
	if bytes.Contains(b, []byte("Postfix")) {
		svc.Product = "Postfix"
		svc.CPE = []string{fingerprint.CPE("a", "postfix", "postfix", "")}
	}
	return svc, true
}
func (f fakeSMTP) Probe(_ context.Context, s *fingerprint.Session) (fingerprint.Service, error) {
	b, err := fingerprint.ReadUntil(s.Conn, 4096, "\n")
	if err != nil {
		return fingerprint.Service{}, err
	}
	if svc, ok := f.MatchBanner(b); ok {
		return svc, nil
	}
	return fingerprint.Service{}, fingerprint.ErrNoMatch
}
func (fakeSMTP) StartTLS(_ context.Context, s *fingerprint.Session) error {
	if _, err := fingerprint.ReadUntil(s.Conn, 4096, "\n"); err != nil {
		return err
	}
	if _, err := s.Conn.Write([]byte("EHLO portwatch\r\n")); err != nil {
		return err
	}
	ehlo, err := fingerprint.ReadUntil(s.Conn, 4096, "\r\n")
	for err == nil && !bytes.Contains(ehlo, []byte("250 ")) {
		var more []byte
		more, err = fingerprint.ReadUntil(s.Conn, 4096, "\r\n")
		ehlo = append(ehlo, more...)
	}
	if err != nil || !bytes.Contains(ehlo, []byte("STARTTLS")) {
		return fmt.Errorf("no STARTTLS: %w", errors.Join(fingerprint.ErrNoMatch, err))
	}
	if _, err := s.Conn.Write([]byte("STARTTLS\r\n")); err != nil {
		return err
	}
	ok, err := fingerprint.ReadUntil(s.Conn, 1024, "\r\n")
	if err != nil || !bytes.HasPrefix(ok, []byte("220")) {
		return fmt.Errorf("STARTTLS refused: %q %w", ok, errors.Join(fingerprint.ErrNoMatch, err))
	}
	return nil
}

// fakeRedis sends PING.
type fakeRedis struct{}

func (fakeRedis) Name() string                                   { return "redis" }
func (fakeRedis) Ports() []uint16                                { return []uint16{6379} }
func (fakeRedis) MatchBanner([]byte) (fingerprint.Service, bool) { return fingerprint.Service{}, false }
func (fakeRedis) Probe(_ context.Context, s *fingerprint.Session) (fingerprint.Service, error) {
	if _, err := s.Conn.Write([]byte("PING\r\n")); err != nil {
		return fingerprint.Service{}, err
	}
	b, err := fingerprint.ReadUntil(s.Conn, 1024, "\r\n")
	if err != nil || !bytes.Equal(b, []byte("+PONG\r\n")) {
		return fingerprint.Service{}, errors.Join(fingerprint.ErrNoMatch, err)
	}
	return fingerprint.Service{Name: "redis"}, nil // confidence and method left to the engine
}

// panicky panics on every call.
type panicky struct{}

func (panicky) Name() string    { return "panicky" }
func (panicky) Ports() []uint16 { return nil }
func (panicky) MatchBanner([]byte) (fingerprint.Service, bool) {
	panic("MatchBanner bug")
}
func (panicky) Probe(context.Context, *fingerprint.Session) (fingerprint.Service, error) {
	panic("Probe bug")
}

// fakes is the test registry.
func fakes() []fingerprint.Fingerprinter {
	return []fingerprint.Fingerprinter{fakeSSH{}, fakeSMTP{}, fakeRedis{}, fakeHTTP{}}
}
