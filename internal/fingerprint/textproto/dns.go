package textproto

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"

	"github.com/miekg/dns"

	"github.com/portwatch/portwatch/internal/fingerprint"
)

// DNS identifies DNS servers over TCP (RFC 7766) by asking version.bind
// in class CHAOS and, when that is refused, a plain non-recursive query.
type DNS struct{}

var _ fingerprint.Fingerprinter = (*DNS)(nil)

// Name implements fingerprint.Fingerprinter; nmap's name for DNS.
func (*DNS) Name() string { return "domain" }

// Ports implements fingerprint.Fingerprinter.
func (*DNS) Ports() []uint16 { return []uint16{53, 5353} }

// MatchBanner implements fingerprint.Fingerprinter: DNS servers wait for
// the client.
func (*DNS) MatchBanner([]byte) (fingerprint.Service, bool) { return fingerprint.Service{}, false }

// Probe implements fingerprint.Fingerprinter.
func (*DNS) Probe(ctx context.Context, s *fingerprint.Session) (fingerprint.Service, error) {
	release, err := bind(ctx, s.Conn)
	if err != nil {
		return fingerprint.Service{}, fmt.Errorf("dns: %w", err)
	}
	defer release()
	svc := fingerprint.Service{Name: "domain", Confidence: fingerprint.ConfidenceLikely, Method: fingerprint.MethodProbe}

	q := new(dns.Msg)
	q.SetQuestion("version.bind.", dns.TypeTXT)
	q.Question[0].Qclass = dns.ClassCHAOS
	q.RecursionDesired = false
	r, err := dnsExchange(ctx, s.Conn, q)
	if err != nil {
		return fingerprint.Service{}, fmt.Errorf("dns: version.bind: %w", err)
	}
	if v := dnsTXT(r); r.Rcode == dns.RcodeSuccess && v != "" {
		dnsVersion(&svc, v)
		return svc, nil
	}
	// version.bind refused or hidden: a plain question without recursion
	// (so that a resolver does not go out on our behalf) confirms DNS and
	// tells whether it offers recursion.
	plain := new(dns.Msg)
	plain.SetQuestion(".", dns.TypeNS)
	plain.RecursionDesired = false
	if r2, err := dnsExchange(ctx, s.Conn, plain); err == nil {
		r = r2
	}
	if r.RecursionAvailable {
		svc.Extra = "recursion available"
	}
	return svc, nil
}

// dnsExchange sends q over TCP and reads its answer, which must be a
// response with q's ID and question. The ID is checked as soon as it
// arrives, so that a peer whose first bytes only look like a length does
// not hold the probe.
func dnsExchange(ctx context.Context, c net.Conn, q *dns.Msg) (*dns.Msg, error) {
	q.Id = dns.Id()
	wire, err := q.Pack()
	if err != nil {
		return nil, fmt.Errorf("pack: %w", err)
	}
	if _, err := c.Write(append(binary.BigEndian.AppendUint16(nil, uint16(len(wire))), wire...)); err != nil {
		return nil, fmt.Errorf("write: %w", ctxErr(ctx, err))
	}
	var hdr [4]byte // length, ID
	if _, err := io.ReadFull(c, hdr[:]); err != nil {
		return nil, dnsReadErr(ctx, err)
	}
	n := int(binary.BigEndian.Uint16(hdr[:]))
	if n < 12 || binary.BigEndian.Uint16(hdr[2:]) != q.Id {
		return nil, fmt.Errorf("answer %x is not DNS: %w", hdr, fingerprint.ErrNoMatch)
	}
	msg := make([]byte, n)
	copy(msg, hdr[2:])
	if _, err := io.ReadFull(c, msg[2:]); err != nil {
		return nil, dnsReadErr(ctx, err)
	}
	r := new(dns.Msg)
	if err := r.Unpack(msg); err != nil {
		return nil, fmt.Errorf("unpack: %v: %w", err, fingerprint.ErrNoMatch)
	}
	if !r.Response || (len(r.Question) > 0 && !strings.EqualFold(r.Question[0].Name, q.Question[0].Name)) {
		return nil, fmt.Errorf("answer does not match the question: %w", fingerprint.ErrNoMatch)
	}
	return r, nil
}

// dnsReadErr classifies a failed read: a peer that closed on a DNS
// question is not a DNS server.
func dnsReadErr(ctx context.Context, err error) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return fmt.Errorf("read: %v: %w", err, fingerprint.ErrNoMatch)
	}
	return fmt.Errorf("read: %w", ctxErr(ctx, err))
}

// dnsTXT returns the first TXT string of the answer.
func dnsTXT(r *dns.Msg) string {
	for _, rr := range r.Answer {
		if txt, ok := rr.(*dns.TXT); ok && len(txt.Txt) > 0 {
			return strings.Join(txt.Txt, "")
		}
	}
	return ""
}

// dnsVersion recognises the server from its version.bind text.
func dnsVersion(svc *fingerprint.Service, v string) {
	svc.Confidence = fingerprint.ConfidenceCertain
	lower := strings.ToLower(v)
	switch {
	case strings.HasPrefix(lower, "dnsmasq-"):
		product(svc, "dnsmasq", versionPrefix(v[len("dnsmasq-"):]), "thekelleys", "dnsmasq")
	case strings.HasPrefix(v, "9.") && versionPrefix(v) != "":
		// BIND 9: "9.18.28-1~deb12u2-Debian", "9.18.18-0ubuntu0.22.04.2-Ubuntu".
		up, _, _ := strings.Cut(v, "-")
		product(svc, "ISC BIND", versionPrefix(up), "isc", "bind")
		svc.Distro = fingerprint.ParseDistro(v)
	case strings.HasPrefix(lower, "unbound "):
		product(svc, "Unbound", versionPrefix(v[len("unbound "):]), "nlnetlabs", "unbound")
	case strings.HasPrefix(v, "PowerDNS Authoritative Server "):
		product(svc, "PowerDNS Authoritative Server", versionPrefix(v[len("PowerDNS Authoritative Server "):]), "powerdns", "authoritative_server")
	case strings.HasPrefix(v, "PowerDNS Recursor "):
		product(svc, "PowerDNS Recursor", versionPrefix(v[len("PowerDNS Recursor "):]), "powerdns", "recursor")
	case strings.HasPrefix(v, "Knot DNS "):
		product(svc, "Knot DNS", versionPrefix(v[len("Knot DNS "):]), "", "")
	case strings.HasPrefix(v, "NSD "):
		product(svc, "NLnet Labs NSD", versionPrefix(v[len("NSD "):]), "nlnetlabs", "name_server_daemon")
	case strings.HasPrefix(v, "Microsoft DNS "):
		product(svc, "Microsoft DNS", versionPrefix(v[len("Microsoft DNS "):]), "", "")
		svc.OS = "Windows"
		svc.CPE = []string{fingerprint.CPE("o", "microsoft", "windows", "")}
	default:
		// An administrator's string ("none of your business") or an
		// unknown server: keep it as said.
		svc.Confidence = fingerprint.ConfidenceLikely
		svc.Extra = "version.bind: " + fingerprint.EscapeBanner([]byte(v))
	}
}
