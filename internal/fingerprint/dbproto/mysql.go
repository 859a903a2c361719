package dbproto

import (
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"strings"

	"github.com/portwatch/portwatch/internal/fingerprint"
)

// MySQL identifies MySQL, MariaDB and MySQL-compatible servers from the
// initial handshake packet they send on connect, or from the error packet
// they send instead (host not allowed, too many connections).
type MySQL struct{}

var (
	_ fingerprint.Fingerprinter = (*MySQL)(nil)
	_ fingerprint.Passive       = (*MySQL)(nil)
	_ fingerprint.StartTLSer    = (*MySQL)(nil)
)

// Capability flags of the handshake that matter here.
const (
	mysqlClientLongPassword     = 0x00000001
	mysqlClientProtocol41       = 0x00000200
	mysqlClientSSL              = 0x00000800
	mysqlClientSecureConnection = 0x00008000
	mysqlClientPluginAuth       = 0x00080000
)

// Name returns "mysql".
func (*MySQL) Name() string { return "mysql" }

// Ports returns the MySQL port.
func (*MySQL) Ports() []uint16 { return []uint16{3306} }

// ServerSpeaksFirst is true: the handshake comes unprompted.
func (*MySQL) ServerSpeaksFirst() bool { return true }

// MatchBanner parses a handshake or error packet.
func (*MySQL) MatchBanner(b []byte) (fingerprint.Service, bool) {
	payload, ok := mysqlPacket(b)
	if !ok {
		return fingerprint.Service{}, false
	}
	svc, _, ok := parseMySQLGreeting(payload)
	if !ok {
		return fingerprint.Service{}, false
	}
	svc.Banner = fingerprint.EscapeBanner(b)
	return svc, true
}

// Probe reads the greeting packet from the connection.
func (*MySQL) Probe(ctx context.Context, s *fingerprint.Session) (fingerprint.Service, error) {
	release, err := bindContext(ctx, s.Conn)
	if err != nil {
		return fingerprint.Service{}, err
	}
	defer release()
	raw, err := readMySQLPacket(s.Conn)
	if err != nil {
		return fingerprint.Service{}, err
	}
	svc, _, ok := parseMySQLGreeting(raw[4:])
	if !ok {
		return fingerprint.Service{}, noMatch("mysql", "not a handshake packet: %q", fingerprint.EscapeBanner(raw))
	}
	svc.Banner = fingerprint.EscapeBanner(raw)
	return svc, nil
}

// StartTLS reads the handshake and, when the server offers TLS, sends the
// SSLRequest packet after which the TLS handshake begins.
func (*MySQL) StartTLS(ctx context.Context, s *fingerprint.Session) error {
	release, err := bindContext(ctx, s.Conn)
	if err != nil {
		return err
	}
	defer release()
	raw, err := readMySQLPacket(s.Conn)
	if err != nil {
		return err
	}
	_, caps, ok := parseMySQLGreeting(raw[4:])
	if !ok || raw[4] != 10 {
		return noMatch("mysql", "no handshake to upgrade")
	}
	if caps&mysqlClientSSL == 0 {
		return fmt.Errorf("mysql: server does not offer TLS")
	}
	// SSLRequest: client capabilities, max packet size, character set
	// (utf8mb4_general_ci), 23 reserved bytes; sequence number 1.
	req := make([]byte, 4+32)
	req[0], req[3] = 32, 1
	binary.LittleEndian.PutUint32(req[4:], mysqlClientLongPassword|mysqlClientProtocol41|mysqlClientSSL|mysqlClientSecureConnection|mysqlClientPluginAuth)
	binary.LittleEndian.PutUint32(req[8:], 1<<24)
	req[12] = 45
	return send("mysql", s.Conn, req)
}

// readMySQLPacket reads one packet (4-byte header and payload).
func readMySQLPacket(r io.Reader) ([]byte, error) {
	hdr, err := readFull(r, 4)
	if err != nil {
		return nil, noAnswer("mysql", err)
	}
	n := int(hdr[0]) | int(hdr[1])<<8 | int(hdr[2])<<16
	if hdr[3] != 0 || n < 5 || n > 1024 {
		return nil, noMatch("mysql", "not a greeting packet header % x", hdr)
	}
	payload, err := readFull(r, n)
	if err != nil {
		return nil, noMatch("mysql", "short greeting packet: %v", err)
	}
	return append(hdr, payload...), nil
}

// mysqlPacket returns the payload of a whole first packet in b.
func mysqlPacket(b []byte) ([]byte, bool) {
	if len(b) < 5 {
		return nil, false
	}
	n := int(b[0]) | int(b[1])<<8 | int(b[2])<<16
	if b[3] != 0 || n < 5 || n > 1024 || len(b)-4 < n {
		return nil, false
	}
	return b[4 : 4+n], true
}

// parseMySQLGreeting interprets the first packet's payload: a protocol 10
// handshake or an error packet. caps are the server's capability flags.
func parseMySQLGreeting(p []byte) (svc fingerprint.Service, caps uint32, ok bool) {
	switch p[0] {
	case 10:
		return parseMySQLHandshake(p)
	case 0xff:
		svc, ok = parseMySQLError(p)
		return svc, 0, ok
	}
	return fingerprint.Service{}, 0, false
}

