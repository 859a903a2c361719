package httpproto

import (
	"context"
	"fmt"
	"strings"

	"github.com/portwatch/portwatch/internal/fingerprint"
)

// Docker identifies the Docker Engine API (and Podman's Docker-compatible
// API) from GET /version. An exposed engine API is a root shell for whoever
// reaches it, so this one matters.
type Docker struct{}

var _ fingerprint.Fingerprinter = (*Docker)(nil)

// Name is "docker".
func (*Docker) Name() string { return "docker" }

// Ports are the engine's plaintext and TLS API ports.
func (*Docker) Ports() []uint16 { return []uint16{2375, 2376} }

// MatchBanner is always false: HTTP servers do not speak first.
func (*Docker) MatchBanner([]byte) (fingerprint.Service, bool) { return fingerprint.Service{}, false }

// Probe asks GET /version; when that is refused (an authorization plugin,
// a proxy) the engine's Server and Api-Version headers still name it.
func (*Docker) Probe(ctx context.Context, s *fingerprint.Session) (fingerprint.Service, error) {
	resp, err := get(ctx, s, "/version")
	if err != nil {
		return fingerprint.Service{}, fmt.Errorf("docker: %w", err)
	}
	if svc, ok := identifyDockerVersion(resp); ok {
		return svc, nil
	}
	if svc, ok := identifyDockerHeaders(resp); ok {
		return svc, nil
	}
	return fingerprint.Service{}, fmt.Errorf("docker: %w: GET /version status %d is not the Docker Engine API", fingerprint.ErrNoMatch, resp.Status)
}

// identifyDockerVersion reads the engine's /version document.
func identifyDockerVersion(r *response) (fingerprint.Service, bool) {
	var doc struct {
		Platform      struct{ Name string }
		Components    []struct{ Name, Version string }
		Version       string
		APIVersion    string `json:"ApiVersion"`
		MinAPIVersion string
		Os, Arch      string
		KernelVersion string
	}
	if r.Status != 200 || !jsonBody(r, &doc) {
		return fingerprint.Service{}, false
	}
	version := cleanVersion(doc.Version)
	if version == "" || doc.APIVersion == "" {
		return fingerprint.Service{}, false
	}
	podman := strings.HasPrefix(r.Header.Get("Server"), "Libpod/")
	for _, c := range doc.Components {
		podman = podman || c.Name == "Podman Engine"
	}
	svc := dockerService(version, podman, r, fingerprint.ConfidenceCertain)
	extra := []string{"API " + printable(doc.APIVersion, 10)}
	if doc.Os != "" {
		extra = append(extra, printable(doc.Os+"/"+doc.Arch, 30))
		svc.OS = osName(doc.Os)
	}
	if k := printable(doc.KernelVersion, 64); k != "" {
		extra = append(extra, "kernel "+k)
	}
	if p := printable(doc.Platform.Name, 64); p != "" && !podman {
		extra = append(extra, p)
	}
	svc.Extra = strings.Join(extra, "; ")
	return svc, true
}

// identifyDockerHeaders recognises any engine API answer by its Server
// header, "Docker/24.0.7 (linux)" or "Libpod/4.3.1 (linux)", together with
// Api-Version.
func identifyDockerHeaders(r *response) (fingerprint.Service, bool) {
	h := parseServerHeader(r.Header.Get("Server"))
	api := r.Header.Get("Api-Version")
	if len(h.Tokens) == 0 || api == "" {
		return fingerprint.Service{}, false
	}
	name := h.Tokens[0].Name
	if name != "Docker" && name != "Libpod" {
		return fingerprint.Service{}, false
	}
	svc := dockerService(h.Tokens[0].Version, name == "Libpod", r, fingerprint.ConfidenceCertain)
	svc.Extra = "API " + printable(api, 10)
	if len(h.Comments) > 0 {
		svc.OS = osName(h.Comments[0])
	}
	return svc, true
}

func dockerService(version string, podman bool, r *response, confidence int) fingerprint.Service {
	svc := fingerprint.Service{Name: "docker", Product: "Docker Engine", Version: version,
		CPE: []string{
			fingerprint.CPE("a", "docker", "engine", version),
			fingerprint.CPE("a", "mobyproject", "moby", version),
		},
		Confidence: confidence, Method: fingerprint.MethodProbe, Banner: fingerprint.EscapeBanner(r.Raw)}
	if podman {
		svc.Product = "Podman"
		svc.CPE = []string{fingerprint.CPE("a", "podman_project", "podman", version)}
	}
	return svc
}

// osName turns Go's GOOS spelling into an OS name.
func osName(goos string) string {
	switch strings.ToLower(goos) {
	case "linux":
		return "Linux"
	case "windows":
		return "Windows"
	case "freebsd":
		return "FreeBSD"
	case "darwin":
		return "macOS"
	}
	return ""
}
