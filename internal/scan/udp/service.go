package udp

import (
	"github.com/portwatch/portwatch/internal/fingerprint"
	"github.com/portwatch/portwatch/internal/scan"
	"github.com/portwatch/portwatch/internal/scan/udp/payloads"
)

// serviceEvent is the one place that knows how an identified service
// travels on the event stream: a scan.ServiceEvent after the port's
// PortEvent, with PortResult.Service set.
func serviceEvent(res scan.PortResult, svc fingerprint.Service) scan.Event {
	res.Service = &svc
	return scan.Event{Kind: scan.ServiceEvent, Port: res}
}

// identify reads the answers a port gave and keeps the most informative
// identification. Answers nothing recognises still yield a Service holding
// the first answer as its banner (confidence 0), so the bytes are kept.
func identify(reg *payloads.Registry, port uint16, replies [][]byte) fingerprint.Service {
	var best fingerprint.Service
	found := false
	for _, reply := range replies {
		svc, ok := reg.Identify(port, reply)
		if ok && (!found || rank(svc) > rank(best)) {
			best, found = svc, true
		}
	}
	if !found {
		best = fingerprint.Service{Method: fingerprint.MethodProbe}
		if len(replies) > 0 {
			best.Banner = fingerprint.EscapeBanner(replies[0])
		}
	}
	return best
}

// rank orders identifications of one port: confidence first, then how
// much they name.
func rank(s fingerprint.Service) int {
	r := s.Confidence * 8
	if s.Product != "" {
		r += 4
	}
	if s.Version != "" {
		r += 2
	}
	if s.Extra != "" || s.Hostname != "" {
		r++
	}
	return r
}
