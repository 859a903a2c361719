package dbproto

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"

	"github.com/portwatch/portwatch/internal/fingerprint"
)

// NATS identifies NATS servers from the INFO line they send on connect,
// a JSON object that names the version and the Go release it was built
// with.
type NATS struct{}

var (
	_ fingerprint.Fingerprinter = (*NATS)(nil)
	_ fingerprint.Passive       = (*NATS)(nil)
)

// natsInfo holds the INFO fields used here.
type natsInfo struct {
	ServerID     string `json:"server_id"`
	ServerName   string `json:"server_name"`
	Version      string `json:"version"`
	Go           string `json:"go"`
	Proto        *int   `json:"proto"`
	AuthRequired bool   `json:"auth_required"`
	TLSRequired  bool   `json:"tls_required"`
	JetStream    bool   `json:"jetstream"`
	Cluster      string `json:"cluster"`
}

// Name returns "nats".
func (*NATS) Name() string { return "nats" }

// Ports returns the client port.
func (*NATS) Ports() []uint16 { return []uint16{4222} }

// ServerSpeaksFirst is true: INFO comes unprompted.
func (*NATS) ServerSpeaksFirst() bool { return true }

// MatchBanner parses the INFO line.
func (*NATS) MatchBanner(b []byte) (fingerprint.Service, bool) {
	return parseNATSInfo(b)
}

// Probe reads the INFO line from the connection.
func (*NATS) Probe(ctx context.Context, s *fingerprint.Session) (fingerprint.Service, error) {
	release, err := bindContext(ctx, s.Conn)
	if err != nil {
		return fingerprint.Service{}, err
	}
	defer release()
	line, err := fingerprint.ReadUntil(s.Conn, 8192, "\r\n")
	if len(line) == 0 {
		return fingerprint.Service{}, noAnswer("nats", err)
	}
	svc, ok := parseNATSInfo(line)
	if !ok {
		return fingerprint.Service{}, noMatch("nats", "not an INFO line: %q", fingerprint.EscapeBanner(line))
	}
	return svc, nil
}

// parseNATSInfo reads `INFO {...}\r\n`.
func parseNATSInfo(b []byte) (fingerprint.Service, bool) {
	rest, ok := bytes.CutPrefix(b, []byte("INFO "))
	if !ok {
		return fingerprint.Service{}, false
	}
	obj, _, ok := bytes.Cut(rest, []byte("\r\n"))
	obj = bytes.TrimSpace(obj)
	if !ok || len(obj) < 2 || obj[0] != '{' {
		return fingerprint.Service{}, false
	}
	var info natsInfo
	if json.Unmarshal(obj, &info) != nil || info.ServerID == "" || info.Proto == nil {
		return fingerprint.Service{}, false
	}
	var extra []string
	if info.Go != "" {
		extra = append(extra, info.Go)
	}
	// The server name defaults to the server id, which changes on every
	// start; only a configured name is worth keeping.
	if info.ServerName != "" && info.ServerName != info.ServerID {
		extra = append(extra, "name "+info.ServerName)
	}
	if info.Cluster != "" {
		extra = append(extra, "cluster "+info.Cluster)
	}
	if info.JetStream {
		extra = append(extra, "JetStream")
	}
	if info.AuthRequired {
		extra = append(extra, "auth required")
	}
	if info.TLSRequired {
		extra = append(extra, "TLS required")
	}
	return fingerprint.Service{
		Name: "nats", Product: "NATS Server", Version: info.Version,
		Extra:      strings.Join(extra, "; "),
		CPE:        []string{fingerprint.CPE("a", "linuxfoundation", "nats-server", info.Version)},
		Confidence: fingerprint.ConfidenceCertain, Method: fingerprint.MethodBanner,
		Banner: fingerprint.EscapeBanner(b),
	}, true
}
