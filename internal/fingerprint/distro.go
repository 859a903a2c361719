package fingerprint

import "strings"

// maxDistroInput bounds the text ParseDistro looks at; banners and version
// strings are short, and a hostile peer must not make parsing expensive.
const maxDistroInput = 4096

// ParseDistro recognises the operating-system package a banner or version
// string reveals, e.g. "OpenSSH_9.2p1 Debian-2+deb12u10" (debian, release
// 12, revision "2+deb12u10"), "8.0.36-0ubuntu0.22.04.1" (ubuntu 22.04),
// "1.el9_3" (rhel 9), "1.fc39" (fedora 39), "Apache/2.4.57 (Debian)" or
// "OpenSSH_9.4 FreeBSD-20230316". It returns nil when nothing is recognised.
//
// Package revision markers (+debNNuN, ~bpoNN, NubuntuN, .elN, .fcN,
// .amznN, -r0) are trusted first; a distribution name counts only where
// servers put it: first in parentheses, or hyphen-joined to a version or
// revision ("Debian-5", "4.17.12-Debian"), so that a host named "debian"
// is not taken for the distribution.
func ParseDistro(s string) *Distro {
	if len(s) > maxDistroInput {
		s = s[:maxDistroInput]
	}
	var marked *Distro // from a revision marker
	var named *Distro  // from a distribution name
	for _, tok := range distroTokens(s) {
		segs := strings.Split(tok, "-")
		for i, seg := range segs {
			if marked == nil {
				marked = revisionMarker(seg)
			}
			if named != nil {
				continue
			}
			name := distroWord(seg)
			if name == "" {
				continue
			}
			switch {
			case i+1 < len(segs) && startsWithDigit(segs[i+1]):
				named = &Distro{Name: name, Revision: segs[i+1]}
			case i > 0 && startsWithDigit(segs[i-1]):
				named = &Distro{Name: name}
			}
		}
		if marked == nil {
			marked = alpineRevision(segs)
		}
	}
	if named == nil {
		if name := parenthesisedDistro(s); name != "" {
			named = &Distro{Name: name}
		}
	}
	return mergeDistro(marked, named)
}

// mergeDistro combines what a revision marker and a distribution name
// said. The marker wins, but a name refines it within one family
// (Raspbian builds carry Debian markers, CentOS and Rocky carry .elN).
func mergeDistro(marked, named *Distro) *Distro {
	switch {
	case marked == nil:
		return named
	case named == nil:
		return marked
	}
	switch {
	case marked.Name == "debian" && named.Name == "raspbian",
		marked.Name == "rhel" && rhelFamily(named.Name),
		marked.Name == "alpine" && named.Name == "alpine":
		marked.Name = named.Name
	}
	return marked
}

// rhelFamily reports whether name is a rebuild of Red Hat Enterprise Linux
// sharing its .elN package suffix.
func rhelFamily(name string) bool {
	switch name {
	case "rhel", "centos", "rocky", "almalinux", "oracle":
		return true
	}
	return false
}

// distroTokens splits s into runs of the characters package versions are
// made of; hyphens stay inside a token so that "Debian-2+deb12u10" is one.
func distroTokens(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9':
			return false
		case r == '.', r == '+', r == '~', r == '_', r == ':', r == '-':
			return false
		}
		return true
	})
}

// distroWord maps a distribution name as servers print it to Distro.Name.
func distroWord(w string) string {
	switch strings.ToLower(w) {
	case "debian":
		return "debian"
	case "ubuntu":
		return "ubuntu"
	case "raspbian":
		return "raspbian"
	case "rhel":
		return "rhel"
	case "centos":
		return "centos"
	case "rocky":
		return "rocky"
	case "almalinux":
		return "almalinux"
	case "fedora":
		return "fedora"
	case "amazon", "amzn":
		return "amzn"
	case "alpine":
		return "alpine"
	case "gentoo":
		return "gentoo"
	case "freebsd":
		return "freebsd"
	case "netbsd":
		return "netbsd"
	case "openbsd":
		return "openbsd"
	}
	return ""
}

// parenthesisedDistro finds a distribution named first inside
// parentheses, as Apache, nginx, Postfix and PostgreSQL print it:
// "(Debian)", "(Ubuntu)", "(Red Hat Enterprise Linux)", "(Debian/GNU)",
// "(Debian 15.5-0+deb12u1)".
func parenthesisedDistro(s string) string {
	for {
		i := strings.IndexByte(s, '(')
		if i < 0 {
			return ""
		}
		s = s[i+1:]
		inner := strings.ToLower(strings.TrimSpace(s))
		if strings.HasPrefix(inner, "red hat") || strings.HasPrefix(inner, "redhat") {
			return "rhel"
		}
		end := strings.IndexFunc(inner, func(r rune) bool { return !(r >= 'a' && r <= 'z') })
		if end < 0 {
			end = len(inner)
		}
		if name := distroWord(inner[:end]); name != "" {
			return name
		}
	}
}

