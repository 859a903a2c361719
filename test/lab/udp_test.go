package lab_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/gosnmp/gosnmp"
	"github.com/miekg/dns"

	"github.com/portwatch/portwatch/test/lab"
)

// udpTimeout bounds one UDP request and its answer.
const udpTimeout = 3 * time.Second

// testUDPServices sends every open UDP port a well-formed request of its
// protocol, over both families, and checks the answer against the truth.
func testUDPServices(t *testing.T, tr *lab.Truth) {
	n := 0
	for _, h := range tr.AllHosts() {
		for _, port := range h.UDPPorts() {
			want := h.ExpectedUDPPort(port)
			if want.State != lab.StateOpen {
				continue
			}
			n++
			for _, ip := range []string{h.IPv4, h.IPv6} {
				addr := net.JoinHostPort(ip, strconv.Itoa(port))
				t.Run(h.Name+"/"+addr, func(t *testing.T) {
					t.Parallel()
					if err := checkUDPService(tr, addr, want); err != nil {
						t.Errorf("%s udp %s: %v", want.Service, addr, err)
					}
				})
			}
		}
	}
	if n == 0 {
		t.Error("the truth lists no open UDP port")
	}
}

func checkUDPService(tr *lab.Truth, addr string, want lab.Port) error {
	ctx, cancel := context.WithTimeout(context.Background(), udpTimeout)
	defer cancel()
	conn, err := tr.ScannerDial(ctx, "udp", addr)
	if err != nil {
		return fmt.Errorf("dial: %w", err)
	}
	defer conn.Close()
	deadline, _ := ctx.Deadline()
	if err := conn.SetDeadline(deadline); err != nil {
		return fmt.Errorf("set deadline: %w", err)
	}
	switch want.Service {
	case "domain":
		return checkDNS(&dns.Conn{Conn: conn}, tr, want)
	case "snmp":
		return checkSNMP(conn, want)
	case "ntp":
		return checkNTP(conn, want)
	case "memcached":
		return checkMemcachedUDP(conn, want)
	}
	return fmt.Errorf("no UDP check for service %q", want.Service)
}

// checkSNMP gets sysDescr and sysName with SNMPv2c and the truth's
// community.
func checkSNMP(conn net.Conn, want lab.Port) error {
	const sysDescr, sysName = ".1.3.6.1.2.1.1.1.0", ".1.3.6.1.2.1.1.5.0"
	g := &gosnmp.GoSNMP{Version: gosnmp.Version2c, Community: want.Details["community"], MaxOids: gosnmp.MaxOids}
	req, err := g.SnmpEncodePacket(gosnmp.GetRequest,
		[]gosnmp.SnmpPDU{{Name: sysDescr, Type: gosnmp.Null}, {Name: sysName, Type: gosnmp.Null}}, 0, 0)
	if err != nil {
		return fmt.Errorf("encode: %w", err)
	}
	if _, err := conn.Write(req); err != nil {
		return fmt.Errorf("send: %w", err)
	}
	buf := make([]byte, 65536)
	n, err := conn.Read(buf)
	if err != nil {
		return fmt.Errorf("read: %w", err)
	}
	resp, err := g.SnmpDecodePacket(buf[:n])
	if err != nil {
		return fmt.Errorf("decode: %w", err)
	}
	got := map[string]string{}
	for _, v := range resp.Variables {
		if b, ok := v.Value.([]byte); ok {
			got[v.Name] = string(b)
		}
	}
	if got[sysDescr] != want.Details["sysdescr"] || got[sysName] != want.Details["sysname"] {
		return fmt.Errorf("sysDescr %q, sysName %q; truth %q, %q",
			got[sysDescr], got[sysName], want.Details["sysdescr"], want.Details["sysname"])
	}
	return nil
}

// checkNTP sends an NTPv4 client request and expects a server answer of
// the truth's stratum that echoes the request's transmit time.
func checkNTP(conn net.Conn, want lab.Port) error {
	req := make([]byte, 48)
	req[0] = 4<<3 | 3                                                   // version 4, mode 3 (client)
	binary.BigEndian.PutUint64(req[40:], uint64(time.Now().UnixNano())) // any unique value
	if _, err := conn.Write(req); err != nil {
		return fmt.Errorf("send: %w", err)
	}
	resp := make([]byte, 512)
	n, err := conn.Read(resp)
	if err != nil {
		return fmt.Errorf("read: %w", err)
	}
	if n < 48 || resp[0]&7 != 4 || !bytes.Equal(resp[24:32], req[40:48]) {
		return fmt.Errorf("not a server answer to our request: %x", resp[:n])
	}
	if got := strconv.Itoa(int(resp[1])); got != want.Details["stratum"] {
		return fmt.Errorf("stratum %s, truth %s", got, want.Details["stratum"])
	}
	return nil
}

// checkMemcachedUDP asks version over memcached's UDP framing: request id,
// sequence number, datagram count, reserved, then the text command.
func checkMemcachedUDP(conn net.Conn, want lab.Port) error {
	req := append([]byte{0x12, 0x34, 0, 0, 0, 1, 0, 0}, "version\r\n"...)
	if _, err := conn.Write(req); err != nil {
		return fmt.Errorf("send: %w", err)
	}
	resp := make([]byte, 1500)
	n, err := conn.Read(resp)
	if err != nil {
		return fmt.Errorf("read: %w", err)
	}
	if n < 8 || !bytes.Equal(resp[:2], req[:2]) || string(resp[8:n]) != "VERSION "+want.Version+"\r\n" {
		return fmt.Errorf("answer %q, want VERSION %s", resp[:n], want.Version)
	}
	return nil
}

