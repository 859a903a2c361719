package dbproto

import (
	"bufio"
	"bytes"
	"encoding/hex"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// -record makes the live tests rewrite testdata/*.transcript from the real
// daemons they start: go test ./internal/fingerprint/dbproto -run Live -args -record
var record = flag.Bool("record", false, "rewrite testdata transcripts from live daemons")

// step is one turn of a transcript: bytes the client sent (C) or the
// server sent (S).
type step struct {
	client bool
	data   []byte
}

// transcript is a recorded conversation with a real server, or one built
// from the protocol specification.
type transcript struct {
	note  []string // "#" lines: where the bytes came from
	steps []step
}

// loadTranscript reads testdata/name: "#" comment lines, then "C <hex>"
// and "S <hex>" lines in order.
func loadTranscript(t testing.TB, name string) transcript {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", name))
	if err != nil {
		t.Fatalf("transcript: %v", err)
	}
	defer f.Close()
	var tr transcript
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		switch {
		case line == "":
		case strings.HasPrefix(line, "#"):
			tr.note = append(tr.note, line)
		case len(line) > 2 && (line[0] == 'C' || line[0] == 'S') && line[1] == ' ':
			b, err := hex.DecodeString(line[2:])
			if err != nil {
				t.Fatalf("%s:%d: %v", name, n, err)
			}
			tr.steps = append(tr.steps, step{client: line[0] == 'C', data: b})
		default:
			t.Fatalf("%s:%d: unexpected line", name, n)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return tr
}

// server returns the server's bytes of the transcript, concatenated.
func (tr transcript) server() []byte {
	var b []byte
	for _, s := range tr.steps {
		if !s.client {
			b = append(b, s.data...)
		}
	}
	return b
}

// firstServer returns what the server sent first.
func (tr transcript) firstServer() []byte {
	for _, s := range tr.steps {
		if !s.client {
			return s.data
		}
	}
	return nil
}

// replay starts a loopback server that plays the server's side of the
// transcript to every connection: it waits for as many bytes as the client
// sent at each client turn and writes the recorded bytes at each server turn.
func replay(t *testing.T, tr transcript) string {
	t.Helper()
	return replayCheck(t, tr, false)
}

// replayExact is replay that also fails the test when the client's bytes
// differ from the transcript's, for requests without random parts.
func replayExact(t *testing.T, tr transcript) string {
	t.Helper()
	return replayCheck(t, tr, true)
}

func replayCheck(t *testing.T, tr transcript, exact bool) string {
	t.Helper()
	return serve(t, func(c net.Conn) {
		_ = c.SetDeadline(time.Now().Add(probeTimeout))
		for i, s := range tr.steps {
			if s.client {
				got := make([]byte, len(s.data))
				if _, err := io.ReadFull(c, got); err != nil {
					return
				}
				if exact && !bytes.Equal(got, s.data) {
					t.Errorf("client turn %d:\n got % x\nwant % x", i, got, s.data)
				}
			} else if _, err := c.Write(s.data); err != nil {
				return
			}
		}
		_, _ = io.Copy(io.Discard, c) // keep the connection open until the client is done
	})
}

// recorder is a loopback proxy to a live daemon that writes what passes
// through it as a transcript.
type recorder struct {
	mu    sync.Mutex
	steps []step
}

// add appends bytes seen in one direction, merging with the previous turn
// when the direction is the same.
func (r *recorder) add(client bool, b []byte) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if n := len(r.steps); n > 0 && r.steps[n-1].client == client {
		r.steps[n-1].data = append(r.steps[n-1].data, b...)
		return
	}
	r.steps = append(r.steps, step{client: client, data: bytes.Clone(b)})
}

// liveAddr returns the address to probe a live daemon at: the daemon
// itself, or with -record a recording proxy in front of it whose
// transcript is written to testdata/name when the test ends.
func liveAddr(t *testing.T, daemon, name string, note ...string) string {
	t.Helper()
	return liveAddrFrom(t, daemon, "", name, note...)
}

// liveAddrFrom is liveAddr for a daemon that must see the connection come
// from the loopback address from: a proxy dials it from there.
func liveAddrFrom(t *testing.T, daemon, from, name string, note ...string) string {
	t.Helper()
	if !*record && from == "" {
		return daemon
	}
	rec := &recorder{}
	// Registered before the proxy's own cleanup so that it runs after the
	// proxy has finished with every connection.
	t.Cleanup(func() {
		if !*record || t.Failed() {
			return
		}
		var b strings.Builder
		for _, n := range note {
			fmt.Fprintf(&b, "# %s\n", n)
		}
		b.WriteString("# Recorded on 127.0.0.1 by the live test with -record. C: client bytes, S: server bytes (hex).\n")
		rec.mu.Lock()
		for _, s := range rec.steps {
			dir := "S"
			if s.client {
				dir = "C"
			}
			fmt.Fprintf(&b, "%s %s\n", dir, hex.EncodeToString(s.data))
		}
		rec.mu.Unlock()
		if err := os.WriteFile(filepath.Join("testdata", name), []byte(b.String()), 0o644); err != nil {
			t.Error(err)
		}
	})
	return serve(t, func(c net.Conn) {
		d := net.Dialer{}
		if from != "" {
			d.LocalAddr = &net.TCPAddr{IP: net.ParseIP(from)}
		}
		up, err := d.Dial("tcp", daemon)
		if err != nil {
			t.Errorf("proxy: %v", err)
			return
		}
		defer up.Close()
		pipe := func(dst, src net.Conn, client bool) {
			buf := make([]byte, 64<<10)
			for {
				n, err := src.Read(buf)
				if n > 0 {
					rec.add(client, buf[:n])
					if _, werr := dst.Write(buf[:n]); werr != nil {
						return
					}
				}
				if err != nil {
					if tc, ok := dst.(*net.TCPConn); ok {
						_ = tc.CloseWrite()
					}
					// The other direction gets a moment to finish.
					_ = dst.SetReadDeadline(time.Now().Add(time.Second))
					return
				}
			}
		}
		var wg sync.WaitGroup
		wg.Go(func() { pipe(up, c, true) })
		pipe(c, up, false)
		wg.Wait()
	})
}
