package nmapprobe

import (
	"context"
	"crypto/tls"
	"errors"
	"io"
	"net"
	"net/netip"
	"strings"
	"syscall"
	"time"

	"github.com/portwatch/portwatch/internal/fingerprint"
)

// idleAfterData ends a probe's read when the peer paused this long after
// sending something that matched no line (nmap would wait out totalwaitms).
const idleAfterData = time.Second

// maxResponse caps what is read and matched per probe. Thousands of
// backtracking patterns over a long response cost seconds of CPU (64 KiB
// of HTTP against the GetRequest lines takes about 3 s); what identifies
// a service is in its first few kilobytes.
const maxResponse = 8 << 10

// Identify runs the probes against one TCP port (inside TLS when useTLS)
// within ctx, the way nmap -sV does: the NULL probe (wait for a banner),
// then the probes that list the port, then those whose rarity is within
// Intensity, stopping at the first hard match; a softmatch narrows later
// probes to those that can confirm its service. ok is false when nothing
// matched or the port is Excluded.
func (s *Set) Identify(ctx context.Context, dial DialFunc, addr netip.Addr, port uint16, useTLS bool) (fingerprint.Service, bool) {
	return s.identify(ctx, dial, netip.AddrPortFrom(addr, port), useTLS, nil)
}

// IdentifyAfter is Identify for a caller that already waited for a banner
// on this port (the native engine does): the NULL probe is not sent again;
// its match lines are tried on banner instead (when non-empty).
func (s *Set) IdentifyAfter(ctx context.Context, dial DialFunc, addr netip.Addr, port uint16, useTLS bool, banner []byte) (fingerprint.Service, bool) {
	if banner == nil {
		banner = []byte{}
	}
	return s.identify(ctx, dial, netip.AddrPortFrom(addr, port), useTLS, banner)
}

// identify is Identify; banner is nil when the NULL probe must be sent.
func (s *Set) identify(ctx context.Context, dial DialFunc, ap netip.AddrPort, useTLS bool, banner []byte) (fingerprint.Service, bool) {
	if s.exclude.has(ap.Port()) {
		return fingerprint.Service{}, false
	}
	var soft *Match
	var softResp []byte
	for _, p := range s.plan(ap.Port(), useTLS) {
		if ctx.Err() != nil {
			break
		}
		if soft != nil && !p.hasMatchFor(soft.Service) {
			continue
		}
		var res outcome
		switch {
		case p == s.null && len(banner) > 0:
			banner = banner[:min(len(banner), maxResponse)]
			res = s.match(p, banner)
			res.resp = banner
		case p == s.null && banner != nil: // waited for, and nothing came
		default:
			res = s.run(ctx, dial, ap, useTLS, p)
		}
		switch {
		case res.hard != nil:
			return s.result(res.hard, res.groups, res.resp, useTLS), true
		case res.wrapped:
			return fingerprint.Service{Name: "tcpwrapped", Method: fingerprint.MethodNmapProbe,
				Confidence: fingerprint.ConfidenceLikely}, true
		case res.soft != nil && soft == nil:
			soft, softResp = res.soft, res.resp
		}
	}
	if soft != nil {
		svc := s.result(soft, nil, softResp, useTLS)
		svc.Confidence = fingerprint.ConfidenceLikely
		return svc, true
	}
	return fingerprint.Service{}, false
}

// plan orders the TCP probes for a port: NULL, those listing the port
// (sslports inside TLS), then the rest whose rarity is within Intensity.
func (s *Set) plan(port uint16, useTLS bool) []*Probe {
	var listed, rest []*Probe
	for _, p := range s.Probes {
		if p.Protocol != "TCP" || p == s.null {
			continue
		}
		ports := p.Ports
		if useTLS {
			ports = p.SSLPorts
		}
		switch {
		case ports.has(port):
			listed = append(listed, p)
		case p.Rarity <= s.Intensity:
			rest = append(rest, p)
		}
	}
	var plan []*Probe
	if s.null != nil {
		plan = append(plan, s.null)
	}
	return append(append(plan, listed...), rest...)
}

// outcome is what one probe found.
type outcome struct {
	hard, soft *Match
	groups     [][]byte
	resp       []byte
	wrapped    bool // the peer closed at once without a word (NULL probe)
}

