package rawnet

import (
	"crypto/rand"
	"encoding/binary"
	"fmt"
	"net/netip"
)

// TryBits is how many low bits of a probe's sequence number carry the
// attempt number, so that a reply tells which transmission it answers.
const TryBits = 4

// MaxTries is the largest number of transmissions a cookie can tell apart.
const MaxTries = 1 << TryBits

const tryMask = MaxTries - 1

// Cookie is a keyed hash over a probe's addresses and ports. Probes carry
// it in their sequence number (or echo payload) and replies carry it back,
// so a reply is matched to its probe without remembering the probe, and a
// forged or stray packet (a decoy SYN-ACK) fails the check. The key is
// random per scan.
type Cookie struct {
	k0, k1 uint64
}

// NewCookie returns a cookie with a random key.
func NewCookie() (Cookie, error) {
	var key [16]byte
	if _, err := rand.Read(key[:]); err != nil {
		return Cookie{}, fmt.Errorf("cookie key: %w", err)
	}
	return CookieFromKey(key), nil
}

// CookieFromKey returns the cookie for a given key (tests, replays).
func CookieFromKey(key [16]byte) Cookie {
	return Cookie{k0: binary.LittleEndian.Uint64(key[:8]), k1: binary.LittleEndian.Uint64(key[8:])}
}

// Sum is the 64-bit SipHash-2-4 of (local, remote, localPort, remotePort),
// addresses in their 16-byte form so IPv4 and IPv6 share one input layout.
func (c Cookie) Sum(local, remote netip.Addr, localPort, remotePort uint16) uint64 {
	var m [36]byte
	l, r := local.As16(), remote.As16()
	copy(m[0:16], l[:])
	copy(m[16:32], r[:])
	binary.BigEndian.PutUint16(m[32:], localPort)
	binary.BigEndian.PutUint16(m[34:], remotePort)
	return sipHash24(c.k0, c.k1, m[:])
}

// Seq is the sequence number of the try-th transmission (from 0) of a probe:
// 28 bits of cookie and the attempt number in the low TryBits bits.
func (c Cookie) Seq(local, remote netip.Addr, localPort, remotePort uint16, try int) uint32 {
	return uint32(c.Sum(local, remote, localPort, remotePort))&^tryMask | uint32(try)&tryMask
}

// Check reports whether seq is a sequence number this cookie made for the
// probe, and for which attempt.
func (c Cookie) Check(local, remote netip.Addr, localPort, remotePort uint16, seq uint32) (try int, ok bool) {
	want := uint32(c.Sum(local, remote, localPort, remotePort))
	return int(seq & tryMask), (seq^want)&^tryMask == 0
}
