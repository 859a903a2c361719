package textproto

import (
	"fmt"
	"io"

	"github.com/portwatch/portwatch/internal/fingerprint"
)

// der encodes one TLV with a definite length (DER, and so valid BER),
// for contents up to 64 KiB.
func der(tag byte, content []byte) []byte {
	n := len(content)
	out := []byte{tag}
	switch {
	case n < 0x80:
		out = append(out, byte(n))
	case n < 0x100:
		out = append(out, 0x81, byte(n))
	default:
		out = append(out, 0x82, byte(n>>8), byte(n))
	}
	return append(out, content...)
}

// berTLV is one decoded element: a single-byte tag (all LDAP needs) and
// its content.
type berTLV struct {
	tag     byte
	content []byte
}

// berNext decodes the element at the start of b and returns the rest.
func berNext(b []byte) (berTLV, []byte, error) {
	if len(b) < 2 {
		return berTLV{}, nil, fmt.Errorf("BER element truncated")
	}
	tag, n, hdr := b[0], int(b[1]), 2
	if tag&0x1f == 0x1f {
		return berTLV{}, nil, fmt.Errorf("BER multi-byte tag unsupported")
	}
	if n&0x80 != 0 {
		k := n & 0x7f
		if k == 0 || k > 3 || len(b) < 2+k {
			return berTLV{}, nil, fmt.Errorf("BER length form %#x unsupported", n)
		}
		n = 0
		for _, c := range b[2 : 2+k] {
			n = n<<8 | int(c)
		}
		hdr += k
	}
	if len(b)-hdr < n {
		return berTLV{}, nil, fmt.Errorf("BER element truncated")
	}
	return berTLV{tag: tag, content: b[hdr : hdr+n]}, b[hdr+n:], nil
}

// berChildren decodes all elements of a constructed element's content.
func berChildren(b []byte) ([]berTLV, error) {
	var out []berTLV
	for len(b) > 0 {
		e, rest, err := berNext(b)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
		b = rest
	}
	return out, nil
}

// readBER reads one whole element whose outer tag must be want, bounded
// by fingerprint.MaxRead.
func readBER(r io.Reader, want byte) ([]byte, error) {
	hdr := make([]byte, 2, 6)
	if _, err := io.ReadFull(r, hdr); err != nil {
		return nil, fmt.Errorf("read: %w", err)
	}
	if hdr[0] != want {
		return nil, fmt.Errorf("tag %#x, not %#x: %w", hdr[0], want, fingerprint.ErrNoMatch)
	}
	n := int(hdr[1])
	if n&0x80 != 0 {
		k := n & 0x7f
		if k == 0 || k > 3 {
			return nil, fmt.Errorf("length form %#x: %w", n, fingerprint.ErrNoMatch)
		}
		ext := make([]byte, k)
		if _, err := io.ReadFull(r, ext); err != nil {
			return nil, fmt.Errorf("read: %w", err)
		}
		hdr = append(hdr, ext...)
		n = 0
		for _, c := range ext {
			n = n<<8 | int(c)
		}
	}
	if n > fingerprint.MaxRead {
		return nil, fmt.Errorf("element of %d bytes exceeds %d", n, fingerprint.MaxRead)
	}
	msg := make([]byte, len(hdr)+n)
	copy(msg, hdr)
	if _, err := io.ReadFull(r, msg[len(hdr):]); err != nil {
		return nil, fmt.Errorf("read: %w", err)
	}
	return msg, nil
}
