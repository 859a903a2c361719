package fingerprint

import (
	"crypto/sha256"
	"crypto/tls"
	"encoding/hex"
	"net/url"
)

// TLSFacts records the facts of a completed TLS handshake: protocol
// version, cipher suite, ALPN and the leaf certificate's subject, SANs,
// issuer, validity, whether it signed itself and its SHA-256 fingerprint.
// Certificates are taken as presented; nothing is verified against a
// trust store (a scanner reports what is there, trusted or not).
func TLSFacts(cs tls.ConnectionState) *TLSInfo {
	info := &TLSInfo{
		Version: tls.VersionName(cs.Version),
		Cipher:  tls.CipherSuiteName(cs.CipherSuite),
		ALPN:    cs.NegotiatedProtocol,
	}
	if len(cs.PeerCertificates) == 0 {
		return info
	}
	leaf := cs.PeerCertificates[0]
	info.Subject = leaf.Subject.String()
	info.Issuer = leaf.Issuer.String()
	info.NotBefore = leaf.NotBefore.UTC()
	info.NotAfter = leaf.NotAfter.UTC()
	sum := sha256.Sum256(leaf.Raw)
	info.SHA256 = hex.EncodeToString(sum[:])
	info.SANs = append(info.SANs, leaf.DNSNames...)
	for _, ip := range leaf.IPAddresses {
		info.SANs = append(info.SANs, ip.String())
	}
	info.SANs = append(info.SANs, leaf.EmailAddresses...)
	for _, u := range leaf.URIs {
		info.SANs = append(info.SANs, uriString(u))
	}
	// Self-signed: the issuer is the subject and the certificate's own key
	// verifies its signature. CheckSignatureFrom is not used because it
	// also demands the CA bit, which many self-signed leaves lack.
	if string(leaf.RawIssuer) == string(leaf.RawSubject) &&
		leaf.CheckSignature(leaf.SignatureAlgorithm, leaf.RawTBSCertificate, leaf.Signature) == nil {
		info.SelfSigned = true
	}
	return info
}

func uriString(u *url.URL) string {
	if u == nil {
		return ""
	}
	return u.String()
}

// TLSName is the name of a protocol when it runs inside implicit TLS:
// http becomes https, imap imaps, pop3 pop3s, smtp smtps, ldap ldaps, ftp
// ftps, nntp nntps, telnet telnets, irc ircs. Other names are returned
// unchanged (redis inside TLS is still redis, with Service.TLS set).
func TLSName(name string) string {
	switch name {
	case "http":
		return "https"
	case "imap":
		return "imaps"
	case "pop3":
		return "pop3s"
	case "smtp":
		return "smtps"
	case "ldap":
		return "ldaps"
	case "ftp":
		return "ftps"
	case "nntp":
		return "nntps"
	case "telnet":
		return "telnets"
	case "irc":
		return "ircs"
	}
	return name
}

// PlainName is the inverse of TLSName: the protocol spoken inside an
// implicit-TLS service name ("imaps" gives "imap", true). ok is false for
// names that do not imply TLS.
func PlainName(name string) (plain string, ok bool) {
	switch name {
	case "https":
		return "http", true
	case "imaps":
		return "imap", true
	case "pop3s":
		return "pop3", true
	case "smtps":
		return "smtp", true
	case "ldaps":
		return "ldap", true
	case "ftps":
		return "ftp", true
	case "nntps":
		return "nntp", true
	case "telnets":
		return "telnet", true
	case "ircs":
		return "irc", true
	}
	return name, false
}
