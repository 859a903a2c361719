package engine

import (
	"context"
	"crypto/tls"
	"fmt"
	"net"

	"github.com/portwatch/portwatch/internal/fingerprint"
)

// portRun is the state of identifying one port.
type portRun struct {
	e        *Engine
	t        Target
	w        waits
	hint     string // PortHint for the port
	banner   []byte // what the peer sent unprompted in plaintext
	closed   bool   // the peer closed the passive connection without a word
	done     []bool // fingerprinters already probed in the current layer
	sessions tls.ClientSessionCache
}

func newPortRun(e *Engine, t Target) *portRun {
	return &portRun{
		e:        e,
		t:        t,
		w:        waitsFor(t.RTT),
		hint:     fingerprint.PortHint("tcp", t.Addr.Port()),
		done:     make([]bool, len(e.fps)),
		sessions: tls.NewLRUClientSessionCache(4),
	}
}

// dial opens a fresh plaintext connection to the target.
func (r *portRun) dial(ctx context.Context) (net.Conn, error) {
	c, err := r.e.dial(ctx, "tcp", r.t.Addr.String())
	if err != nil {
		return nil, fmt.Errorf("dial %s: %w", r.t.Addr, err)
	}
	return c, nil
}

// session builds what a fingerprinter is handed.
func (r *portRun) session(c net.Conn, banner []byte, info *fingerprint.TLSInfo) *fingerprint.Session {
	return &fingerprint.Session{Addr: r.t.Addr, Conn: c, Banner: banner, TLS: info, ServerName: r.t.ServerName}
}

// guard runs one fingerprinter call and turns a panic into an error, so a
// bug in one protocol parser costs one port's detail, not the whole scan.
func (r *portRun) guard(fp fingerprint.Fingerprinter, what string, call func() error) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("%s fingerprinter %s panicked: %v", fp.Name(), what, p)
			r.e.log.Error("fingerprinter panicked", "fingerprinter", fp.Name(), "call", what,
				"addr", r.t.Addr.String(), "panic", fmt.Sprint(p))
		}
	}()
	return call()
}

// matchBanner asks the fingerprinters, in order, whether banner is theirs.
func (r *portRun) matchBanner(banner []byte, expected string) (fingerprint.Service, fingerprint.Fingerprinter, bool) {
	for _, i := range bannerOrder(r.e.fps, r.t.Addr.Port(), expected) {
		fp := r.e.fps[i]
		var svc fingerprint.Service
		var ok bool
		_ = r.guard(fp, "MatchBanner", func() error {
			svc, ok = fp.MatchBanner(banner)
			return nil
		})
		if ok {
			return svc, fp, true
		}
	}
	return fingerprint.Service{}, nil, false
}

// probe runs fp on a fresh connection (inside TLS when info is set)
// within the likely wait if the port or banner made fp likely, else the
// speculative one.
func (r *portRun) probe(ctx context.Context, fp fingerprint.Fingerprinter, isLikely bool, banner []byte, info *fingerprint.TLSInfo) (fingerprint.Service, error) {
	d := r.w.probe
	if isLikely {
		d = r.w.likely
	}
	pctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	var c net.Conn
	var err error
	if info != nil {
		c, err = r.connectTLS(pctx)
	} else {
		c, err = r.dial(pctx)
	}
	if err != nil {
		return fingerprint.Service{}, err
	}
	bc := bound(pctx, c, 0) // fingerprinters frame their own reads
	defer bc.Close()
	var svc fingerprint.Service
	err = r.guard(fp, "Probe", func() error {
		var perr error
		svc, perr = fp.Probe(pctx, r.session(bc, banner, info))
		return perr
	})
	return svc, err
}
