package httpproto

import "github.com/portwatch/portwatch/internal/fingerprint"

// All returns this package's fingerprinters. The app-specific ones come
// first so that they win the registry-order tie on a port they share
// with the generic one (8443); on ports nobody lists the engine tries the
// generic HTTP fingerprinter before them anyway, and its GET / often names
// the application already (see the package documentation).
func All() []fingerprint.Fingerprinter {
	return []fingerprint.Fingerprinter{
		&Elasticsearch{},
		&Etcd{},
		&Consul{},
		&Docker{},
		&Kubernetes{},
		&Prometheus{},
		&HTTP{},
	}
}
