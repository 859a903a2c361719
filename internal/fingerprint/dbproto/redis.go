package dbproto

import (
	"bufio"
	"bytes"
	"context"
	"strconv"
	"strings"

	"github.com/portwatch/portwatch/internal/fingerprint"
)

// Redis identifies Redis and RESP-compatible servers (Valkey, Dragonfly)
// with "INFO server"; a server that wants a password still names itself
// through its NOAUTH or protected-mode error.
type Redis struct{}

var _ fingerprint.Fingerprinter = (*Redis)(nil)

// redisInfoRequest is INFO server as a RESP array.
const redisInfoRequest = "*2\r\n$4\r\nINFO\r\n$6\r\nserver\r\n"

// Name returns "redis".
func (*Redis) Name() string { return "redis" }

// Ports returns Redis's and Sentinel's ports.
func (*Redis) Ports() []uint16 { return []uint16{6379, 6380, 26379} }

// MatchBanner recognises the one thing Redis says unprompted: the error it
// sends to a client over the maxclients limit before closing.
func (*Redis) MatchBanner(b []byte) (fingerprint.Service, bool) {
	if !bytes.HasPrefix(b, []byte("-ERR max number of clients reached\r\n")) {
		return fingerprint.Service{}, false
	}
	return fingerprint.Service{
		Name: "redis", Product: "Redis", Extra: "max clients reached",
		CPE:        []string{fingerprint.CPE("a", "redis", "redis", "")},
		Confidence: fingerprint.ConfidenceLikely, Method: fingerprint.MethodBanner,
		Banner: fingerprint.EscapeBanner(b),
	}, true
}

// Probe sends INFO server and reads the bulk reply or the error.
func (r *Redis) Probe(ctx context.Context, s *fingerprint.Session) (fingerprint.Service, error) {
	const proto = "redis"
	release, err := openExchange(ctx, proto, s, []byte(redisInfoRequest))
	defer release()
	if err != nil {
		return fingerprint.Service{}, err
	}
	br := bufio.NewReader(s.Conn)
	line, err := br.ReadSlice('\n')
	if err != nil {
		return fingerprint.Service{}, noAnswer(proto, err)
	}
	switch line[0] {
	case '-':
		return redisError(line)
	case '$':
		n, err := strconv.Atoi(string(bytes.TrimRight(line[1:], "\r\n")))
		if err != nil || n < 0 {
			return fingerprint.Service{}, noMatch(proto, "bad bulk length %q", line)
		}
		body, err := readFull(br, n)
		if err != nil {
			return fingerprint.Service{}, noMatch(proto, "short INFO reply: %v", err)
		}
		return parseRedisInfo(body)
	}
	return fingerprint.Service{}, noMatch(proto, "not a RESP reply: %q", fingerprint.EscapeBanner(line))
}

// redisError identifies Redis from its answer to a client it will not serve.
func redisError(line []byte) (fingerprint.Service, error) {
	msg := strings.TrimSpace(string(line[1:]))
	svc := fingerprint.Service{
		Name: "redis", Product: "Redis",
		CPE:        []string{fingerprint.CPE("a", "redis", "redis", "")},
		Confidence: fingerprint.ConfidenceLikely, Method: fingerprint.MethodProbe,
		Banner: fingerprint.EscapeBanner(line),
	}
	switch {
	case strings.HasPrefix(msg, "NOAUTH "):
		svc.Extra = "authentication required"
	case strings.HasPrefix(msg, "DENIED Redis is running in protected mode"):
		svc.Extra = "protected mode"
		svc.Confidence = fingerprint.ConfidenceCertain
	case strings.HasPrefix(msg, "NOPERM "):
		svc.Extra = "INFO not permitted"
	case strings.HasPrefix(msg, "ERR unknown command"):
		// INFO renamed or disabled: a RESP server, product unknown.
		svc.Product, svc.CPE, svc.Extra = "", nil, "INFO disabled"
	default:
		return fingerprint.Service{}, noMatch("redis", "unexpected error %q", msg)
	}
	return svc, nil
}

// parseRedisInfo reads the "key:value" lines of INFO server.
func parseRedisInfo(body []byte) (fingerprint.Service, error) {
	info := map[string]string{}
	for line := range strings.SplitSeq(string(body), "\n") {
		if k, v, ok := strings.Cut(strings.TrimRight(line, "\r"), ":"); ok {
			info[k] = v
		}
	}
	svc := fingerprint.Service{
		Name: "redis", Confidence: fingerprint.ConfidenceCertain, Method: fingerprint.MethodProbe,
		OS: info["os"], Banner: fingerprint.EscapeBanner(body),
	}
	switch {
	case info["server_name"] == "valkey" || info["valkey_version"] != "":
		svc.Product, svc.Version = "Valkey", info["valkey_version"]
		svc.CPE = []string{fingerprint.CPE("a", "lfprojects", "valkey", svc.Version)}
	case info["dragonfly_version"] != "":
		svc.Product, svc.Version = "Dragonfly", strings.TrimPrefix(info["dragonfly_version"], "df-v")
	case info["redis_version"] != "":
		svc.Product, svc.Version = "Redis", info["redis_version"]
		svc.CPE = []string{fingerprint.CPE("a", "redis", "redis", svc.Version)}
	default:
		return fingerprint.Service{}, noMatch("redis", "INFO reply names no server version")
	}
	if m := info["redis_mode"]; m != "" {
		svc.Extra = m + " mode"
	}
	return svc, nil
}
