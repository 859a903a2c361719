package textproto

import (
	"context"
	"fmt"
	"net"
	"strconv"
	"strings"

	"github.com/portwatch/portwatch/internal/fingerprint"
)

// RTSP identifies streaming servers with OPTIONS (RFC 2326 section 10.1)
// and their Server header.
type RTSP struct{}

var _ fingerprint.Fingerprinter = (*RTSP)(nil)

// Name implements fingerprint.Fingerprinter.
func (*RTSP) Name() string { return "rtsp" }

// Ports implements fingerprint.Fingerprinter.
func (*RTSP) Ports() []uint16 { return []uint16{554, 8554} }

// MatchBanner implements fingerprint.Fingerprinter: RTSP servers wait for
// the client.
func (*RTSP) MatchBanner([]byte) (fingerprint.Service, bool) { return fingerprint.Service{}, false }

// Probe implements fingerprint.Fingerprinter.
func (*RTSP) Probe(ctx context.Context, s *fingerprint.Session) (fingerprint.Service, error) {
	release, err := bind(ctx, s.Conn)
	if err != nil {
		return fingerprint.Service{}, fmt.Errorf("rtsp: %w", err)
	}
	defer release()
	req := fmt.Sprintf("OPTIONS rtsp://%s/ RTSP/1.0\r\nCSeq: 1\r\nUser-Agent: portwatch\r\n\r\n", urlHost(s, 554))
	if err := send(ctx, s.Conn, req); err != nil {
		return fingerprint.Service{}, fmt.Errorf("rtsp: OPTIONS: %w", err)
	}
	buf, err := readReply(ctx, s.Conn, headerDone("RTSP/1."))
	status, headers := parseHeaders(buf)
	if !strings.HasPrefix(status, "RTSP/1.") {
		if err != nil && len(buf) == 0 {
			return fingerprint.Service{}, fmt.Errorf("rtsp: %w", err)
		}
		return fingerprint.Service{}, fmt.Errorf("rtsp: answer %q: %w", firstLine(buf), fingerprint.ErrNoMatch)
	}
	svc := fingerprint.Service{
		Name:       "rtsp",
		Confidence: fingerprint.ConfidenceLikely,
		Method:     fingerprint.MethodProbe,
		Banner:     fingerprint.EscapeBanner(buf),
	}
	if h := headers["server"]; h != "" {
		name, version := serverProduct(h)
		product(&svc, name, version, "", "")
	}
	return svc, nil
}

// urlHost is the authority for a request URI: the name the user gave, or
// the address, with the port unless it is the protocol's default.
func urlHost(s *fingerprint.Session, defaultPort uint16) string {
	host := s.ServerName
	if host == "" {
		host = s.Addr.Addr().String()
	}
	if s.Addr.Port() == defaultPort || s.Addr.Port() == 0 {
		if strings.Contains(host, ":") {
			return "[" + host + "]"
		}
		return host
	}
	return net.JoinHostPort(host, strconv.Itoa(int(s.Addr.Port())))
}
