package dbproto

import (
	"bytes"
	"context"
	"strings"

	"github.com/portwatch/portwatch/internal/fingerprint"
)

// ZooKeeper identifies Apache ZooKeeper with the four-letter word "srvr",
// the only one ZooKeeper 3.5+ allows by default.
type ZooKeeper struct{}

var _ fingerprint.Fingerprinter = (*ZooKeeper)(nil)

// Name returns "zookeeper".
func (*ZooKeeper) Name() string { return "zookeeper" }

// Ports returns the client port.
func (*ZooKeeper) Ports() []uint16 { return []uint16{2181} }

// MatchBanner is always false: ZooKeeper waits for the client.
func (*ZooKeeper) MatchBanner([]byte) (fingerprint.Service, bool) {
	return fingerprint.Service{}, false
}

// Probe sends "srvr" and reads the statistics ZooKeeper writes before it
// closes the connection.
func (*ZooKeeper) Probe(ctx context.Context, s *fingerprint.Session) (fingerprint.Service, error) {
	const proto = "zookeeper"
	release, err := openExchange(ctx, proto, s, []byte("srvr"))
	defer release()
	if err != nil {
		return fingerprint.Service{}, err
	}
	var reply []byte
	for len(reply) < 4096 && !zkReplyDone(reply) {
		chunk, err := fingerprint.ReadUntil(s.Conn, 4096-len(reply), "\n")
		reply = append(reply, chunk...)
		if err != nil {
			if len(reply) == 0 {
				return fingerprint.Service{}, noAnswer(proto, err)
			}
			break // the server closed after its reply, as ZooKeeper does
		}
	}
	return parseZooKeeperSrvr(string(reply))
}

// zkReplyDone reports whether reply holds all that is worth waiting for:
// srvr statistics end with "Node count: N"; any other first line (a
// refusal, or another protocol) is all there is.
func zkReplyDone(reply []byte) bool {
	const head = "Zookeeper version: "
	switch {
	case len(reply) == 0:
		return false
	case !bytes.HasPrefix([]byte(head), reply[:min(len(reply), len(head))]):
		return true // not the statistics
	case len(reply) < len(head):
		return false
	}
	return bytes.Contains(reply, []byte("\nNode count: ")) && bytes.HasSuffix(reply, []byte("\n"))
}

// parseZooKeeperSrvr reads "Zookeeper version: 3.8.4-<git sha>, built on
// ..." and "Mode: standalone", or the refusal of a server that does not
// allow the command or is not serving yet (no quorum, still starting).
func parseZooKeeperSrvr(reply string) (fingerprint.Service, error) {
	svc := fingerprint.Service{
		Name: "zookeeper", Product: "Apache ZooKeeper",
		Confidence: fingerprint.ConfidenceCertain, Method: fingerprint.MethodProbe,
		Banner: fingerprint.EscapeBanner([]byte(reply)),
	}
	switch {
	case strings.HasPrefix(reply, "srvr is not executed because it is not in the whitelist"):
		svc.Extra = "four-letter words disabled"
	case strings.HasPrefix(reply, "This ZooKeeper instance is not currently serving requests"):
		svc.Extra = "not serving requests"
	}
	if svc.Extra != "" {
		svc.CPE = []string{fingerprint.CPE("a", "apache", "zookeeper", "")}
		return svc, nil
	}
	first, _, _ := strings.Cut(reply, "\n")
	rest, ok := strings.CutPrefix(first, "Zookeeper version: ")
	if !ok {
		return fingerprint.Service{}, noMatch("zookeeper", "unexpected reply %q", fingerprint.EscapeBanner([]byte(first)))
	}
	svc.Version, _ = dottedVersion(rest)
	for line := range strings.SplitSeq(reply, "\n") {
		if mode, ok := strings.CutPrefix(line, "Mode: "); ok {
			svc.Extra = strings.TrimSpace(mode)
		}
	}
	svc.CPE = []string{fingerprint.CPE("a", "apache", "zookeeper", svc.Version)}
	return svc, nil
}
