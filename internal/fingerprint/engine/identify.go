package engine

import (
	"context"
	"crypto/tls"
	"errors"
	"net"
	"os"
	"time"

	"github.com/portwatch/portwatch/internal/fingerprint"
)

// identify runs the whole detection for one port under ctx (the port
// budget): TLS first on ports that usually run it, else a passive banner
// wait, the banner's match, then probes by likelihood with a short TLS
// handshake early on silent ports, then the optional nmap probes.
func (r *portRun) identify(ctx context.Context) fingerprint.Service {
	tlsSt := tlsUntried
	if plain, ok := fingerprint.PlainName(r.hint); ok {
		// A TLS server never speaks first, so no banner wait is lost here.
		if svc, st := r.tryTLS(ctx, r.w.likely, plain); st == tlsDone {
			return svc
		}
		tlsSt = tlsFailed
	}
	if err := r.readPlainBanner(ctx); err != nil {
		return r.unidentified(nil)
	}
	if len(r.banner) > 0 {
		if svc, fp, ok := r.matchBanner(r.banner, ""); ok {
			return r.confirm(ctx, svc, fp, r.banner, nil)
		}
		tlsSt = tlsFailed // a TLS server never speaks first
	}
	var best *fingerprint.Service
	for _, c := range order(r.e.fps, r.done, r.t.Addr.Port(), len(r.banner) > 0, "") {
		if ctx.Err() != nil {
			break
		}
		if tlsSt == tlsUntried && c.tier > tierPort {
			var svc fingerprint.Service
			if svc, tlsSt = r.tryTLS(ctx, r.w.tlsDetect, ""); tlsSt == tlsDone {
				return svc
			}
		}
		fp := r.e.fps[c.idx]
		r.done[c.idx] = true
		svc, err := r.probe(ctx, fp, likely(c.tier), r.banner, nil)
		if err != nil {
			continue
		}
		svc = normalise(svc, fp, fingerprint.MethodProbe)
		if svc.Confidence >= fingerprint.ConfidenceLikely {
			return r.finish(r.withStartTLS(ctx, svc, fp), r.banner, nil)
		}
		if best == nil || better(svc, *best) {
			best = &svc
		}
	}
	// Second chance for TLS: never tried (no candidates), or the short
	// detection wait ran out on a slow server.
	if (tlsSt == tlsUntried || tlsSt == tlsTimedOut) && ctx.Err() == nil {
		if svc, st := r.tryTLS(ctx, r.w.likely, ""); st == tlsDone {
			return svc
		}
	}
	if best == nil {
		if svc, ok := r.nmapProbes(ctx, false, r.banner); ok {
			return r.finish(svc, r.banner, nil)
		}
	}
	return r.unidentified(best)
}

// TLS detection states of a port run.
type tlsState int

const (
	tlsUntried  tlsState = iota
	tlsDone              // a handshake completed; the result is final
	tlsFailed            // the peer answered, but not with TLS
	tlsTimedOut          // no answer within the wait
)

// tryTLS attempts a TLS handshake within wait and, when it completes,
// identifies what runs inside.
func (r *portRun) tryTLS(ctx context.Context, wait time.Duration, expected string) (fingerprint.Service, tlsState) {
	tc, err := r.handshake(ctx, wait, detectALPN())
	switch {
	case err == nil:
		return r.insideTLS(ctx, tc, expected), tlsDone
	case isTimeout(err):
		return fingerprint.Service{}, tlsTimedOut
	}
	return fingerprint.Service{}, tlsFailed
}

// isTimeout reports whether err is a deadline running out.
func isTimeout(err error) bool {
	var ne net.Error
	return errors.Is(err, context.DeadlineExceeded) || errors.Is(err, os.ErrDeadlineExceeded) ||
		errors.As(err, &ne) && ne.Timeout()
}

