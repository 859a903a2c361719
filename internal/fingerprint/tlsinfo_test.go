package fingerprint

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"math/big"
	"net"
	"slices"
	"testing"
	"time"
)

// tlsTestCert makes a certificate for CN name, signed by parent (self-signed
// when parent is nil).
func tlsTestCert(t *testing.T, name string, isCA bool, parent *tls.Certificate) tls.Certificate {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(time.Now().UnixNano()),
		Subject:               pkix.Name{CommonName: name, Organization: []string{"portwatch test"}},
		NotBefore:             time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC),
		NotAfter:              time.Date(2034, 1, 2, 3, 4, 5, 0, time.UTC),
		DNSNames:              []string{name, "alt." + name},
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1)},
		IsCA:                  isCA,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
	}
	signer, signerKey := tmpl, any(key)
	if parent != nil {
		signer, signerKey = parent.Leaf, parent.PrivateKey
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, signer, &key.PublicKey, signerKey)
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}
}

// tlsTestHandshake runs a TLS handshake over a pipe and returns the client's view.
func tlsTestHandshake(t *testing.T, cert tls.Certificate, alpn []string) tls.ConnectionState {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, s := net.Pipe()
	defer c.Close()
	defer s.Close()
	srv := tls.Server(s, &tls.Config{Certificates: []tls.Certificate{cert}, NextProtos: alpn})
	go func() { _ = srv.HandshakeContext(ctx) }()
	cli := tls.Client(c, &tls.Config{InsecureSkipVerify: true, NextProtos: alpn})
	if err := cli.HandshakeContext(ctx); err != nil {
		t.Fatal(err)
	}
	return cli.ConnectionState()
}

func TestTLSFactsSelfSigned(t *testing.T) {
	cert := tlsTestCert(t, "h1.portwatch.lab", false, nil)
	info := TLSFacts(tlsTestHandshake(t, cert, []string{"http/1.1"}))
	sum := sha256.Sum256(cert.Certificate[0])
	want := TLSInfo{
		Version:    "TLS 1.3",
		Cipher:     info.Cipher,
		ALPN:       "http/1.1",
		Subject:    "CN=h1.portwatch.lab,O=portwatch test",
		SANs:       []string{"h1.portwatch.lab", "alt.h1.portwatch.lab", "127.0.0.1"},
		Issuer:     "CN=h1.portwatch.lab,O=portwatch test",
		NotBefore:  time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC),
		NotAfter:   time.Date(2034, 1, 2, 3, 4, 5, 0, time.UTC),
		SelfSigned: true,
		SHA256:     hex.EncodeToString(sum[:]),
	}
	if info.Cipher == "" || info.Cipher[:4] != "TLS_" {
		t.Errorf("cipher %q", info.Cipher)
	}
	if info.Version != want.Version || info.ALPN != want.ALPN || info.Subject != want.Subject ||
		!slices.Equal(info.SANs, want.SANs) || info.Issuer != want.Issuer ||
		!info.NotBefore.Equal(want.NotBefore) || !info.NotAfter.Equal(want.NotAfter) ||
		info.SelfSigned != want.SelfSigned || info.SHA256 != want.SHA256 {
		t.Errorf("got %+v\nwant %+v", *info, want)
	}
}

func TestTLSFactsIssued(t *testing.T) {
	ca := tlsTestCert(t, "Portwatch Test CA", true, nil)
	leaf := tlsTestCert(t, "db.portwatch.lab", false, &ca)
	info := TLSFacts(tlsTestHandshake(t, leaf, nil))
	if info.SelfSigned {
		t.Error("a CA-issued leaf is reported self-signed")
	}
	if info.Issuer != "CN=Portwatch Test CA,O=portwatch test" || info.ALPN != "" {
		t.Errorf("got %+v", *info)
	}
}

func TestTLSFactsNoCertificate(t *testing.T) {
	info := TLSFacts(tls.ConnectionState{Version: tls.VersionTLS12, CipherSuite: tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256})
	if info.Version != "TLS 1.2" || info.Cipher != "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256" || info.Subject != "" {
		t.Errorf("got %+v", *info)
	}
}

func TestTLSName(t *testing.T) {
	for plain, tlsName := range map[string]string{"http": "https", "imap": "imaps", "pop3": "pop3s",
		"smtp": "smtps", "ldap": "ldaps", "ftp": "ftps"} {
		if got := TLSName(plain); got != tlsName {
			t.Errorf("TLSName(%s) = %s, want %s", plain, got, tlsName)
		}
		if got, ok := PlainName(tlsName); !ok || got != plain {
			t.Errorf("PlainName(%s) = %s %v", tlsName, got, ok)
		}
	}
	if TLSName("redis") != "redis" {
		t.Error("redis renamed")
	}
	if _, ok := PlainName("ssh"); ok {
		t.Error("ssh taken for a TLS name")
	}
}
