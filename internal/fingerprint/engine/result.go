package engine

import (
	"context"

	"github.com/portwatch/portwatch/internal/fingerprint"
	"github.com/portwatch/portwatch/internal/fingerprint/nmapprobe"
)

// normalise fills what a fingerprinter left unset: the name from the
// fingerprinter, the method from how the match was made, and a
// confidence within 0-10 (ConfidenceLikely when unset).
func normalise(svc fingerprint.Service, fp fingerprint.Fingerprinter, m fingerprint.Method) fingerprint.Service {
	if svc.Name == "" {
		svc.Name = fp.Name()
	}
	if svc.Method == "" {
		svc.Method = m
	}
	if svc.Confidence <= 0 {
		svc.Confidence = fingerprint.ConfidenceLikely
	}
	svc.Confidence = min(svc.Confidence, fingerprint.ConfidenceCertain)
	return svc
}

// finish attaches the banner and the TLS facts; a protocol inside
// implicit TLS takes its TLS name (http becomes https), one reached via
// STARTTLS keeps its plaintext name.
func (r *portRun) finish(svc fingerprint.Service, banner []byte, info *fingerprint.TLSInfo) fingerprint.Service {
	if svc.Banner == "" && len(banner) > 0 {
		svc.Banner = fingerprint.EscapeBanner(banner)
	}
	if svc.TLS == nil {
		svc.TLS = info
	}
	if svc.TLS != nil && !svc.TLS.StartTLS {
		svc.Name = fingerprint.TLSName(svc.Name)
	}
	return svc
}

// withStartTLS adds the STARTTLS facts when fp's protocol has STARTTLS and
// the server offers it.
func (r *portRun) withStartTLS(ctx context.Context, svc fingerprint.Service, fp fingerprint.Fingerprinter) fingerprint.Service {
	if svc.TLS == nil && ctx.Err() == nil {
		svc.TLS = r.startTLS(ctx, fp)
	}
	return svc
}

// nmapProbes asks the optional nmap-service-probes engine with what is
// left of the budget; the banner already waited for stands in for nmap's
// NULL probe.
func (r *portRun) nmapProbes(ctx context.Context, inTLS bool, banner []byte) (fingerprint.Service, bool) {
	if r.e.nmap == nil || ctx.Err() != nil {
		return fingerprint.Service{}, false
	}
	return r.e.nmap.IdentifyAfter(ctx, nmapprobe.DialFunc(r.e.dial), r.t.Addr.Addr(), r.t.Addr.Port(), inTLS, banner)
}

// tlsOnly is what a completed handshake says when nothing inside it was
// recognised: HTTP if ALPN said so, else the TLS name the port suggests,
// else "ssl" (nmap's word for an unidentified TLS service).
func tlsOnly(info *fingerprint.TLSInfo, expected string) fingerprint.Service {
	svc := fingerprint.Service{Method: fingerprint.MethodTLS, TLS: info}
	switch {
	case isHTTPALPN(info.ALPN):
		svc.Name, svc.Confidence = "http", fingerprint.ConfidenceLikely
	case expected != "":
		svc.Name, svc.Confidence = expected, fingerprint.ConfidencePortHint
	default:
		svc.Name, svc.Confidence = "ssl", fingerprint.ConfidenceLikely
	}
	return svc
}

// unidentified is the result when no protocol answered: the best
// low-confidence match if any, "tcpwrapped" when the peer hung up on
// every attempt, else the port's usual service (MethodPortHint), else
// "unknown"; with the banner, if one came.
func (r *portRun) unidentified(best *fingerprint.Service) fingerprint.Service {
	var svc fingerprint.Service
	switch {
	case best != nil:
		svc = *best
	case r.closed:
		svc = fingerprint.Service{Name: "tcpwrapped", Method: fingerprint.MethodBanner,
			Confidence: fingerprint.ConfidenceLikely}
	case r.hint != "":
		svc = fingerprint.Service{Name: r.hint, Method: fingerprint.MethodPortHint,
			Confidence: fingerprint.ConfidencePortHint}
	default:
		svc = fingerprint.Service{Name: "unknown"}
	}
	return r.finish(svc, r.banner, nil)
}