// readPlainBanner opens the passive connection and waits for a banner;
// the wait is longer where the port's usual protocol speaks first. An
// error means the port could not be reached at all.
func (r *portRun) readPlainBanner(ctx context.Context) error {
	wait := r.w.banner
	if r.expectBanner("") {
		wait = r.w.bannerLong
	}
	dctx, cancel := context.WithTimeout(ctx, r.w.likely)
	c, err := r.dial(dctx)
	cancel()
	if err != nil {
		return err
	}
	bc := bound(ctx, c, r.w.idle)
	defer bc.Close()
	r.banner, r.closed = readBanner(bc, wait)
	return nil
}

// expectBanner reports whether the protocol expected here (by name, or
// by the port) sends a banner unprompted.
func (r *portRun) expectBanner(expected string) bool {
	for _, fp := range r.e.fps {
		if (fp.Name() == expected || hasPort(fp, r.t.Addr.Port())) && speaksFirst(fp) {
			return true
		}
	}
	return false
}

// insideTLS continues after a completed implicit-TLS handshake on tc:
// the facts, a banner wait (unless ALPN already said HTTP), the banner's
// match, probes on fresh TLS connections, the optional nmap probes, and
// finally what the handshake alone says.
func (r *portRun) insideTLS(ctx context.Context, tc *tls.Conn, expected string) fingerprint.Service {
	info := fingerprint.TLSFacts(tc.ConnectionState())
	clear(r.done) // a new layer: every protocol may be tried inside it
	if isHTTPALPN(info.ALPN) {
		expected = "http"
	}
	var banner []byte
	if expected == "http" {
		_ = tc.Close()
	} else {
		wait := r.w.banner
		if r.expectBanner(expected) {
			wait = r.w.bannerLong
		}
		bc := bound(ctx, tc, r.w.idle)
		banner, _ = readBanner(bc, wait)
		_ = bc.Close()
	}
	if len(banner) > 0 {
		if svc, fp, ok := r.matchBanner(banner, expected); ok {
			return r.confirm(ctx, svc, fp, banner, info)
		}
	}
	var best *fingerprint.Service
	for _, c := range order(r.e.fps, r.done, r.t.Addr.Port(), len(banner) > 0, expected) {
		if ctx.Err() != nil {
			break
		}
		fp := r.e.fps[c.idx]
		r.done[c.idx] = true
		svc, err := r.probe(ctx, fp, likely(c.tier), banner, info)
		if err != nil {
			continue
		}
		svc = normalise(svc, fp, fingerprint.MethodProbe)
		if svc.Confidence >= fingerprint.ConfidenceLikely {
			return r.finish(svc, banner, info)
		}
		if best == nil || better(svc, *best) {
			best = &svc
		}
	}
	if best != nil {
		return r.finish(*best, banner, info)
	}
	if svc, ok := r.nmapProbes(ctx, true, banner); ok {
		return r.finish(svc, banner, info)
	}
	return r.finish(tlsOnly(info, expected), banner, info)
}

// confirm completes a banner match: a probe may add what the banner
// lacked (it wins if more confident, or as confident with more detail),
// then STARTTLS facts are gathered for plaintext protocols that have it.
func (r *portRun) confirm(ctx context.Context, svc fingerprint.Service, fp fingerprint.Fingerprinter, banner []byte, info *fingerprint.TLSInfo) fingerprint.Service {
	svc = normalise(svc, fp, fingerprint.MethodBanner)
	if svc.Confidence < fingerprint.ConfidenceCertain && ctx.Err() == nil {
		if p, err := r.probe(ctx, fp, true, banner, info); err == nil {
			if p = normalise(p, fp, fingerprint.MethodProbe); better(p, svc) {
				svc = p
			}
		}
	}
	if info == nil {
		svc = r.withStartTLS(ctx, svc, fp)
	}
	return r.finish(svc, banner, info)
}

// better reports whether a is a better identification than b.
func better(a, b fingerprint.Service) bool {
	if a.Confidence != b.Confidence {
		return a.Confidence > b.Confidence
	}
	return detail(a) > detail(b)
}

// detail counts the facts an identification carries.
func detail(s fingerprint.Service) int {
	n := len(s.CPE)
	for _, f := range []string{s.Product, s.Version, s.Extra, s.OS, s.Hostname} {
		if f != "" {
			n++
		}
	}
	if s.Distro != nil {
		n++
	}
	return n
}
