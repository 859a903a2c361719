package lab_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"net"
	"strings"

	"github.com/miekg/dns"

	"github.com/portwatch/portwatch/test/lab"
)

// checkDNS asks version.bind (CHAOS TXT) and the lab names of the first
// host of the main subnet and, if any, of the first further subnet; conn
// frames DNS for TCP or UDP by the connection it wraps.
func checkDNS(conn *dns.Conn, tr *lab.Truth, want lab.Port) error {
	q := new(dns.Msg)
	q.SetQuestion("version.bind.", dns.TypeTXT)
	q.Question[0].Qclass = dns.ClassCHAOS
	r, err := dnsExchange(conn, q)
	if err != nil {
		return fmt.Errorf("version.bind: %w", err)
	}
	if len(r.Answer) != 1 {
		return fmt.Errorf("version.bind: %d answers", len(r.Answer))
	}
	txt, ok := r.Answer[0].(*dns.TXT)
	if !ok || strings.Join(txt.Txt, "") != want.Details["version_bind"] {
		return fmt.Errorf("version.bind: %v, want %q", r.Answer[0], want.Details["version_bind"])
	}
	if want.Version == "" || !strings.HasSuffix(want.Details["version_bind"], want.Version) {
		return fmt.Errorf("truth: version %q does not match version_bind %q", want.Version, want.Details["version_bind"])
	}
	hosts := []lab.Host{tr.Hosts[0]}
	if len(tr.Subnets) > 0 && len(tr.Subnets[0].Hosts) > 0 {
		hosts = append(hosts, tr.Subnets[0].Hosts[0])
	}
	for _, h := range hosts {
		for _, c := range []struct {
			qtype uint16
			want  string
		}{{dns.TypeA, h.IPv4}, {dns.TypeAAAA, h.IPv6}} {
			q := new(dns.Msg)
			q.SetQuestion(dns.Fqdn(h.FQDN), c.qtype)
			r, err := dnsExchange(conn, q)
			if err != nil {
				return fmt.Errorf("%s %s: %w", h.FQDN, dns.TypeToString[c.qtype], err)
			}
			if got := dnsAddrs(r); len(got) != 1 || got[0] != c.want {
				return fmt.Errorf("%s %s: %v, want %s", h.FQDN, dns.TypeToString[c.qtype], got, c.want)
			}
		}
	}
	return nil
}

func dnsExchange(conn *dns.Conn, q *dns.Msg) (*dns.Msg, error) {
	if err := conn.WriteMsg(q); err != nil {
		return nil, fmt.Errorf("send: %w", err)
	}
	r, err := conn.ReadMsg()
	if err != nil {
		return nil, fmt.Errorf("read: %w", err)
	}
	if r.Id != q.Id || r.Rcode != dns.RcodeSuccess {
		return nil, fmt.Errorf("answer id %d rcode %s", r.Id, dns.RcodeToString[r.Rcode])
	}
	return r, nil
}

func dnsAddrs(r *dns.Msg) []string {
	var addrs []string
	for _, rr := range r.Answer {
		switch rr := rr.(type) {
		case *dns.A:
			addrs = append(addrs, rr.A.String())
		case *dns.AAAA:
			addrs = append(addrs, rr.AAAA.String())
		}
	}
	return addrs
}

// checkMemcached asks the text protocol's version.
func checkMemcached(conn net.Conn, want lab.Port) error {
	if _, err := io.WriteString(conn, "version\r\n"); err != nil {
		return fmt.Errorf("send: %w", err)
	}
	line, err := bufio.NewReader(conn).ReadString('\n')
	if err != nil {
		return fmt.Errorf("read: %w", err)
	}
	if line != "VERSION "+want.Version+"\r\n" {
		return fmt.Errorf("version answered %q, want %s", line, want.Version)
	}
	return nil
}

