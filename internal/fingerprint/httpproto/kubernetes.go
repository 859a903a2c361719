package httpproto

import (
	"context"
	"fmt"
	"strings"

	"github.com/portwatch/portwatch/internal/fingerprint"
)

// Kubernetes identifies a Kubernetes API server from GET /version, which
// the default system:public-info-viewer role lets anonymous clients read.
type Kubernetes struct{}

var _ fingerprint.Fingerprinter = (*Kubernetes)(nil)

// Name is "kubernetes".
func (*Kubernetes) Name() string { return "kubernetes" }

// Ports are the API server's usual ports (kubeadm and k3s, minikube,
// MicroK8s). Managed clusters on 443 are recognised by the generic HTTP
// fingerprinter from the Status document GET / returns.
func (*Kubernetes) Ports() []uint16 { return []uint16{6443, 8443, 16443} }

// MatchBanner is always false: HTTP servers do not speak first.
func (*Kubernetes) MatchBanner([]byte) (fingerprint.Service, bool) {
	return fingerprint.Service{}, false
}

// Probe asks GET /version (normally over TLS); a 401 or 403 Status
// document still names the API server.
func (*Kubernetes) Probe(ctx context.Context, s *fingerprint.Session) (fingerprint.Service, error) {
	resp, err := get(ctx, s, "/version")
	if err != nil {
		return fingerprint.Service{}, fmt.Errorf("kubernetes: %w", err)
	}
	if svc, ok := identifyKubernetesVersion(resp); ok {
		return svc, nil
	}
	if svc, ok := identifyKubernetesStatus(resp); ok {
		return svc, nil
	}
	return fingerprint.Service{}, fmt.Errorf("kubernetes: %w: GET /version status %d is not a Kubernetes API server", fingerprint.ErrNoMatch, resp.Status)
}

// identifyKubernetesVersion reads the version.Info document.
func identifyKubernetesVersion(r *response) (fingerprint.Service, bool) {
	var doc struct {
		Major      string `json:"major"`
		Minor      string `json:"minor"`
		GitVersion string `json:"gitVersion"`
		GoVersion  string `json:"goVersion"`
		Platform   string `json:"platform"`
	}
	if r.Status != 200 || !jsonBody(r, &doc) {
		return fingerprint.Service{}, false
	}
	git := cleanVersion(doc.GitVersion)
	if doc.Major == "" || !strings.HasPrefix(git, "v") || doc.Platform == "" {
		return fingerprint.Service{}, false
	}
	// "v1.28.4+k3s2", "v1.27.8-eks-8cb36c9": the upstream release is the
	// part before the distribution's suffix.
	version := strings.TrimPrefix(git, "v")
	if i := strings.IndexAny(version, "+-"); i >= 0 {
		version = version[:i]
	}
	svc := kubernetesService(version, r, fingerprint.ConfidenceCertain)
	var extra []string
	if d := kubernetesDistribution(git); d != "" {
		extra = append(extra, d)
	}
	if git != "v"+version {
		extra = append(extra, git)
	}
	extra = append(extra, printable(doc.Platform, 30))
	if g := cleanVersion(doc.GoVersion); g != "" {
		extra = append(extra, g)
	}
	svc.Extra = strings.Join(extra, "; ")
	if os, _, ok := strings.Cut(doc.Platform, "/"); ok {
		svc.OS = osName(os)
	}
	return svc, true
}

// kubernetesDistribution names the distribution a gitVersion suffix
// reveals.
func kubernetesDistribution(git string) string {
	switch {
	case strings.Contains(git, "+k3s"):
		return "k3s"
	case strings.Contains(git, "+rke2"):
		return "RKE2"
	case strings.Contains(git, "-eks-"):
		return "Amazon EKS"
	case strings.Contains(git, "-gke."):
		return "Google GKE"
	}
	return ""
}

// identifyKubernetesStatus recognises the API server's metav1.Status answer
// to an unauthenticated or forbidden request: the product, no version.
func identifyKubernetesStatus(r *response) (fingerprint.Service, bool) {
	var doc struct {
		Kind       string `json:"kind"`
		APIVersion string `json:"apiVersion"`
		Status     string `json:"status"`
		Code       int    `json:"code"`
	}
	if r.Status < 400 || !jsonBody(r, &doc) {
		return fingerprint.Service{}, false
	}
	if doc.Kind != "Status" || doc.APIVersion != "v1" || doc.Status != "Failure" || doc.Code != r.Status {
		return fingerprint.Service{}, false
	}
	svc := kubernetesService("", r, fingerprint.ConfidenceLikely)
	svc.Extra = fmt.Sprintf("anonymous request answered %d", r.Status)
	return svc, true
}

func kubernetesService(version string, r *response, confidence int) fingerprint.Service {
	return fingerprint.Service{Name: "kubernetes", Product: "Kubernetes API server", Version: version,
		CPE:        []string{fingerprint.CPE("a", "kubernetes", "kubernetes", version)},
		Confidence: confidence, Method: fingerprint.MethodProbe, Banner: fingerprint.EscapeBanner(r.Raw)}
}
