package dbproto

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
)

// This file holds the little BSON MongoDB's handshake needs: building a
// command document of int32 and string fields, and reading the scalar
// fields of a reply. Nested documents and arrays come back as raw BSON.

// bsonField is one element of a command document: an int32 or a string.
type bsonField struct {
	key   string
	value any // int32 or string
}

// bsonDoc encodes fields in order.
func bsonDoc(fields ...bsonField) []byte {
	var body []byte
	for _, f := range fields {
		switch v := f.value.(type) {
		case int32:
			body = append(append(append(body, 0x10), f.key...), 0)
			body = binary.LittleEndian.AppendUint32(body, uint32(v))
		case string:
			body = append(append(append(body, 0x02), f.key...), 0)
			body = binary.LittleEndian.AppendUint32(body, uint32(len(v)+1))
			body = append(append(body, v...), 0)
		}
	}
	doc := binary.LittleEndian.AppendUint32(nil, uint32(len(body)+5))
	return append(append(doc, body...), 0)
}

// bsonRaw is a nested document or array left undecoded.
type bsonRaw []byte

// errBSON reports a malformed document.
var errBSON = errors.New("malformed BSON")

// bsonDecode reads a document's top-level elements: strings, numbers
// (as float64 or int64), booleans, and raw nested documents and arrays.
// Other types are skipped. It returns the document's length in b.
func bsonDecode(b []byte) (map[string]any, int, error) {
	if len(b) < 5 {
		return nil, 0, errBSON
	}
	n := int(binary.LittleEndian.Uint32(b))
	if n < 5 || n > len(b) || b[n-1] != 0 {
		return nil, 0, errBSON
	}
	out := map[string]any{}
	p := b[4 : n-1]
	for len(p) > 0 {
		typ := p[0]
		end := bytes.IndexByte(p[1:], 0)
		if end < 0 {
			return nil, 0, errBSON
		}
		key := string(p[1 : 1+end])
		p = p[end+2:]
		size, value, err := bsonValue(typ, p)
		if err != nil {
			return nil, 0, fmt.Errorf("field %q: %w", key, err)
		}
		if value != nil {
			out[key] = value
		}
		p = p[size:]
	}
	return out, n, nil
}

// bsonValue decodes one value of type typ at the start of p and returns
// its encoded size; value is nil for types this package ignores.
func bsonValue(typ byte, p []byte) (size int, value any, err error) {
	need := func(n int) error {
		if n < 0 || n > len(p) {
			return errBSON
		}
		return nil
	}
	lenPrefixed := func(extra int) (int, error) {
		if err := need(4); err != nil {
			return 0, err
		}
		n := int(int32(binary.LittleEndian.Uint32(p))) + extra
		return n, need(n)
	}
	switch typ {
	case 0x01: // double
		if err := need(8); err != nil {
			return 0, nil, err
		}
		return 8, math.Float64frombits(binary.LittleEndian.Uint64(p)), nil
	case 0x02, 0x0D, 0x0E: // string, JavaScript, symbol
		n, err := lenPrefixed(4)
		if err != nil || n < 5 {
			return 0, nil, errBSON
		}
		return n, string(p[4 : n-1]), nil
	case 0x03, 0x04: // document, array
		n, err := lenPrefixed(0)
		if err != nil || n < 5 {
			return 0, nil, errBSON
		}
		return n, bsonRaw(p[:n]), nil
	case 0x05: // binary: length, subtype, data
		n, err := lenPrefixed(5)
		return n, nil, err
	case 0x06, 0x0A, 0x7F, 0xFF: // undefined, null, max key, min key
		return 0, nil, nil
	case 0x07: // ObjectId
		return 12, nil, need(12)
	case 0x08: // boolean
		if err := need(1); err != nil {
			return 0, nil, err
		}
		return 1, p[0] != 0, nil
	case 0x09, 0x11: // UTC datetime, timestamp
		return 8, nil, need(8)
	case 0x0B: // regular expression: two C strings
		a := bytes.IndexByte(p, 0)
		if a < 0 {
			return 0, nil, errBSON
		}
		c := bytes.IndexByte(p[a+1:], 0)
		if c < 0 {
			return 0, nil, errBSON
		}
		return a + c + 2, nil, nil
	case 0x0C: // DBPointer: string, ObjectId
		n, err := lenPrefixed(4 + 12)
		return n, nil, err
	case 0x0F: // code with scope: total length first
		n, err := lenPrefixed(0)
		return n, nil, err
	case 0x10: // int32
		if err := need(4); err != nil {
			return 0, nil, err
		}
		return 4, int64(int32(binary.LittleEndian.Uint32(p))), nil
	case 0x12: // int64
		if err := need(8); err != nil {
			return 0, nil, err
		}
		return 8, int64(binary.LittleEndian.Uint64(p)), nil
	case 0x13: // decimal128
		return 16, nil, need(16)
	}
	return 0, nil, fmt.Errorf("%w: unknown type 0x%02x", errBSON, typ)
}

// bsonNumber reads a numeric field whatever its BSON type.
func bsonNumber(doc map[string]any, key string) (float64, bool) {
	switch v := doc[key].(type) {
	case float64:
		return v, true
	case int64:
		return float64(v), true
	case bool:
		if v {
			return 1, true
		}
		return 0, true
	}
	return 0, false
}

// bsonStrings reads the string elements of a raw array.
func bsonStrings(raw bsonRaw) []string {
	doc, _, err := bsonDecode(raw)
	if err != nil {
		return nil
	}
	var out []string
	for i := 0; ; i++ {
		v, ok := doc[fmt.Sprint(i)]
		if !ok {
			return out
		}
		if s, ok := v.(string); ok {
			out = append(out, s)
		}
	}
}