// revisionMarker recognises a package revision carrying a distribution
// marker; the revision is the whole hyphen-separated segment.
func revisionMarker(seg string) *Distro {
	if seg == "" || len(seg) > 128 {
		return nil
	}
	if rel, ok := debianRelease(seg); ok {
		return &Distro{Name: "debian", Release: rel, Revision: seg}
	}
	if rel, ok := ubuntuRelease(seg); ok {
		return &Distro{Name: "ubuntu", Release: rel, Revision: seg}
	}
	if rel, ok := dottedMarker(seg, "el", 1, 2); ok {
		return &Distro{Name: "rhel", Release: rel, Revision: seg}
	}
	if rel, ok := dottedMarker(seg, "fc", 2, 2); ok {
		return &Distro{Name: "fedora", Release: rel, Revision: seg}
	}
	if rel, ok := dottedMarker(seg, "amzn", 1, 4); ok {
		return &Distro{Name: "amzn", Release: rel, Revision: seg}
	}
	return nil
}

// debianRelease finds "+debNNuN"/"~debNNuN" (stable and security updates)
// or "~bpoNN" (backports) and returns the Debian release number.
func debianRelease(seg string) (string, bool) {
	for i := 0; i+4 < len(seg); i++ {
		if seg[i] != '+' && seg[i] != '~' {
			continue
		}
		rest := seg[i+1:]
		switch {
		case strings.HasPrefix(rest, "deb"):
			n := leadingDigits(rest[3:])
			if n == "" || len(n) > 2 {
				continue
			}
			after := rest[3+len(n):]
			if len(after) >= 2 && after[0] == 'u' && isDigit(after[1]) {
				return strings.TrimLeft(n, "0"), true
			}
		case strings.HasPrefix(rest, "bpo"):
			n := leadingDigits(rest[3:])
			switch {
			case len(n) == 1:
				return n, true
			case len(n) == 2 && n[1] == '0' && n[0] >= '4' && n[0] <= '7':
				// Backports of Debian 4.0-7 were written bpo40..bpo70.
				return n[:1], true
			case len(n) == 2:
				return n, true
			}
		}
	}
	return "", false
}

// ubuntuRelease finds "NubuntuN" and, for stable-release updates and
// security rebuilds ("0ubuntu0.22.04.1", "1ubuntu1~22.04.1"), the release.
func ubuntuRelease(seg string) (string, bool) {
	i := strings.Index(seg, "ubuntu")
	if i <= 0 || !isDigit(seg[i-1]) {
		return "", false
	}
	rest := seg[i+len("ubuntu"):]
	if strings.HasPrefix(rest, "0.") {
		if rel, ok := ubuntuVersion(rest[2:]); ok {
			return rel, true
		}
	}
	if j := strings.IndexByte(rest, '~'); j >= 0 {
		if rel, ok := ubuntuVersion(rest[j+1:]); ok {
			return rel, true
		}
	}
	return "", true
}

// ubuntuVersion reads a leading Ubuntu release "YY.04" or "YY.10" that is
// followed by the end or a separator.
func ubuntuVersion(s string) (string, bool) {
	if len(s) < 5 || !isDigit(s[0]) || !isDigit(s[1]) || s[2] != '.' {
		return "", false
	}
	if s[0] < '1' || (s[0] == '1' && s[1] < '4') {
		return "", false // Ubuntu releases numbered like this start at 14.04
	}
	if s[3:5] != "04" && s[3:5] != "10" {
		return "", false
	}
	if len(s) > 5 && !strings.ContainsRune(".+~", rune(s[5])) {
		return "", false
	}
	return s[:5], true
}

// dottedMarker finds a release marker such as ".el9", ".el9_3",
// "+el8.9.0", ".fc39" or ".amzn2023": a prefix after '.' or '+' (or at the
// start of the segment), min..max digits, then the end or '.', '_', '+'.
func dottedMarker(seg, prefix string, minDigits, maxDigits int) (string, bool) {
	for i := 0; i < len(seg); i++ {
		if i > 0 && seg[i-1] != '.' && seg[i-1] != '+' {
			continue
		}
		if !strings.HasPrefix(seg[i:], prefix) {
			continue
		}
		n := leadingDigits(seg[i+len(prefix):])
		if len(n) < minDigits || len(n) > maxDigits {
			continue
		}
		end := i + len(prefix) + len(n)
		if end < len(seg) && !strings.ContainsRune("._+", rune(seg[end])) {
			continue
		}
		if i == 0 && end < len(seg) {
			continue // a bare "el8" must be the whole segment
		}
		return n, true
	}
	return "", false
}

// alpineRevision recognises apk's "<version>-r0" at the end of a token.
// Gentoo writes "-rN" too, but never "-r0", so only that is unambiguous;
// a later "alpine" word can confirm the rest through mergeDistro.
func alpineRevision(segs []string) *Distro {
	if len(segs) < 2 {
		return nil
	}
	last, prev := segs[len(segs)-1], segs[len(segs)-2]
	if last != "r0" || !versionLike(prev) {
		return nil
	}
	return &Distro{Name: "alpine", Revision: last}
}

// versionLike reports whether s looks like an upstream version: a digit
// first, at least one dot, and only version characters.
func versionLike(s string) bool {
	if !startsWithDigit(s) || !strings.Contains(s, ".") {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !isDigit(c) && !(c >= 'a' && c <= 'z') && c != '.' && c != '_' {
			return false
		}
	}
	return true
}

func startsWithDigit(s string) bool { return s != "" && isDigit(s[0]) }

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// leadingDigits returns the run of ASCII digits at the start of s.
func leadingDigits(s string) string {
	i := 0
	for i < len(s) && isDigit(s[i]) {
		i++
	}
	return s[:i]
}
