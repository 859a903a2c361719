package fingerprint

import "strings"

// CPE formats a CPE 2.3 name for an application (part "a"), operating
// system ("o") or hardware ("h"). Empty fields become "*". Values are
// lower-cased and the characters CPE 2.3 reserves are escaped, e.g.
// CPE("a", "openbsd", "openssh", "9.2p1") is
// "cpe:2.3:a:openbsd:openssh:9.2p1:*:*:*:*:*:*:*".
func CPE(part, vendor, product, version string) string {
	f := []string{"cpe", "2.3", part, cpeValue(vendor), cpeValue(product), cpeValue(version), "*", "*", "*", "*", "*", "*", "*"}
	return strings.Join(f, ":")
}

// cpeValue escapes one attribute of a formatted-string CPE name.
func cpeValue(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	if s == "" {
		return "*"
	}
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == ' ':
			b.WriteByte('_')
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '_', r == '.', r == '-':
			b.WriteRune(r)
		case r < 0x80:
			b.WriteByte('\\')
			b.WriteRune(r)
		default:
			// CPE 2.3 formatted strings are ASCII; drop anything else.
		}
	}
	return b.String()
}
