package httpproto

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/portwatch/portwatch/internal/fingerprint"
)

// Elasticsearch identifies Elasticsearch and OpenSearch from the JSON
// document both return for GET /.
type Elasticsearch struct{}

var _ fingerprint.Fingerprinter = (*Elasticsearch)(nil)

// Name is "elasticsearch"; an OpenSearch node is reported as "opensearch".
func (*Elasticsearch) Name() string { return "elasticsearch" }

// Ports are the REST ports of Elasticsearch and OpenSearch.
func (*Elasticsearch) Ports() []uint16 { return []uint16{9200, 9201} }

// MatchBanner is always false: HTTP servers do not speak first.
func (*Elasticsearch) MatchBanner([]byte) (fingerprint.Service, bool) {
	return fingerprint.Service{}, false
}

// Probe asks GET / and reads version.number, version.distribution,
// cluster_name and tagline.
func (*Elasticsearch) Probe(ctx context.Context, s *fingerprint.Session) (fingerprint.Service, error) {
	resp, err := get(ctx, s, "/")
	if err != nil {
		return fingerprint.Service{}, fmt.Errorf("elasticsearch: %w", err)
	}
	svc, ok := identifyElasticsearch(resp)
	if !ok {
		return fingerprint.Service{}, fmt.Errorf("elasticsearch: %w: GET / status %d is not an Elasticsearch or OpenSearch document", fingerprint.ErrNoMatch, resp.Status)
	}
	return svc, nil
}

// esRoot is the part of the GET / document that is read.
type esRoot struct {
	Name        string `json:"name"`
	ClusterName string `json:"cluster_name"`
	Version     struct {
		Number        string `json:"number"`
		Distribution  string `json:"distribution"`
		BuildFlavor   string `json:"build_flavor"`
		LuceneVersion string `json:"lucene_version"`
	} `json:"version"`
	Tagline string `json:"tagline"`
	// Error is set on a 401 from Elasticsearch's security layer.
	Error *struct {
		Type string `json:"type"`
	} `json:"error"`
}

// identifyElasticsearch recognises the GET / answer of Elasticsearch or
// OpenSearch: the version document, or the 401 of a secured cluster.
func identifyElasticsearch(r *response) (fingerprint.Service, bool) {
	var doc esRoot
	if !jsonBody(r, &doc) {
		return identifyElasticsearchAuth(r)
	}
	opensearch := doc.Version.Distribution == "opensearch" || strings.Contains(doc.Tagline, "OpenSearch")
	elastic := doc.Tagline == "You Know, for Search" || r.Header.Get("X-Elastic-Product") == "Elasticsearch"
	if doc.Version.Number == "" || !opensearch && !elastic {
		if doc.Error != nil && doc.Error.Type == "security_exception" {
			return esService("elasticsearch", "", r, fingerprint.ConfidenceLikely), true
		}
		return fingerprint.Service{}, false
	}
	name := "elasticsearch"
	if opensearch {
		name = "opensearch"
	}
	svc := esService(name, cleanVersion(doc.Version.Number), r, fingerprint.ConfidenceCertain)
	var extra []string
	if doc.ClusterName != "" {
		extra = append(extra, fmt.Sprintf("cluster %q", printable(doc.ClusterName, 64)))
	}
	if doc.Name != "" {
		extra = append(extra, fmt.Sprintf("node %q", printable(doc.Name, 64)))
	}
	if doc.Version.BuildFlavor != "" && doc.Version.BuildFlavor != "default" {
		extra = append(extra, printable(doc.Version.BuildFlavor, 20)+" flavor")
	}
	if v := cleanVersion(doc.Version.LuceneVersion); v != "" {
		extra = append(extra, "Lucene "+v)
	}
	svc.Extra = strings.Join(extra, "; ")
	return svc, true
}

// identifyElasticsearchAuth recognises the 401 of a cluster that requires
// credentials: no version, but the product is certain enough.
func identifyElasticsearchAuth(r *response) (fingerprint.Service, bool) {
	if r.Status != 401 {
		return fingerprint.Service{}, false
	}
	for _, v := range r.Header.Values("Www-Authenticate") {
		switch {
		case strings.Contains(v, `realm="OpenSearch Security"`):
			return esService("opensearch", "", r, fingerprint.ConfidenceLikely), true
		case strings.Contains(v, `realm="security"`) && r.Header.Get("X-Elastic-Product") == "Elasticsearch":
			return esService("elasticsearch", "", r, fingerprint.ConfidenceLikely), true
		}
	}
	return fingerprint.Service{}, false
}

func esService(name, version string, r *response, confidence int) fingerprint.Service {
	svc := fingerprint.Service{Name: name, Version: version, Confidence: confidence,
		Method: fingerprint.MethodProbe, Banner: fingerprint.EscapeBanner(r.Raw)}
	if name == "opensearch" {
		svc.Product = "OpenSearch"
		svc.CPE = []string{fingerprint.CPE("a", "amazon", "opensearch", version)}
	} else {
		svc.Product = "Elasticsearch"
		svc.CPE = []string{fingerprint.CPE("a", "elastic", "elasticsearch", version)}
	}
	return svc
}

// jsonBody decodes a complete JSON body into v. A truncated or non-JSON
// body is not an error but "no".
func jsonBody(r *response, v any) bool {
	if r.Malformed || r.Truncated || len(r.Body) == 0 {
		return false
	}
	b := strings.TrimSpace(string(r.Body))
	if b == "" || b[0] != '{' {
		return false
	}
	return json.Unmarshal([]byte(b), v) == nil
}