// checkPostgres sends an SSLRequest, which the server must accept ('S') if
// the truth says starttls, upgrades, then sends a startup message and
// expects an authentication request (nobody can log in, but everybody is
// asked to).
func checkPostgres(ctx context.Context, conn net.Conn, h lab.Host, want lab.Port) error {
	var req [8]byte
	binary.BigEndian.PutUint32(req[0:], 8)
	binary.BigEndian.PutUint32(req[4:], 80877103) // SSLRequest
	if _, err := conn.Write(req[:]); err != nil {
		return fmt.Errorf("send SSLRequest: %w", err)
	}
	var answer [1]byte
	if _, err := io.ReadFull(conn, answer[:]); err != nil {
		return fmt.Errorf("read SSLRequest answer: %w", err)
	}
	if (answer[0] == 'S') != want.StartTLS {
		return fmt.Errorf("SSLRequest answered %q, truth starttls=%v", answer[0], want.StartTLS)
	}
	if answer[0] == 'S' {
		var err error
		if conn, err = startTLS(ctx, conn, h); err != nil {
			return err
		}
	}
	var startup bytes.Buffer
	startup.Write([]byte{0, 0, 0, 0, 0, 3, 0, 0}) // length, protocol 3.0
	startup.WriteString("user\x00portwatch\x00database\x00portwatch\x00\x00")
	msg := startup.Bytes()
	binary.BigEndian.PutUint32(msg, uint32(len(msg)))
	if _, err := conn.Write(msg); err != nil {
		return fmt.Errorf("send startup: %w", err)
	}
	var head [9]byte // type, length, auth type
	if _, err := io.ReadFull(conn, head[:]); err != nil {
		return fmt.Errorf("read startup answer: %w", err)
	}
	if head[0] != 'R' || binary.BigEndian.Uint32(head[5:]) != 10 { // AuthenticationSASL
		return fmt.Errorf("startup answered %q, want an AuthenticationSASL request", head)
	}
	return nil
}

// checkMySQL reads the server's handshake (protocol 10), checks the version
// it shows and its TLS capability, and upgrades to TLS if offered.
func checkMySQL(ctx context.Context, conn net.Conn, h lab.Host, want lab.Port) error {
	var head [4]byte
	if _, err := io.ReadFull(conn, head[:]); err != nil {
		return fmt.Errorf("read handshake: %w", err)
	}
	n := int(head[0]) | int(head[1])<<8 | int(head[2])<<16
	body := make([]byte, n)
	if _, err := io.ReadFull(conn, body); err != nil {
		return fmt.Errorf("read handshake: %w", err)
	}
	end := bytes.IndexByte(body, 0)
	if len(body) < 1 || body[0] != 10 || end < 0 || len(body) < end+1+4+8+1+2 {
		return fmt.Errorf("not a protocol 10 handshake: %q", body)
	}
	server := string(body[1:end])
	if !strings.Contains(server, want.Version+"-"+want.Product) {
		return fmt.Errorf("server version %q lacks %s-%s", server, want.Version, want.Product)
	}
	caps := binary.LittleEndian.Uint16(body[end+1+4+8+1:])
	const clientSSL = 0x0800
	if (caps&clientSSL != 0) != want.StartTLS {
		return fmt.Errorf("capabilities %#04x: CLIENT_SSL is not as truth starttls=%v", caps, want.StartTLS)
	}
	if !want.StartTLS {
		return nil
	}
	// SSLRequest: capabilities, max packet size, charset, 23 bytes filler.
	req := make([]byte, 4+32)
	req[0], req[3] = 32, 1                                          // length 32, sequence 1
	binary.LittleEndian.PutUint32(req[4:], clientSSL|0x0200|0x8000) // SSL, PROTOCOL_41, SECURE_CONNECTION
	binary.LittleEndian.PutUint32(req[8:], 1<<24)
	req[12] = 33 // utf8_general_ci
	if _, err := conn.Write(req); err != nil {
		return fmt.Errorf("send SSLRequest: %w", err)
	}
	_, err := startTLS(ctx, conn, h)
	return err
}
