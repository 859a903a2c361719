package cli

import "strings"

// nmapAlias maps nmap's multi-letter single-dash flags, which pflag cannot
// express, to portwatch's long flags, so that muscle memory keeps working.
func nmapAlias(arg string) ([]string, bool) {
	switch arg {
	case "-iL":
		return []string{"--input-list"}, true
	case "-sT":
		return []string{"--connect"}, true
	case "-sS":
		return []string{"--syn"}, true
	case "-sU":
		return []string{"--udp"}, true
	case "-Pn":
		return []string{"--Pn"}, true
	case "-sV":
		return []string{"--sV"}, true
	case "-T0", "-T1", "-T2":
		return []string{"--timing", "polite"}, true
	case "-T3":
		return []string{"--timing", "normal"}, true
	case "-T4":
		return []string{"--timing", "aggressive"}, true
	case "-T5":
		return []string{"--timing", "insane"}, true
	case "-oX":
		return []string{"--output", "xml", "--output-file"}, true
	case "-oN":
		return []string{"--output", "table", "--output-file"}, true
	case "-oJ":
		return []string{"--output", "json", "--output-file"}, true
	}
	return nil, false
}

// normalizeArgs rewrites nmap-style flags before "--"; everything after a
// bare "--" is left alone.
func normalizeArgs(args []string) []string {
	out := make([]string, 0, len(args))
	for i, a := range args {
		if a == "--" {
			return append(out, args[i:]...)
		}
		if rep, ok := nmapAlias(a); ok {
			out = append(out, rep...)
			continue
		}
		if strings.HasPrefix(a, "-iL") && len(a) > 3 { // -iLfile
			out = append(out, "--input-list", a[3:])
			continue
		}
		out = append(out, a)
	}
	return out
}
