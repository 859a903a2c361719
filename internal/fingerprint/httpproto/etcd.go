package httpproto

import (
	"context"
	"fmt"

	"github.com/portwatch/portwatch/internal/fingerprint"
)

// Etcd identifies etcd from its client port's GET /version document,
// {"etcdserver":"3.5.11","etcdcluster":"3.5.0"}.
type Etcd struct{}

var _ fingerprint.Fingerprinter = (*Etcd)(nil)

// Name is "etcd".
func (*Etcd) Name() string { return "etcd" }

// Ports are etcd's client port and its legacy one.
func (*Etcd) Ports() []uint16 { return []uint16{2379, 4001} }

// MatchBanner is always false: HTTP servers do not speak first.
func (*Etcd) MatchBanner([]byte) (fingerprint.Service, bool) { return fingerprint.Service{}, false }

// Probe asks GET /version.
func (*Etcd) Probe(ctx context.Context, s *fingerprint.Session) (fingerprint.Service, error) {
	resp, err := get(ctx, s, "/version")
	if err != nil {
		return fingerprint.Service{}, fmt.Errorf("etcd: %w", err)
	}
	svc, ok := identifyEtcd(resp)
	if !ok {
		return fingerprint.Service{}, fmt.Errorf("etcd: %w: GET /version status %d is not etcd's version document", fingerprint.ErrNoMatch, resp.Status)
	}
	return svc, nil
}

// identifyEtcd reads etcd's /version document.
func identifyEtcd(r *response) (fingerprint.Service, bool) {
	var doc struct {
		Server  string `json:"etcdserver"`
		Cluster string `json:"etcdcluster"`
	}
	if r.Status != 200 || !jsonBody(r, &doc) {
		return fingerprint.Service{}, false
	}
	version := cleanVersion(doc.Server)
	if version == "" {
		return fingerprint.Service{}, false
	}
	svc := fingerprint.Service{Name: "etcd", Product: "etcd", Version: version,
		CPE:        []string{fingerprint.CPE("a", "etcd", "etcd", version)},
		Confidence: fingerprint.ConfidenceCertain, Method: fingerprint.MethodProbe,
		Banner: fingerprint.EscapeBanner(r.Raw)}
	// "not_decided" while the cluster has no leader yet.
	if c := printable(doc.Cluster, 20); c != "" {
		svc.Extra = "cluster version " + c
	}
	return svc, true
}