// parseMySQLHandshake reads protocol version, server version, connection
// id, salt, capabilities and (when present) the auth plugin name.
func parseMySQLHandshake(p []byte) (fingerprint.Service, uint32, bool) {
	end := strings.IndexByte(string(p[1:]), 0)
	if end <= 0 || end > 100 {
		return fingerprint.Service{}, 0, false
	}
	version := string(p[1 : 1+end])
	if !isPrintable(version) || version[0] < '0' || version[0] > '9' {
		return fingerprint.Service{}, 0, false
	}
	rest := p[1+end+1:]
	// connection id (4), salt part 1 (8), filler (1, zero), capabilities (2)
	if len(rest) < 15 || rest[12] != 0 {
		return fingerprint.Service{}, 0, false
	}
	caps := uint32(binary.LittleEndian.Uint16(rest[13:15]))
	plugin := ""
	// charset (1), status (2), capabilities high (2), salt length (1), reserved (10)
	if ext := rest[15:]; len(ext) >= 16 {
		caps |= uint32(binary.LittleEndian.Uint16(ext[3:5])) << 16
		salt2 := max(13, int(ext[5])-8)
		if tail := ext[16:]; caps&mysqlClientPluginAuth != 0 && len(tail) > salt2 {
			plugin = strings.TrimRight(string(tail[salt2:]), "\x00")
			if !isPrintable(plugin) {
				plugin = ""
			}
		}
	}
	svc := mysqlVersion(version)
	if plugin != "" {
		svc.Extra = joinExtra(svc.Extra, "auth "+plugin)
	}
	return svc, caps, true
}

// mysqlVersion splits a server version string: "5.5.5-10.11.6-MariaDB-0+deb12u1",
// "8.0.36-0ubuntu0.22.04.1", "5.7.44-log", "8.0.11-TiDB-v7.5.0".
func mysqlVersion(s string) fingerprint.Service {
	svc := fingerprint.Service{
		Name: "mysql", Confidence: fingerprint.ConfidenceCertain, Method: fingerprint.MethodBanner,
	}
	if strings.Contains(s, "-MariaDB") {
		// MariaDB 10.x prefixes "5.5.5-" so that old replicas accept it.
		s = strings.TrimPrefix(s, "5.5.5-")
	}
	version, rest := dottedVersion(s)
	rest = strings.TrimPrefix(rest, "-")
	switch {
	case strings.HasPrefix(rest, "MariaDB"):
		rest = strings.TrimPrefix(strings.TrimPrefix(rest, "MariaDB"), "-")
		svc.Product, svc.Version = "MariaDB", version
		svc.CPE = []string{fingerprint.CPE("a", "mariadb", "mariadb", version)}
	case strings.HasPrefix(rest, "TiDB-v"):
		svc.Product = "TiDB"
		svc.Version, rest = dottedVersion(strings.TrimPrefix(rest, "TiDB-v"))
		svc.Extra = "MySQL " + version + " compatible"
		svc.CPE = []string{fingerprint.CPE("a", "pingcap", "tidb", svc.Version)}
		rest = strings.TrimPrefix(rest, "-")
	default:
		svc.Product, svc.Version = "MySQL", version
		svc.CPE = []string{fingerprint.CPE("a", "oracle", "mysql", version)}
	}
	if rest != "" {
		svc.Extra = joinExtra(svc.Extra, rest)
		svc.Distro = distroOf(rest)
	}
	return svc
}

// parseMySQLError reads an error packet sent instead of the handshake.
func parseMySQLError(p []byte) (fingerprint.Service, bool) {
	if len(p) < 4 {
		return fingerprint.Service{}, false
	}
	code := binary.LittleEndian.Uint16(p[1:3])
	msg := string(p[3:])
	if len(msg) > 6 && msg[0] == '#' {
		msg = msg[6:] // SQL state, sent only after the handshake
	}
	if code < 1000 || code >= 3000 || !isPrintable(msg) {
		return fingerprint.Service{}, false
	}
	svc := fingerprint.Service{
		Name: "mysql", Confidence: fingerprint.ConfidenceLikely, Method: fingerprint.MethodBanner,
	}
	switch {
	case strings.Contains(msg, "MariaDB"):
		svc.Product = "MariaDB"
		svc.CPE = []string{fingerprint.CPE("a", "mariadb", "mariadb", "")}
	case strings.Contains(msg, "MySQL"):
		svc.Product = "MySQL"
		svc.CPE = []string{fingerprint.CPE("a", "oracle", "mysql", "")}
	}
	// The message quotes the client's address, which differs per vantage
	// point, so Extra says what happened in fixed words.
	switch code {
	case 1130:
		svc.Extra = "host not allowed to connect"
	case 1129:
		svc.Extra = "host blocked after connection errors"
	case 1040:
		svc.Extra = "too many connections"
	default:
		svc.Extra = fmt.Sprintf("error %d", code)
	}
	return svc, true
}

// dottedVersion splits s into a leading "1.2.3" version and the rest.
func dottedVersion(s string) (version, rest string) {
	i := 0
	for i < len(s) && (s[i] >= '0' && s[i] <= '9' || s[i] == '.') {
		i++
	}
	return strings.TrimRight(s[:i], "."), s[i:]
}

// isPrintable reports whether s is non-empty printable ASCII.
func isPrintable(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] > 0x7e {
			return false
		}
	}
	return true
}

// joinExtra appends one detail to Extra.
func joinExtra(extra, more string) string {
	if extra == "" {
		return more
	}
	return extra + "; " + more
}
