package dbproto

import (
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"strings"

	"github.com/portwatch/portwatch/internal/fingerprint"
)

// MongoDB identifies MongoDB with two OP_MSG commands that need no login:
// isMaster (role, wire version) and buildInfo (version).
type MongoDB struct{}

var _ fingerprint.Fingerprinter = (*MongoDB)(nil)

// Wire protocol constants.
const (
	mongoOpReply = 1
	mongoOpMsg   = 2013
	// Fixed request ids make replies replayable in tests; each reply must
	// answer the request just sent.
	mongoHelloID     = 0x70770001
	mongoBuildInfoID = 0x70770002
)

// Name returns "mongodb".
func (*MongoDB) Name() string { return "mongodb" }

// Ports returns mongod's, the shard server's and the config server's ports.
func (*MongoDB) Ports() []uint16 { return []uint16{27017, 27018, 27019} }

// MatchBanner is always false: MongoDB waits for the client.
func (*MongoDB) MatchBanner([]byte) (fingerprint.Service, bool) {
	return fingerprint.Service{}, false
}

// Probe sends isMaster, then buildInfo, each on the admin database.
func (*MongoDB) Probe(ctx context.Context, s *fingerprint.Session) (fingerprint.Service, error) {
	const proto = "mongodb"
	release, err := openExchange(ctx, proto, s, nil)
	defer release()
	if err != nil {
		return fingerprint.Service{}, err
	}
	hello, raw, err := mongoCommand(s.Conn, mongoHelloID, "isMaster")
	if err != nil {
		return fingerprint.Service{}, err
	}
	if _, ok := hello["maxWireVersion"]; !ok {
		return fingerprint.Service{}, noMatch(proto, "isMaster reply without maxWireVersion")
	}
	svc := fingerprint.Service{
		Name: proto, Product: "MongoDB",
		Confidence: fingerprint.ConfidenceCertain, Method: fingerprint.MethodProbe,
		Banner: fingerprint.EscapeBanner(raw),
	}
	var extra []string
	switch {
	case hello["msg"] == "isdbgrid":
		extra = append(extra, "mongos")
	case hello["setName"] != nil:
		extra = append(extra, fmt.Sprintf("replica set %v", hello["setName"]))
	}
	build, _, err := mongoCommand(s.Conn, mongoBuildInfoID, "buildInfo")
	if ok, _ := bsonNumber(build, "ok"); err == nil && ok == 1 {
		svc.Version, _ = build["version"].(string)
		if mods, ok := build["modules"].(bsonRaw); ok && len(bsonStrings(mods)) > 0 {
			extra = append(extra, strings.Join(bsonStrings(mods), ","))
		}
	}
	if svc.Version == "" {
		// buildInfo refused (or not answered): the wire version still
		// bounds the release.
		wire, _ := bsonNumber(hello, "maxWireVersion")
		extra = append(extra, mongoWireRelease(int(wire)))
	}
	svc.Extra = strings.Join(extra, "; ")
	svc.CPE = []string{fingerprint.CPE("a", "mongodb", "mongodb", svc.Version)}
	return svc, nil
}

// mongoCommand sends {cmd: 1, $db: "admin"} as OP_MSG and returns the
// reply document and the raw reply.
func mongoCommand(rw io.ReadWriter, id int32, cmd string) (map[string]any, []byte, error) {
	const proto = "mongodb"
	doc := bsonDoc(bsonField{cmd, int32(1)}, bsonField{"$db", "admin"})
	msg := make([]byte, 16, 16+5+len(doc))
	binary.LittleEndian.PutUint32(msg[0:], uint32(16+5+len(doc)))
	binary.LittleEndian.PutUint32(msg[4:], uint32(id))
	binary.LittleEndian.PutUint32(msg[12:], mongoOpMsg)
	msg = append(msg, 0, 0, 0, 0, 0) // flag bits, section kind 0 (body)
	msg = append(msg, doc...)
	if _, err := rw.Write(msg); err != nil {
		return nil, nil, fmt.Errorf("%s: write %s: %w", proto, cmd, err)
	}
	hdr, err := readFull(rw, 16)
	if err != nil {
		return nil, nil, noAnswer(proto, err)
	}
	n := int(binary.LittleEndian.Uint32(hdr))
	responseTo := int32(binary.LittleEndian.Uint32(hdr[8:]))
	op := binary.LittleEndian.Uint32(hdr[12:])
	if n < 16+5 || n > fingerprint.MaxRead || responseTo != id || (op != mongoOpMsg && op != mongoOpReply) {
		return nil, nil, noMatch(proto, "not a reply to %s: % x", cmd, hdr)
	}
	body, err := readFull(rw, n-16)
	if err != nil {
		return nil, nil, noMatch(proto, "short reply to %s: %v", cmd, err)
	}
	var bson []byte
	switch op {
	case mongoOpMsg: // flag bits, then the kind-0 section
		if len(body) < 5 || body[4] != 0 {
			return nil, nil, noMatch(proto, "OP_MSG reply without a body section")
		}
		bson = body[5:]
	case mongoOpReply: // flags, cursor id, starting from, number returned
		if len(body) < 20 {
			return nil, nil, noMatch(proto, "short OP_REPLY")
		}
		bson = body[20:]
	}
	reply, _, err := bsonDecode(bson)
	if err != nil {
		return nil, nil, noMatch(proto, "reply to %s: %v", cmd, err)
	}
	return reply, append(hdr, body...), nil
}

// mongoWireRelease names the release that introduced a wire version.
func mongoWireRelease(wire int) string {
	release := map[int]string{
		6: "3.6", 7: "4.0", 8: "4.2", 9: "4.4", 13: "5.0", 14: "5.1", 15: "5.2", 16: "5.3",
		17: "6.0", 18: "6.1", 19: "6.2", 20: "6.3", 21: "7.0", 22: "7.1", 23: "7.2", 24: "7.3", 25: "8.0",
	}[wire]
	if release == "" {
		return fmt.Sprintf("wire version %d", wire)
	}
	return fmt.Sprintf("wire version %d (%s or later)", wire, release)
}
