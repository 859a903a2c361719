package payloads

import (
	"encoding/binary"
	"math/rand/v2"
)

// randBytes returns n bytes from src.
func randBytes(src rand.Source, n int) []byte {
	b := make([]byte, (n+7)/8*8)
	for i := 0; i < len(b); i += 8 {
		binary.BigEndian.PutUint64(b[i:], src.Uint64())
	}
	return b[:n]
}

// randID returns a non-zero identifier below limit (limit > 1).
func randID(src rand.Source, limit uint64) uint64 {
	return 1 + src.Uint64()%(limit-1)
}
