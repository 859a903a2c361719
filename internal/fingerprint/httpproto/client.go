package httpproto

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/portwatch/portwatch/internal/fingerprint"
)

// userAgent is deliberately neutral: some servers answer scanners and
// command-line clients differently from browsers.
const userAgent = "Mozilla/5.0 (compatible; portwatch)"

// rawKeep is how much of the raw response start is kept for Service.Banner.
const rawKeep = 2 * fingerprint.MaxBanner

// response is one HTTP response, read within fingerprint.MaxRead bytes.
type response struct {
	Status int
	Header http.Header // never nil
	// Body is as much of the (de-chunked) body as fitted under the cap;
	// Truncated says the body went on.
	Body      []byte
	Truncated bool
	// Malformed means the status line was HTTP but the rest could not be
	// parsed (e.g. headers longer than the cap); Header and Body are empty.
	Malformed bool
	// Raw is the start of the bytes received, for Service.Banner.
	Raw []byte
}

// decodedBody reads the body, decompressing it when the server sent gzip.
// A gzip stream cut by the read cap decodes as far as it arrived.
func (r *response) decodedBody() io.Reader {
	if !strings.EqualFold(r.Header.Get("Content-Encoding"), "gzip") {
		return bytes.NewReader(r.Body)
	}
	zr, err := gzip.NewReader(bytes.NewReader(r.Body))
	if err != nil {
		return bytes.NewReader(nil)
	}
	return zr
}

// request is one GET to send.
type request struct {
	Path string
	// AcceptGzip asks for a compressed body, for long answers such as
	// /metrics: the read cap then covers about ten times more text.
	AcceptGzip bool
}

// get sends "GET path HTTP/1.1" on s.Conn and reads one bounded response.
func get(ctx context.Context, s *fingerprint.Session, path string) (*response, error) {
	return do(ctx, s, request{Path: path})
}

// do sends one GET on s.Conn and reads one bounded response. It never
// follows redirects: a Probe has one connection and asks one question. The
// engine owns the connection's deadline; cancelling ctx cuts any read or
// write short. An answer that is not HTTP is ErrNoMatch.
func do(ctx context.Context, s *fingerprint.Session, rq request) (*response, error) {
	stop := context.AfterFunc(ctx, func() {
		// Only ever shortens the engine's deadline; the error is moot
		// because the pending read or write fails either way.
		_ = s.Conn.SetDeadline(time.Now())
	})
	defer stop()
	req := &http.Request{
		Method:     http.MethodGet,
		URL:        &url.URL{Path: rq.Path},
		Proto:      "HTTP/1.1",
		ProtoMajor: 1,
		ProtoMinor: 1,
		Host:       hostHeader(s),
		Header: http.Header{
			"User-Agent": {userAgent},
			"Accept":     {"*/*"},
		},
		Close: true, // writes "Connection: close": one request per connection
	}
	if rq.AcceptGzip {
		req.Header.Set("Accept-Encoding", "gzip")
	}
	if err := req.Write(s.Conn); err != nil {
		return nil, fmt.Errorf("write GET %s: %w", rq.Path, err)
	}
	resp, err := readResponse(s.Conn, http.MethodGet)
	if err != nil {
		return nil, fmt.Errorf("GET %s: %w", rq.Path, err)
	}
	return resp, nil
}

// readResponse parses one HTTP/1.x response from r, reading at most
// fingerprint.MaxRead bytes in all, so a peer that streams headers or a
// body forever cannot grow memory. A body cut by the cap, the deadline or
// a reset is kept as far as it arrived.
func readResponse(r io.Reader, method string) (*response, error) {
	raw := &prefixBuffer{max: rawKeep}
	br := bufio.NewReader(io.TeeReader(io.LimitReader(r, fingerprint.MaxRead), raw))
	hr, err := http.ReadResponse(br, &http.Request{Method: method})
	if err != nil {
		switch {
		case len(raw.b) == 0:
			return nil, fmt.Errorf("%w: no response: %w", fingerprint.ErrNoMatch, err)
		case !looksHTTP(raw.b):
			return nil, fmt.Errorf("%w: not an HTTP response %q: %w", fingerprint.ErrNoMatch, firstLine(raw.b), err)
		}
		status, _ := strconv.Atoi(string(raw.b[9:12]))
		return &response{Status: status, Header: http.Header{}, Malformed: true, Raw: raw.b}, nil
	}
	defer hr.Body.Close()
	body, err := io.ReadAll(hr.Body)
	return &response{
		Status:    hr.StatusCode,
		Header:    hr.Header,
		Body:      body,
		Truncated: err != nil,
		Raw:       raw.b,
	}, nil
}

// looksHTTP reports whether b starts with an HTTP/1.x or HTTP/2 status
// line prefix: "HTTP/1.1 200".
func looksHTTP(b []byte) bool {
	if len(b) < 12 || !bytes.HasPrefix(b, []byte("HTTP/")) || b[8] != ' ' {
		return false
	}
	for _, c := range b[9:12] {
		if c < '0' || c > '9' {
			return false
		}
	}
	return b[5] >= '0' && b[5] <= '9'
}

// firstLine is b up to its first line break, at most 40 bytes, for errors.
func firstLine(b []byte) []byte {
	if i := bytes.IndexAny(b, "\r\n"); i >= 0 {
		b = b[:i]
	}
	return b[:min(len(b), 40)]
}

// hostHeader is the Host header for s: the name the user gave, else the
// address, with the port unless it is the scheme's default.
func hostHeader(s *fingerprint.Session) string {
	ap := s.Addr
	if !ap.IsValid() && s.Conn != nil {
		if p, err := netip.ParseAddrPort(s.Conn.RemoteAddr().String()); err == nil {
			ap = p
		}
	}
	host := s.ServerName
	if !validHostName(host) {
		host = ap.Addr().WithZone("").String() // Host headers carry no zone
	}
	defaultPort := uint16(80)
	if s.TLS != nil {
		defaultPort = 443
	}
	if ap.Port() == 0 || ap.Port() == defaultPort {
		if strings.Contains(host, ":") {
			return "[" + host + "]"
		}
		return host
	}
	return net.JoinHostPort(host, strconv.Itoa(int(ap.Port())))
}

// validHostName accepts the characters of DNS names and IP literals, so a
// user-given name cannot inject header lines.
func validHostName(h string) bool {
	if h == "" || len(h) > 253 {
		return false
	}
	for _, c := range h {
		ok := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
			c == '-' || c == '.' || c == '_' || c == ':'
		if !ok {
			return false
		}
	}
	return true
}

// prefixBuffer keeps the first max bytes written to it and discards the rest.
type prefixBuffer struct {
	b   []byte
	max int
}

func (p *prefixBuffer) Write(b []byte) (int, error) {
	if room := p.max - len(p.b); room > 0 {
		p.b = append(p.b, b[:min(room, len(b))]...)
	}
	return len(b), nil
}