// udpCheckPorts are unlisted UDP ports checked on every host.
func udpCheckPorts(h lab.Host) []int {
	ports := h.UDPPorts()
	for _, p := range []int{7, 69, 1900} {
		if _, listed := h.UDP[strconv.Itoa(p)]; !listed {
			ports = append(ports, p)
		}
	}
	return ports
}

// testNmapUDP runs nmap -sU against every host of the main subnet, both
// families, on its listed UDP ports and a few others: every verdict must
// be consistent with the truth (see lab.Host.UDPStateConsistent), and
// every open port must be found open (nmap has payloads for all the lab's
// UDP services).
func testNmapUDP(t *testing.T, tr *lab.Truth) {
	var wg sync.WaitGroup
	for _, h := range tr.Hosts {
		for _, ip := range []string{h.IPv4, h.IPv6} {
			wg.Go(func() {
				for _, err := range nmapUDPHost(tr, h, ip) {
					t.Error(err)
				}
			})
		}
	}
	wg.Wait()
}

func nmapUDPHost(tr *lab.Truth, h lab.Host, ip string) []error {
	ports := udpCheckPorts(h)
	run, err := runNmap(tr, ip, "-sU", "-Pn", "--max-retries", "3", "-p", portList(ports))
	if err != nil {
		return []error{err}
	}
	if len(run.Hosts) != 1 {
		return []error{fmt.Errorf("nmap -sU %s: %d hosts in report", ip, len(run.Hosts))}
	}
	var errs []error
	seen := map[int]bool{}
	for _, p := range run.Hosts[0].Ports {
		seen[p.PortID] = true
		want := h.ExpectedUDPPort(p.PortID)
		if !h.UDPStateConsistent(p.PortID, p.State.State) ||
			(want.State == lab.StateOpen && p.State.State != lab.StateOpen) {
			errs = append(errs, fmt.Errorf("nmap -sU %s (%s) port %d: %s (reason %s), truth %s (%s), icmp_ratelimited=%v",
				ip, h.Name, p.PortID, p.State.State, p.State.Reason, want.State, want.Reason, h.ICMPRateLimited))
		}
	}
	for _, p := range ports {
		if !seen[p] {
			errs = append(errs, fmt.Errorf("nmap -sU %s: port %d missing from the report", ip, p))
		}
	}
	return errs
}

// rateProbes is how many closed UDP ports testICMPRateLimit probes at once:
// more than a rate-limiting kernel's burst, fewer than its namespace-wide
// budget.
const rateProbes = 30

// testICMPRateLimit checks icmp_ratelimited: a burst of probes to closed
// UDP ports gets an ICMP port unreachable for every probe from a host
// without rate limiting, and for only some from a rate-limiting host.
func testICMPRateLimit(t *testing.T, tr *lab.Truth) {
	checked := map[bool]bool{}
	for _, h := range tr.Hosts {
		if h.DefaultUDP != lab.StateClosed || checked[h.ICMPRateLimited] {
			continue
		}
		checked[h.ICMPRateLimited] = true
		for _, ip := range []string{h.IPv4, h.IPv6} {
			refused, err := udpBurst(tr, h, ip)
			if err != nil {
				t.Errorf("%s %s: %v", h.Name, ip, err)
				continue
			}
			t.Logf("%s %s (icmp_ratelimited=%v): %d of %d closed UDP ports answered port unreachable",
				h.Name, ip, h.ICMPRateLimited, refused, rateProbes)
			if h.ICMPRateLimited && refused == rateProbes {
				t.Errorf("%s %s: every probe answered, but the truth says the host rate-limits ICMP", h.Name, ip)
			}
			if !h.ICMPRateLimited && refused != rateProbes {
				t.Errorf("%s %s: %d of %d probes answered, but the truth says the host does not rate-limit ICMP",
					h.Name, ip, refused, rateProbes)
			}
		}
	}
	if !checked[true] || !checked[false] {
		t.Errorf("the lab needs a rate-limiting and a non-limiting host with closed UDP ports (have %v)", checked)
	}
}

// udpBurst sends one datagram to each of rateProbes unlisted UDP ports of
// h at once, from connected sockets, and counts the ports whose ICMP port
// unreachable came back (ECONNREFUSED on the socket).
func udpBurst(tr *lab.Truth, h lab.Host, ip string) (int, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	var conns []net.Conn
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()
	for port := 40000; len(conns) < rateProbes; port++ {
		if _, listed := h.UDP[strconv.Itoa(port)]; listed {
			continue
		}
		c, err := tr.ScannerDial(ctx, "udp", net.JoinHostPort(ip, strconv.Itoa(port)))
		if err != nil {
			return 0, fmt.Errorf("dial: %w", err)
		}
		conns = append(conns, c)
	}
	for _, c := range conns { // as fast as possible: one burst
		if _, err := c.Write([]byte("portwatch lab")); err != nil {
			return 0, fmt.Errorf("send: %w", err)
		}
	}
	time.Sleep(500 * time.Millisecond) // every ICMP error that comes is back by then
	refused := 0
	for _, c := range conns {
		if err := c.SetReadDeadline(time.Now().Add(10 * time.Millisecond)); err != nil {
			return 0, fmt.Errorf("set deadline: %w", err)
		}
		if _, err := c.Read(make([]byte, 64)); errors.Is(err, syscall.ECONNREFUSED) {
			refused++
		}
	}
	return refused, nil
}
