package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"strings"
)

// TokenPrefix starts every API token, so that secret scanners and people
// recognise one.
const TokenPrefix = "pwt_"

// displayPrefixLen is how much of a token is kept to recognise it.
const displayPrefixLen = len(TokenPrefix) + 8

// randomString returns n random bytes, base64url without padding.
func randomString(n int) (string, error) {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("random: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// newToken returns a fresh token secret.
func newToken() (string, error) {
	s, err := randomString(32)
	if err != nil {
		return "", err
	}
	return TokenPrefix + s, nil
}

// digest is the stored form of a token or session secret.
func digest(secret string) []byte {
	d := sha256.Sum256([]byte(secret))
	return d[:]
}

// looksLikeToken rejects obviously malformed bearer values before any
// store lookup.
func looksLikeToken(s string) bool {
	return strings.HasPrefix(s, TokenPrefix) && len(s) == len(TokenPrefix)+43
}
