package lab_test

import (
	"bufio"
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/miekg/dns"

	"github.com/portwatch/portwatch/test/lab"
)

// serviceTimeout bounds one service conversation.
const serviceTimeout = 5 * time.Second

// testServices talks to every open TCP port of every host (main and
// further subnets) and checks that the service, product and version in the
// truth are what answers there, and that TLS and STARTTLS are offered where
// the truth says so.
func testServices(t *testing.T, tr *lab.Truth) {
	for _, h := range tr.AllHosts() {
		for _, port := range h.TCPPorts() {
			want := h.ExpectedTCPPort(port)
			if want.State != lab.StateOpen {
				continue
			}
			for _, ip := range []string{h.IPv4, h.IPv6} {
				addr := net.JoinHostPort(ip, strconv.Itoa(port))
				t.Run(h.Name+"/"+addr, func(t *testing.T) {
					t.Parallel()
					if err := checkService(tr, h, addr, want); err != nil {
						t.Errorf("%s %s: %v", want.Service, addr, err)
					}
				})
			}
		}
	}
}

func checkService(tr *lab.Truth, h lab.Host, addr string, want lab.Port) error {
	ctx, cancel := context.WithTimeout(context.Background(), serviceTimeout)
	defer cancel()
	conn, err := tr.ScannerDial(ctx, "tcp", addr)
	if err != nil {
		return fmt.Errorf("dial: %w", err)
	}
	defer conn.Close()
	deadline, _ := ctx.Deadline()
	if err := conn.SetDeadline(deadline); err != nil {
		return fmt.Errorf("set deadline: %w", err)
	}
	if want.TLS {
		if conn, err = startTLS(ctx, conn, h); err != nil {
			return err
		}
	}
	switch want.Service {
	case "ssh":
		return checkSSH(conn, want)
	case "http", "https":
		return checkHTTP(conn, h, want)
	case "redis":
		return checkRedis(conn, want)
	case "domain":
		return checkDNS(&dns.Conn{Conn: conn}, tr, want)
	case "memcached":
		return checkMemcached(conn, want)
	case "postgresql":
		return checkPostgres(ctx, conn, h, want)
	case "mysql":
		return checkMySQL(ctx, conn, h, want)
	case "ftp":
		return checkFTP(conn, want)
	case "smtp":
		return checkSMTP(ctx, conn, h, want)
	case "imap", "imaps":
		return checkIMAP(ctx, conn, h, want)
	case "pop3", "pop3s":
		return checkPOP3(ctx, conn, h, want)
	case "mqtt":
		return checkMQTT(conn, want)
	case "nats":
		return checkNATS(conn, want)
	}
	return fmt.Errorf("no check for service %q", want.Service)
}

// startTLS runs a TLS handshake over conn and checks that the host's lab
// certificate comes back.
func startTLS(ctx context.Context, conn net.Conn, h lab.Host) (net.Conn, error) {
	tc := tls.Client(conn, &tls.Config{ServerName: h.FQDN, InsecureSkipVerify: true})
	if err := tc.HandshakeContext(ctx); err != nil {
		return nil, fmt.Errorf("tls handshake: %w", err)
	}
	certs := tc.ConnectionState().PeerCertificates
	if len(certs) == 0 || certs[0].Subject.CommonName != h.FQDN {
		return nil, fmt.Errorf("tls: unexpected certificate %v", certs)
	}
	return tc, nil
}

func checkSSH(conn net.Conn, want lab.Port) error {
	line, err := bufio.NewReader(conn).ReadString('\n')
	if err != nil {
		return fmt.Errorf("read banner: %w", err)
	}
	prefix := "SSH-2.0-" + want.Product + "_" + want.Version
	if !strings.HasPrefix(line, prefix) {
		return fmt.Errorf("banner %q does not start with %q", line, prefix)
	}
	return nil
}

func checkHTTP(conn net.Conn, h lab.Host, want lab.Port) error {
	if _, err := io.WriteString(conn, "GET / HTTP/1.0\r\nHost: "+h.Name+"\r\n\r\n"); err != nil {
		return fmt.Errorf("send request: %w", err)
	}
	resp, err := io.ReadAll(conn)
	if err != nil {
		return fmt.Errorf("read response: %w", err)
	}
	s := string(resp)
	server := "Server: " + want.Product + "/" + want.Version + "\r\n"
	if !strings.HasPrefix(s, "HTTP/1.1 200 ") || !strings.Contains(s, server) ||
		!strings.HasSuffix(s, "portwatch lab "+h.Name+"\n") {
		return fmt.Errorf("response %q lacks 200, %q or the lab body", s, server)
	}
	return nil
}

func checkRedis(conn net.Conn, want lab.Port) error {
	if _, err := io.WriteString(conn, "PING\r\nINFO server\r\n"); err != nil {
		return fmt.Errorf("send: %w", err)
	}
	r := bufio.NewReader(conn)
	pong, err := r.ReadString('\n')
	if err != nil || pong != "+PONG\r\n" {
		return fmt.Errorf("PING answered %q, %v", pong, err)
	}
	// INFO answers a bulk string: $LEN\r\n then LEN bytes.
	head, err := r.ReadString('\n')
	if err != nil || !strings.HasPrefix(head, "$") {
		return fmt.Errorf("INFO answered %q, %v", head, err)
	}
	n, err := strconv.Atoi(strings.TrimSpace(head[1:]))
	if err != nil {
		return fmt.Errorf("INFO length %q: %w", head, err)
	}
	info := make([]byte, n)
	if _, err := io.ReadFull(r, info); err != nil {
		return fmt.Errorf("read INFO: %w", err)
	}
	if !strings.Contains(string(info), "redis_version:"+want.Version+"\r\n") {
		return fmt.Errorf("INFO lacks redis_version:%s", want.Version)
	}
	return nil
}
