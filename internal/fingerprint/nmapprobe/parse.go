package nmapprobe

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"strconv"
	"time"
)

// maxLine bounds one line of a probe file.
const maxLine = 1 << 20

// Parse reads an nmap-service-probes file from r; name is used in error
// messages ("name:line: ..."). Patterns regexp2 cannot compile do not fail
// the parse: their lines are listed in Set.Warnings and skipped.
func Parse(r io.Reader, name string) (*Set, error) {
	ps := &parser{set: &Set{Source: name, Intensity: DefaultIntensity}, name: name}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), maxLine)
	n := 0
	for sc.Scan() {
		n++
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 || line[0] == '#' {
			continue
		}
		if err := ps.line(n, line); err != nil {
			return nil, fmt.Errorf("%s:%d: %w", name, n, err)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s:%d: %w", name, n+1, err)
	}
	if err := ps.resolve(); err != nil {
		return nil, err
	}
	return ps.set, nil
}

// parser holds the state of one Parse.
type parser struct {
	set      *Set
	name     string
	cur      *Probe
	fallback map[*Probe]int // line of each probe's fallback directive
}

// line parses one non-comment line.
func (ps *parser) line(n int, line []byte) error {
	word, rest, _ := bytes.Cut(line, []byte(" "))
	rest = bytes.TrimSpace(rest)
	directive := string(word)
	if directive != "Probe" && directive != "Exclude" && ps.cur == nil {
		return fmt.Errorf("%s before the first Probe", directive)
	}
	switch directive {
	case "Exclude":
		return ps.exclude(rest)
	case "Probe":
		return ps.probe(n, rest)
	case "match", "softmatch":
		m, reErr, err := parseMatch(rest, directive == "softmatch")
		if err != nil {
			return err
		}
		if reErr != nil {
			ps.set.Warnings = append(ps.set.Warnings, fmt.Sprintf("%s:%d: %s pattern skipped: %v", ps.name, n, m.Service, reErr))
			return nil
		}
		m.Line = n
		ps.cur.Matches = append(ps.cur.Matches, m)
		return nil
	case "ports", "sslports":
		pl, err := parsePortList(string(rest))
		if err != nil {
			return fmt.Errorf("%s: %w", directive, err)
		}
		if directive == "ports" {
			ps.cur.Ports = pl
		} else {
			ps.cur.SSLPorts = pl
		}
		return nil
	case "totalwaitms", "tcpwrappedms":
		ms, err := strconv.Atoi(string(rest))
		if err != nil || ms <= 0 || ms > 600_000 {
			return fmt.Errorf("%s: bad milliseconds %q", directive, rest)
		}
		if directive == "totalwaitms" {
			ps.cur.TotalWait = time.Duration(ms) * time.Millisecond
		} else {
			ps.cur.TCPWrapped = time.Duration(ms) * time.Millisecond
		}
		return nil
	case "rarity":
		r, err := strconv.Atoi(string(rest))
		if err != nil || r < 1 || r > 9 {
			return fmt.Errorf("rarity: want 1-9, got %q", rest)
		}
		ps.cur.Rarity = r
		return nil
	case "fallback":
		for _, f := range bytes.Split(rest, []byte(",")) {
			if f = bytes.TrimSpace(f); len(f) > 0 {
				ps.cur.Fallback = append(ps.cur.Fallback, string(f))
			}
		}
		if ps.fallback == nil {
			ps.fallback = map[*Probe]int{}
		}
		ps.fallback[ps.cur] = n
		return nil
	}
	return fmt.Errorf("unknown directive %q", directive)
}

// exclude parses "Exclude T:9100-9107,U:..."; only TCP ports (T: or no
// prefix) matter to a TCP engine.
func (ps *parser) exclude(rest []byte) error {
	var tcp []byte
	proto := byte(0)
	for _, item := range bytes.Split(rest, []byte(",")) {
		item = bytes.TrimSpace(item)
		if len(item) > 2 && item[1] == ':' {
			proto, item = item[0], item[2:]
		}
		switch proto {
		case 0, 'T', 't':
			tcp = append(append(tcp, item...), ',')
		case 'U', 'u', 'S', 's':
		default:
			return fmt.Errorf("unknown protocol prefix %q in Exclude", proto)
		}
	}
	pl, err := parsePortList(string(bytes.TrimSuffix(tcp, []byte(","))))
	if err != nil {
		return fmt.Errorf("bad Exclude: %w", err)
	}
	ps.set.exclude = append(ps.set.exclude, pl...)
	return nil
}

