package rawnet

import (
	"encoding/binary"
	"net/netip"
)

// sum16 adds b as big-endian 16-bit words to acc (RFC 1071), padding an odd
// trailing byte with zero.
func sum16(acc uint32, b []byte) uint32 {
	for ; len(b) >= 2; b = b[2:] {
		acc += uint32(binary.BigEndian.Uint16(b))
	}
	if len(b) == 1 {
		acc += uint32(b[0]) << 8
	}
	return acc
}

// fold finishes an Internet checksum: carries folded in, ones' complement.
func fold(acc uint32) uint16 {
	for acc>>16 != 0 {
		acc = acc&0xffff + acc>>16
	}
	return ^uint16(acc)
}

// pseudoHeaderSum is the partial sum of the IPv4 or IPv6 pseudo-header that
// TCP, UDP and ICMPv6 checksums cover.
func pseudoHeaderSum(src, dst netip.Addr, proto uint8, length int) uint32 {
	var acc uint32
	if src.Is4() {
		s, d := src.As4(), dst.As4()
		acc = sum16(acc, s[:])
		acc = sum16(acc, d[:])
	} else {
		s, d := src.As16(), dst.As16()
		acc = sum16(acc, s[:])
		acc = sum16(acc, d[:])
	}
	return acc + uint32(proto) + uint32(length)
}
