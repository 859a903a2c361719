package payloads

import (
	"encoding/binary"
	"fmt"

	"github.com/portwatch/portwatch/internal/fingerprint"
)

// ONC RPC values (RFC 5531 sections 8-9; program numbers from RFC 1833 and
// RFC 1813).
const (
	rpcCall        = 0
	rpcReply       = 1
	rpcVersion     = 2
	rpcAccepted    = 0
	rpcProgMapper  = 100000
	rpcProgNFS     = 100003
	rpcMaxAuthBody = 400
)

// RPC returns the ONC RPC payloads: a NULL procedure call to the port
// mapper (program 100000 version 2) on port 111 and to NFS (program 100003
// version 3) on port 2049. Any accepted or denied reply proves the service;
// a version mismatch reply tells the versions it supports.
func RPC() []Payload {
	return []Payload{
		{Service: "rpcbind", Name: "rpc-portmap-null", Spec: "RFC 5531, RFC 1833", Ports: []uint16{111},
			Build: func(req Request) []byte { return rpcNullCall(req, rpcProgMapper, 2) }, Identify: rpcIdentifier("rpcbind", rpcProgMapper)},
		{Service: "nfs", Name: "rpc-nfs-null", Spec: "RFC 5531, RFC 1813", Ports: []uint16{2049},
			Build: func(req Request) []byte { return rpcNullCall(req, rpcProgNFS, 3) }, Identify: rpcIdentifier("nfs", rpcProgNFS)},
	}
}

// rpcNullCall is a CALL of procedure 0 with AUTH_NONE credentials and
// verifier.
func rpcNullCall(req Request, prog, vers uint32) []byte {
	b := make([]byte, 40)
	binary.BigEndian.PutUint32(b[0:], uint32(req.Rand.Uint64())) // xid
	binary.BigEndian.PutUint32(b[4:], rpcCall)
	binary.BigEndian.PutUint32(b[8:], rpcVersion)
	binary.BigEndian.PutUint32(b[12:], prog)
	binary.BigEndian.PutUint32(b[16:], vers)
	// procedure 0, then AUTH_NONE credential and verifier: all zero
	return b
}

// rpcIdentifier returns a parser of replies to calls to program prog.
func rpcIdentifier(name string, prog uint32) func([]byte) (fingerprint.Service, bool) {
	return func(b []byte) (fingerprint.Service, bool) {
		if len(b) < 24 || binary.BigEndian.Uint32(b[4:]) != rpcReply {
			return fingerprint.Service{}, false
		}
		svc := probe(name, fingerprint.ConfidenceLikely)
		svc.Extra = fmt.Sprintf("RPC #%d", prog)
		if binary.BigEndian.Uint32(b[8:]) != rpcAccepted { // MSG_DENIED: still an RPC server
			svc.Extra += ", call denied"
			return svc, true
		}
		authLen := binary.BigEndian.Uint32(b[16:])
		if authLen > rpcMaxAuthBody {
			return fingerprint.Service{}, false
		}
		p := 20 + int(authLen+3)&^3
		if len(b) < p+4 {
			return fingerprint.Service{}, false
		}
		switch stat := binary.BigEndian.Uint32(b[p:]); {
		case stat == 2 && len(b) >= p+12: // PROG_MISMATCH: lowest and highest versions
			svc.Extra += fmt.Sprintf(" versions %d-%d", binary.BigEndian.Uint32(b[p+4:]), binary.BigEndian.Uint32(b[p+8:]))
		case stat > 5:
			return fingerprint.Service{}, false
		}
		return svc, true
	}
}
