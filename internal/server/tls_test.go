package server

import (
	"context"
	"crypto/tls"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"testing"
)

func TestListenLoopbackPlain(t *testing.T) {
	ln, err := Listen(context.Background(), "127.0.0.1:0", TLSFiles{}, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	if ln.Generated != "" || ln.URL[:7] != "http://" {
		t.Fatalf("loopback: %+v", ln)
	}
}

func TestListenNonLoopbackRequiresTLS(t *testing.T) {
	dir := t.TempDir()
	// 0.0.0.0 is not loopback: TLS with a generated certificate.
	ln, err := Listen(context.Background(), "0.0.0.0:0", TLSFiles{}, dir)
	if err != nil {
		t.Fatal(err)
	}
	if ln.Generated != filepath.Join(dir, "portwatch-selfsigned.crt") || ln.URL[:8] != "https://" {
		t.Fatalf("non-loopback: %+v", ln)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.TLS == nil {
			t.Error("plain request")
		}
		w.Write([]byte("ok"))
	})}
	go srv.Serve(ln)
	defer srv.Close()
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	// Only ever connect to loopback.
	c := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}}
	resp, err := c.Get("https://127.0.0.1:" + port + "/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	st, err := os.Stat(filepath.Join(dir, "portwatch-selfsigned.key"))
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("key file: %v %v", st, err)
	}
	// The certificate is reused at the next start.
	before, _ := os.ReadFile(ln.Generated)
	ln2, err := Listen(context.Background(), "0.0.0.0:0", TLSFiles{}, dir)
	if err != nil {
		t.Fatal(err)
	}
	ln2.Close()
	after, _ := os.ReadFile(ln.Generated)
	if string(before) != string(after) {
		t.Fatal("certificate regenerated")
	}
	if _, err := Listen(context.Background(), "0.0.0.0:0", TLSFiles{Cert: "/nonexistent.crt", Key: "/nonexistent.key"}, dir); err == nil {
		t.Fatal("missing certificate files accepted")
	}
}
