package httpproto

import (
	"context"
	"fmt"
	"strings"

	"github.com/portwatch/portwatch/internal/fingerprint"
)

// Consul identifies HashiCorp Consul from GET /v1/agent/self. With ACLs
// denying anonymous reads the answer is a 403, but every Consul API answer
// since 1.9 carries X-Consul-Default-Acl-Policy, which still names the
// product, so no second request (/v1/status/leader) is needed.
type Consul struct{}

var _ fingerprint.Fingerprinter = (*Consul)(nil)

// Name is "consul".
func (*Consul) Name() string { return "consul" }

// Ports are Consul's HTTP and HTTPS API ports.
func (*Consul) Ports() []uint16 { return []uint16{8500, 8501} }

// MatchBanner is always false: HTTP servers do not speak first.
func (*Consul) MatchBanner([]byte) (fingerprint.Service, bool) { return fingerprint.Service{}, false }

// Probe asks GET /v1/agent/self.
func (*Consul) Probe(ctx context.Context, s *fingerprint.Session) (fingerprint.Service, error) {
	resp, err := get(ctx, s, "/v1/agent/self")
	if err != nil {
		return fingerprint.Service{}, fmt.Errorf("consul: %w", err)
	}
	if svc, ok := identifyConsulSelf(resp); ok {
		return svc, nil
	}
	if svc, ok := identifyConsulHeaders(resp); ok {
		return svc, nil
	}
	return fingerprint.Service{}, fmt.Errorf("consul: %w: GET /v1/agent/self status %d is not Consul's", fingerprint.ErrNoMatch, resp.Status)
}

// identifyConsulSelf reads the agent's self-description.
func identifyConsulSelf(r *response) (fingerprint.Service, bool) {
	var doc struct {
		Config struct {
			Datacenter        string
			NodeName          string
			Server            bool
			Version           string
			VersionPrerelease string
			VersionMetadata   string
		}
		Member struct{ Name string }
	}
	if r.Status != 200 || !jsonBody(r, &doc) {
		return fingerprint.Service{}, false
	}
	version := cleanVersion(doc.Config.Version)
	if version == "" || doc.Config.Datacenter == "" {
		return fingerprint.Service{}, false
	}
	svc := consulService(version, r, fingerprint.ConfidenceCertain)
	extra := []string{fmt.Sprintf("datacenter %q", printable(doc.Config.Datacenter, 64))}
	if doc.Config.NodeName != "" {
		extra = append(extra, fmt.Sprintf("node %q", printable(doc.Config.NodeName, 64)))
	}
	if doc.Config.Server {
		extra = append(extra, "server")
	} else {
		extra = append(extra, "client")
	}
	if doc.Config.VersionMetadata == "ent" {
		extra = append(extra, "Enterprise")
	}
	if p := cleanVersion(doc.Config.VersionPrerelease); p != "" {
		extra = append(extra, "prerelease "+p)
	}
	svc.Extra = strings.Join(extra, "; ")
	return svc, true
}

// identifyConsulHeaders recognises any Consul API answer by its headers:
// the product, not the version.
func identifyConsulHeaders(r *response) (fingerprint.Service, bool) {
	policy := r.Header.Get("X-Consul-Default-Acl-Policy")
	if policy == "" && r.Header.Get("X-Consul-Knownleader") == "" {
		return fingerprint.Service{}, false
	}
	svc := consulService("", r, fingerprint.ConfidenceLikely)
	if policy != "" {
		svc.Extra = "default ACL policy " + printable(policy, 10)
	}
	return svc, true
}

func consulService(version string, r *response, confidence int) fingerprint.Service {
	return fingerprint.Service{Name: "consul", Product: "Consul", Version: version,
		CPE:        []string{fingerprint.CPE("a", "hashicorp", "consul", version)},
		Confidence: confidence, Method: fingerprint.MethodProbe, Banner: fingerprint.EscapeBanner(r.Raw)}
}
