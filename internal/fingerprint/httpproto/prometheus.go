package httpproto

import (
	"context"
	"fmt"
	"mime"
	"strings"

	"github.com/portwatch/portwatch/internal/fingerprint"
)

// Prometheus identifies a Prometheus metrics endpoint from GET /metrics in
// the text exposition format (or OpenMetrics); the *_build_info sample
// names the product and version. The service is named "prometheus" when
// the product is the Prometheus server itself and "prometheus-exporter"
// for everything else that exposes metrics (node_exporter, blackbox_exporter,
// Alertmanager, Grafana, ...): the name says what was found on the port,
// the product says which program it is.
type Prometheus struct{}

var _ fingerprint.Fingerprinter = (*Prometheus)(nil)

// Service names given by the Prometheus fingerprinter.
const (
	nameExporter   = "prometheus-exporter"
	namePrometheus = "prometheus"
)

// Name is "prometheus-exporter".
func (*Prometheus) Name() string { return nameExporter }

// Ports are the default ports of Prometheus, Pushgateway, Alertmanager and
// the common exporters (from the Prometheus default port allocations wiki).
func (*Prometheus) Ports() []uint16 {
	return []uint16{9090, 9091, 9093, 9100, 9104, 9113, 9115, 9121, 9182, 9187, 9256}
}

// MatchBanner is always false: HTTP servers do not speak first.
func (*Prometheus) MatchBanner([]byte) (fingerprint.Service, bool) {
	return fingerprint.Service{}, false
}

// Probe asks GET /metrics, gzip accepted so that the build info, which
// node_exporter sorts deep into its output, fits within the read cap.
func (*Prometheus) Probe(ctx context.Context, s *fingerprint.Session) (fingerprint.Service, error) {
	resp, err := do(ctx, s, request{Path: "/metrics", AcceptGzip: true})
	if err != nil {
		return fingerprint.Service{}, fmt.Errorf("prometheus: %w", err)
	}
	svc, ok := identifyExposition(resp)
	if !ok {
		return fingerprint.Service{}, fmt.Errorf("prometheus: %w: GET /metrics status %d is not a metrics exposition", fingerprint.ErrNoMatch, resp.Status)
	}
	return svc, nil
}

// identifyExposition recognises a metrics exposition and its build info.
func identifyExposition(r *response) (fingerprint.Service, bool) {
	if r.Status != 200 || r.Malformed {
		return fingerprint.Service{}, false
	}
	if ct := r.Header.Get("Content-Type"); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || mt != "text/plain" && mt != "application/openmetrics-text" {
			return fingerprint.Service{}, false
		}
	}
	exp, ok := scanExposition(r.decodedBody())
	if !ok {
		return fingerprint.Service{}, false
	}
	svc := fingerprint.Service{Name: nameExporter, Confidence: fingerprint.ConfidenceLikely,
		Method: fingerprint.MethodProbe, Banner: fingerprint.EscapeBanner(r.Raw)}
	var extra []string
	if b := exp.Build; b != nil {
		p := metricsProduct(b.Component)
		svc.Name, svc.Product, svc.Version = p.Service, p.Product, b.Version
		svc.Confidence = fingerprint.ConfidenceCertain
		if p.Vendor != "" {
			svc.CPE = []string{fingerprint.CPE("a", p.Vendor, p.CPEProduct, b.Version)}
		}
		if b.Revision != "" {
			extra = append(extra, "revision "+b.Revision)
		}
		if b.GoVersion != "" {
			exp.GoVersion = b.GoVersion
		}
	}
	if exp.GoVersion != "" {
		extra = append(extra, exp.GoVersion)
	}
	svc.Extra = strings.Join(extra, "; ")
	return svc, true
}

// metricsApp is a program known by the prefix of its *_build_info metric.
type metricsApp struct {
	Service, Product   string
	Vendor, CPEProduct string // empty when NVD has no name for it
}

// metricsProduct maps a build-info component to a product; unknown
// components are reported as they name themselves.
func metricsProduct(component string) metricsApp {
	switch component {
	case "prometheus":
		return metricsApp{namePrometheus, "Prometheus", "prometheus", "prometheus"}
	case "alertmanager":
		return metricsApp{nameExporter, "Alertmanager", "prometheus", "alertmanager"}
	case "pushgateway":
		return metricsApp{nameExporter, "Pushgateway", "", ""}
	case "grafana":
		return metricsApp{nameExporter, "Grafana", "grafana", "grafana"}
	case "loki":
		return metricsApp{nameExporter, "Loki", "grafana", "loki"}
	}
	return metricsApp{Service: nameExporter, Product: printable(component, 40)}
}
