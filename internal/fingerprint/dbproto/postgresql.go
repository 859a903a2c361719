package dbproto

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/portwatch/portwatch/internal/fingerprint"
)

// PostgreSQL identifies PostgreSQL servers (and servers speaking its wire
// protocol) from their answer to a StartupMessage: an authentication
// request or an error. PostgreSQL names its version only after login, so
// Version stays empty unless the server lets the probe's user in without a
// password; Extra reports the protocol version and the authentication
// method asked for.
type PostgreSQL struct{}

var (
	_ fingerprint.Fingerprinter = (*PostgreSQL)(nil)
	_ fingerprint.StartTLSer    = (*PostgreSQL)(nil)
)

// Protocol codes of the startup phase.
const (
	pgProtocol32 = 3<<16 | 2 // newest protocol; older servers answer with the minor they speak
	pgSSLRequest = 1234<<16 | 5679
	pgUser       = "portwatch"
)

// Name returns "postgresql".
func (*PostgreSQL) Name() string { return "postgresql" }

// Ports returns PostgreSQL's port.
func (*PostgreSQL) Ports() []uint16 { return []uint16{5432} }

// MatchBanner is always false: PostgreSQL waits for the client.
func (*PostgreSQL) MatchBanner([]byte) (fingerprint.Service, bool) {
	return fingerprint.Service{}, false
}

// Probe sends a StartupMessage for protocol 3.2 as user "portwatch" and
// reads the answer up to the first authentication request or error. It
// never sends a password.
func (*PostgreSQL) Probe(ctx context.Context, s *fingerprint.Session) (fingerprint.Service, error) {
	const proto = "postgresql"
	release, err := openExchange(ctx, proto, s, pgStartupMessage())
	defer release()
	if err != nil {
		return fingerprint.Service{}, err
	}
	st := pgStartup{protocol: "3.2"}
	var transcript []byte
	// Enough messages for NegotiateProtocolVersion, an authentication
	// request, and after a password-less login the parameter statuses.
	for range 32 {
		typ, body, err := readPGMessage(s.Conn)
		if err != nil {
			if len(transcript) == 0 {
				return fingerprint.Service{}, err
			}
			break // what came before identifies the server
		}
		transcript = fmt.Appendf(transcript, "%c%s", typ, body)
		done, err := st.add(typ, body)
		if err != nil {
			return fingerprint.Service{}, err
		}
		if done {
			break
		}
	}
	if st.authOK && st.errCode == "" {
		// Logged in without a password: leave politely.
		_ = send(proto, s.Conn, []byte{'X', 0, 0, 0, 4})
	}
	svc := st.service()
	svc.Banner = fingerprint.EscapeBanner(transcript)
	return svc, nil
}

// StartTLS sends an SSLRequest; the server's 'S' means the TLS handshake
// comes next.
func (*PostgreSQL) StartTLS(ctx context.Context, s *fingerprint.Session) error {
	release, err := bindContext(ctx, s.Conn)
	if err != nil {
		return err
	}
	defer release()
	req := binary.BigEndian.AppendUint32(binary.BigEndian.AppendUint32(nil, 8), pgSSLRequest)
	if err := send("postgresql", s.Conn, req); err != nil {
		return err
	}
	// Exactly one byte: anything more would be read by the TLS client.
	b, err := readFull(s.Conn, 1)
	if err != nil {
		return noAnswer("postgresql", err)
	}
	switch b[0] {
	case 'S':
		return nil
	case 'N':
		return fmt.Errorf("postgresql: server refuses TLS")
	case 'E':
		return fmt.Errorf("postgresql: server rejected SSLRequest with an error")
	}
	return noMatch("postgresql", "unexpected answer %q to SSLRequest", b)
}

// pgStartupMessage builds the StartupMessage.
func pgStartupMessage() []byte {
	var params []byte
	for _, kv := range [][2]string{{"user", pgUser}, {"database", pgUser}, {"application_name", "portwatch"}} {
		params = append(append(append(append(params, kv[0]...), 0), kv[1]...), 0)
	}
	params = append(params, 0)
	msg := binary.BigEndian.AppendUint32(nil, uint32(8+len(params)))
	msg = binary.BigEndian.AppendUint32(msg, pgProtocol32)
	return append(msg, params...)
}

// readPGMessage reads one backend message: type, length, body.
func readPGMessage(r io.Reader) (byte, []byte, error) {
	hdr, err := readFull(r, 5)
	if err != nil {
		return 0, nil, noAnswer("postgresql", err)
	}
	n := int(binary.BigEndian.Uint32(hdr[1:]))
	if !bytes.ContainsRune([]byte("RvESNKZ"), rune(hdr[0])) || n < 4 || n > 8192 {
		return 0, nil, noMatch("postgresql", "not a backend message: % x", hdr)
	}
	body, err := readFull(r, n-4)
	if err != nil {
		return 0, nil, noMatch("postgresql", "short message %c: %v", hdr[0], err)
	}
	return hdr[0], body, nil
}

// pgStartup collects what the startup phase revealed.
type pgStartup struct {
	protocol string // "3.0", "3.2"
	auth     string // "SCRAM-SHA-256", "md5", "trust", ...
	authOK   bool
	version  string // server_version parameter, only after a login
	errCode  string
	errMsg   string
	backend  bool // the error carries PostgreSQL's source file and routine
}