// run sends one probe on a fresh connection and reads the answer until a
// line matches, the peer closes or pauses, or the probe's wait is over.
func (s *Set) run(ctx context.Context, dial DialFunc, ap netip.AddrPort, useTLS bool, p *Probe) outcome {
	wait := p.TotalWait
	if wait == 0 {
		wait = defaultTotalWait
	}
	pctx, cancel := context.WithTimeout(ctx, wait)
	defer cancel()
	start := time.Now()
	c, err := connect(pctx, dial, ap, useTLS)
	if err != nil {
		return outcome{}
	}
	defer c.Close()
	stop := context.AfterFunc(pctx, func() { _ = c.SetDeadline(time.Unix(1, 0)) })
	defer stop()
	deadline, _ := pctx.Deadline()
	_ = c.SetDeadline(deadline)
	if len(p.Payload) > 0 {
		if _, err := c.Write(p.Payload); err != nil {
			return outcome{}
		}
	}
	// The lines are tried on the first chunk (most answers come whole) and
	// once more on everything read when the peer stops; not on every
	// chunk, which would repeat the costly matching.
	var resp []byte
	buf := make([]byte, 4096)
	var res outcome
	matched := 0 // len(resp) when the lines were last tried
	for len(resp) < maxResponse {
		if len(resp) > 0 {
			_ = c.SetReadDeadline(earliest(deadline, time.Now().Add(idleAfterData)))
		}
		n, err := c.Read(buf[:min(len(buf), maxResponse-len(resp))])
		resp = append(resp, buf[:n]...)
		if n > 0 && matched == 0 {
			if res, matched = s.match(p, resp), len(resp); res.hard != nil {
				break
			}
		}
		if err != nil {
			if len(resp) == 0 && p == s.null && closedByPeer(err) && time.Since(start) < tcpWrapped(p) {
				return outcome{wrapped: true}
			}
			break
		}
	}
	if res.hard == nil && len(resp) > matched {
		res = s.match(p, resp)
	}
	res.resp = resp
	return res
}

// match tries p's lines on resp, then its fallbacks', then (TCP) the NULL
// probe's; the first hard match wins, the first softmatch is kept.
func (s *Set) match(p *Probe, resp []byte) outcome {
	subject := make([]rune, len(resp))
	for i, c := range resp {
		subject[i] = rune(c)
	}
	var res outcome
	sections := append([]*Probe{p}, p.fallbacks...)
	if p.Protocol == "TCP" && s.null != nil && p != s.null {
		sections = append(sections, s.null)
	}
	for _, sec := range sections {
		for _, m := range sec.Matches {
			if m.Soft && res.soft != nil {
				continue
			}
			found, err := m.re.FindRunesMatch(subject)
			if err != nil || found == nil {
				continue
			}
			if m.Soft {
				res.soft = m
				continue
			}
			res.hard = m
			for _, g := range found.Groups() {
				b := make([]byte, 0, len(g.Runes()))
				for _, r := range g.Runes() {
					b = append(b, byte(r))
				}
				res.groups = append(res.groups, b)
			}
			return res
		}
	}
	return res
}

// result turns a match into the Service portwatch reports.
func (s *Set) result(m *Match, groups [][]byte, resp []byte, useTLS bool) fingerprint.Service {
	svc := m.service(groups)
	// nmap's version field may carry the package revision ("9.2p1 Debian
	// 2+deb12u3"); portwatch keeps the upstream version in Version and
	// the rest in Extra.
	if v, rest, ok := strings.Cut(svc.Version, " "); ok {
		svc.Version = v
		if rest = strings.TrimSpace(rest); svc.Extra != "" {
			rest += "; " + svc.Extra
		}
		svc.Extra = rest
	}
	svc.Name = serviceName(svc.Name, useTLS)
	svc.Method = fingerprint.MethodNmapProbe
	svc.Confidence = fingerprint.ConfidenceCertain
	if len(resp) > 0 {
		svc.Banner = fingerprint.EscapeBanner(resp)
	}
	return svc
}

// serviceName maps nmap's names to portwatch's: "ssl/http" and http inside
// TLS become "https" (the TLS name), "ssl/X" otherwise X.
func serviceName(name string, useTLS bool) string {
	if rest, ok := strings.CutPrefix(name, "ssl/"); ok {
		return fingerprint.TLSName(rest)
	}
	if useTLS {
		return fingerprint.TLSName(name)
	}
	return name
}

func tcpWrapped(p *Probe) time.Duration {
	if p.TCPWrapped > 0 {
		return p.TCPWrapped
	}
	return defaultTCPWrapped
}

// connect dials ap, with a TLS handshake when useTLS.
func connect(ctx context.Context, dial DialFunc, ap netip.AddrPort, useTLS bool) (net.Conn, error) {
	c, err := dial(ctx, "tcp", ap.String())
	if err != nil {
		return nil, err
	}
	if !useTLS {
		return c, nil
	}
	d, _ := ctx.Deadline()
	_ = c.SetDeadline(d)
	tc := tls.Client(c, &tls.Config{InsecureSkipVerify: true, MinVersion: tls.VersionTLS10}) //nolint:gosec // identification, not trust
	if err := tc.HandshakeContext(ctx); err != nil {
		_ = c.Close()
		return nil, err
	}
	return tc, nil
}

func closedByPeer(err error) bool {
	return errors.Is(err, io.EOF) || errors.Is(err, syscall.ECONNRESET)
}

func earliest(a, b time.Time) time.Time {
	if a.IsZero() || b.Before(a) {
		return b
	}
	return a
}
