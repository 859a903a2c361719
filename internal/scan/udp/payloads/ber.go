package payloads

import (
	"strconv"
	"strings"
)

// Minimal BER (X.690) for SNMP and CLDAP: definite lengths and one-byte
// tags, which is all either protocol uses.

// BER tags used here.
const (
	tagBoolean     = 0x01
	tagInteger     = 0x02
	tagOctetString = 0x04
	tagNull        = 0x05
	tagOID         = 0x06
	tagEnumerated  = 0x0a
	tagSequence    = 0x30
	tagSet         = 0x31
)

// tlv encodes one element whose content is the concatenation of parts.
func tlv(tag byte, parts ...[]byte) []byte {
	n := 0
	for _, p := range parts {
		n += len(p)
	}
	out := append([]byte{tag}, berLength(n)...)
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

func berLength(n int) []byte {
	if n < 0x80 {
		return []byte{byte(n)}
	}
	var b []byte
	for v := n; v > 0; v >>= 8 {
		b = append([]byte{byte(v)}, b...)
	}
	return append([]byte{0x80 | byte(len(b))}, b...)
}

// berInt encodes a non-negative integer (two's complement, minimal).
func berInt(tag byte, v uint64) []byte {
	b := []byte{byte(v)}
	for v >>= 8; v > 0; v >>= 8 {
		b = append([]byte{byte(v)}, b...)
	}
	if b[0]&0x80 != 0 {
		b = append([]byte{0}, b...)
	}
	return tlv(tag, b)
}

// berOID encodes a dotted object identifier given as numbers.
func berOID(arcs ...uint32) []byte {
	b := []byte{byte(arcs[0]*40 + arcs[1])}
	for _, a := range arcs[2:] {
		var enc []byte
		enc = append(enc, byte(a&0x7f))
		for a >>= 7; a > 0; a >>= 7 {
			enc = append([]byte{byte(a&0x7f) | 0x80}, enc...)
		}
		b = append(b, enc...)
	}
	return tlv(tagOID, b)
}

// berReader walks a sequence of BER elements.
type berReader struct{ b []byte }

// next returns the next element's tag and content; ok is false at the end
// or on malformed input.
func (r *berReader) next() (tag byte, content []byte, ok bool) {
	if len(r.b) < 2 {
		return 0, nil, false
	}
	tag = r.b[0]
	if tag&0x1f == 0x1f { // multi-byte tags: not used by SNMP or LDAP
		return 0, nil, false
	}
	n, hdr := int(r.b[1]), 2
	if n&0x80 != 0 {
		k := n & 0x7f
		if k == 0 || k > 3 || len(r.b) < 2+k {
			return 0, nil, false // indefinite or absurd lengths
		}
		n = 0
		for _, c := range r.b[2 : 2+k] {
			n = n<<8 | int(c)
		}
		hdr += k
	}
	if n > len(r.b)-hdr {
		return 0, nil, false
	}
	content = r.b[hdr : hdr+n]
	r.b = r.b[hdr+n:]
	return tag, content, true
}

// expect returns the next element's content if its tag is want.
func (r *berReader) expect(want byte) ([]byte, bool) {
	tag, c, ok := r.next()
	if !ok || tag != want {
		return nil, false
	}
	return c, true
}

// berUint parses a non-negative integer of at most 8 content bytes.
func berUint(c []byte) (uint64, bool) {
	if len(c) == 0 || len(c) > 9 || c[0]&0x80 != 0 || (len(c) == 9 && c[0] != 0) {
		return 0, false
	}
	var v uint64
	for _, b := range c {
		v = v<<8 | uint64(b)
	}
	return v, true
}

// berOIDString renders an OID's content in dotted form.
func berOIDString(c []byte) (string, bool) {
	if len(c) == 0 || c[len(c)-1]&0x80 != 0 {
		return "", false
	}
	var arcs []string
	var v uint64
	first := true
	for _, b := range c {
		if v > 1<<50 {
			return "", false
		}
		v = v<<7 | uint64(b&0x7f)
		if b&0x80 != 0 {
			continue
		}
		if first {
			x := min(v/40, 2)
			arcs = append(arcs, strconv.FormatUint(x, 10), strconv.FormatUint(v-40*x, 10))
			first = false
		} else {
			arcs = append(arcs, strconv.FormatUint(v, 10))
		}
		v = 0
	}
	return strings.Join(arcs, "."), true
}