// add takes one message; done is true when nothing more is worth reading.
func (st *pgStartup) add(typ byte, body []byte) (done bool, err error) {
	switch typ {
	case 'v': // NegotiateProtocolVersion: newest version supported (major<<16 | minor)
		if len(body) < 8 {
			return false, noMatch("postgresql", "short NegotiateProtocolVersion")
		}
		v := binary.BigEndian.Uint32(body)
		st.protocol = fmt.Sprintf("%d.%d", v>>16, v&0xffff)
		return false, nil
	case 'R':
		if len(body) < 4 {
			return false, noMatch("postgresql", "short authentication request")
		}
		code := binary.BigEndian.Uint32(body)
		st.auth = pgAuthName(code, body[4:])
		st.authOK = code == 0
		return !st.authOK, nil
	case 'S': // ParameterStatus after a login
		name, value, _ := strings.Cut(string(body), "\x00")
		if name == "server_version" {
			st.version = strings.TrimRight(value, "\x00")
		}
		return false, nil
	case 'E':
		f := pgFields(body)
		if f['C'] == "" || f['M'] == "" {
			return false, noMatch("postgresql", "error without code or message")
		}
		st.errCode, st.errMsg, st.backend = f['C'], f['M'], f['F'] != "" && f['R'] != ""
		if st.protocol == "3.2" {
			st.protocol = pgProtocolFromError(f['M'], st.protocol)
		}
		return true, nil
	case 'Z': // ReadyForQuery
		return true, nil
	}
	return false, nil
}

// service turns the startup facts into a Service.
func (st *pgStartup) service() fingerprint.Service {
	svc := fingerprint.Service{
		Name: "postgresql", Product: "PostgreSQL",
		Confidence: fingerprint.ConfidenceCertain, Method: fingerprint.MethodProbe,
	}
	if st.errCode != "" && st.auth == "" && !st.backend {
		// An error without PostgreSQL's source location: a proxy or another
		// server speaking the protocol.
		svc.Confidence = fingerprint.ConfidenceLikely
	}
	extra := "protocol " + st.protocol
	if st.auth != "" {
		extra = joinExtra(extra, "auth "+st.auth)
	}
	if st.errCode != "" {
		extra = joinExtra(extra, pgErrorSummary(st.errCode, st.errMsg))
	}
	svc.Extra = extra
	if st.version != "" {
		// "15.18 (Debian 15.18-0+deb12u1)"
		v, rest := dottedVersion(st.version)
		svc.Version = v
		if pkg := strings.Trim(strings.TrimSpace(rest), "()"); pkg != "" {
			svc.Extra = joinExtra(pkg, svc.Extra)
			svc.Distro = distroOf(pkg)
		}
	}
	svc.CPE = []string{fingerprint.CPE("a", "postgresql", "postgresql", svc.Version)}
	return svc
}

// pgAuthName names the authentication method an 'R' message asks for.
func pgAuthName(code uint32, rest []byte) string {
	switch code {
	case 0:
		return "trust"
	case 2:
		return "kerberos5"
	case 3:
		return "password"
	case 5:
		return "md5"
	case 7:
		return "gss"
	case 9:
		return "sspi"
	case 10: // SASL: the mechanisms, each NUL-terminated
		var mechs []string
		for m := range strings.SplitSeq(string(rest), "\x00") {
			if m != "" {
				mechs = append(mechs, m)
			}
		}
		return strings.Join(mechs, ",")
	}
	return "method " + strconv.FormatUint(uint64(code), 10)
}

// pgFields parses an ErrorResponse body: (type byte, NUL-terminated string)*.
func pgFields(body []byte) map[byte]string {
	f := map[byte]string{}
	for len(body) > 1 && body[0] != 0 {
		end := bytes.IndexByte(body[1:], 0)
		if end < 0 {
			break
		}
		f[body[0]] = string(body[1 : 1+end])
		body = body[end+2:]
	}
	return f
}

// pgProtocolFromError reads the range an old server states when it rejects
// protocol 3.2: "unsupported frontend protocol 3.2: server supports 3.0 to 3.0".
func pgProtocolFromError(msg, fallback string) string {
	_, after, ok := strings.Cut(msg, "server supports ")
	if !ok {
		return fallback
	}
	if _, newest, ok := strings.Cut(after, " to "); ok {
		if v, _ := dottedVersion(newest); v != "" {
			return v
		}
	}
	return fallback
}

// pgErrorSummary says in fixed words why the server refused: messages
// quote the client's address, which differs per vantage point.
func pgErrorSummary(code, msg string) string {
	switch {
	case code == "28000" && strings.Contains(msg, "pg_hba.conf"):
		return "no pg_hba.conf entry"
	case code == "28000" && strings.Contains(msg, "does not exist"):
		return "role does not exist"
	case code == "28P01":
		return "password authentication failed"
	case code == "53300":
		return "too many connections"
	case code == "57P03":
		return "not accepting connections"
	case code == "0A000" && strings.Contains(msg, "unsupported frontend protocol"):
		return "unsupported protocol"
	}
	return "error " + code
}