// probe parses "Probe TCP Name q|payload| [no-payload]".
func (ps *parser) probe(n int, rest []byte) error {
	fields := bytes.SplitN(rest, []byte(" "), 3)
	if len(fields) < 3 {
		return fmt.Errorf("Probe: want protocol, name and q|payload|")
	}
	proto := string(fields[0])
	if proto != "TCP" && proto != "UDP" {
		return fmt.Errorf("Probe: protocol %q is neither TCP nor UDP", proto)
	}
	q := fields[2]
	if len(q) < 3 || q[0] != 'q' {
		return fmt.Errorf("Probe: payload must be q<delim>...<delim>")
	}
	end := bytes.IndexByte(q[2:], q[1])
	if end < 0 {
		return fmt.Errorf("Probe: unterminated payload")
	}
	payload, err := unescape(q[2 : 2+end])
	if err != nil {
		return fmt.Errorf("Probe: %w", err)
	}
	tail := bytes.TrimSpace(q[3+end:])
	if len(tail) > 0 && string(tail) != "no-payload" {
		return fmt.Errorf("Probe: unexpected %q after the payload", tail)
	}
	p := &Probe{Protocol: proto, Name: string(fields[1]), Payload: payload, Line: n}
	ps.set.Probes = append(ps.set.Probes, p)
	ps.cur = p
	if proto == "TCP" && p.Name == "NULL" && ps.set.null == nil {
		ps.set.null = p
	}
	return nil
}

// resolve links fallback names to probes, preferring the same protocol
// (nmap's own file has a TCP probe fall back to a UDP one of the same
// DNS request).
func (ps *parser) resolve() error {
	for _, p := range ps.set.Probes {
		for _, name := range p.Fallback {
			var found *Probe
			for _, q := range ps.set.Probes {
				if q.Name == name && (found == nil || q.Protocol == p.Protocol && found.Protocol != p.Protocol) {
					found = q
				}
			}
			if found == nil {
				return fmt.Errorf("%s:%d: fallback: no probe named %q", ps.name, ps.fallback[p], name)
			}
			if found != p {
				p.fallbacks = append(p.fallbacks, found)
			}
		}
	}
	return nil
}

// parseMatch parses the rest of a match line: "service m|re|flags
// p/product/ v/version/ ...". reErr reports a pattern regexp2 cannot
// compile (the caller skips the line with a warning); err a malformed line.
func parseMatch(rest []byte, soft bool) (m *Match, reErr, err error) {
	svc, pat, ok := bytes.Cut(rest, []byte(" "))
	if !ok || len(svc) == 0 {
		return nil, nil, fmt.Errorf("match: want a service and a pattern")
	}
	m = &Match{Service: string(svc), Soft: soft}
	pat = bytes.TrimLeft(pat, " ")
	if len(pat) < 3 || pat[0] != 'm' {
		return nil, nil, fmt.Errorf("match: pattern must be m<delim>...<delim>")
	}
	end := bytes.IndexByte(pat[2:], pat[1])
	if end < 0 {
		return nil, nil, fmt.Errorf("match: unterminated pattern")
	}
	expr := pat[2 : 2+end]
	i := 3 + end
	caseless, dotall := false, false
	for ; i < len(pat) && pat[i] != ' '; i++ {
		switch pat[i] {
		case 'i':
			caseless = true
		case 's':
			dotall = true
		default:
			return nil, nil, fmt.Errorf("match: unknown pattern flag %q", pat[i])
		}
	}
	if m.version, err = parseVersion(pat[i:]); err != nil {
		return nil, nil, err
	}
	m.re, reErr = compilePCRE(latin1(expr), caseless, dotall)
	return m, reErr, nil
}

// latin1 maps each byte to the rune of the same value, so patterns and
// subjects compare byte by byte.
func latin1(b []byte) string {
	rs := make([]rune, len(b))
	for i, c := range b {
		rs[i] = rune(c)
	}
	return string(rs)
}

// unescape decodes a probe payload: \\ \0 \a \b \f \n \r \t \v \xHH; any
// other escaped byte stands for itself.
func unescape(b []byte) ([]byte, error) {
	out := make([]byte, 0, len(b))
	for i := 0; i < len(b); i++ {
		if b[i] != '\\' {
			out = append(out, b[i])
			continue
		}
		i++
		if i == len(b) {
			return nil, fmt.Errorf("trailing backslash in payload")
		}
		switch b[i] {
		case '0':
			out = append(out, 0)
		case 'a':
			out = append(out, 7)
		case 'b':
			out = append(out, 8)
		case 'f':
			out = append(out, 12)
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		case 't':
			out = append(out, '\t')
		case 'v':
			out = append(out, 11)
		case 'x':
			if i+2 >= len(b) {
				return nil, fmt.Errorf(`short \x escape in payload`)
			}
			v, err := strconv.ParseUint(string(b[i+1:i+3]), 16, 8)
			if err != nil {
				return nil, fmt.Errorf(`bad \x escape in payload: %q`, b[i+1:i+3])
			}
			out = append(out, byte(v))
			i += 2
		default:
			out = append(out, b[i])
		}
	}
	return out, nil
}
