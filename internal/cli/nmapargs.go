package cli

import "strings"

// nmapAliases maps nmap's multi-letter single-dash flags, which pflag cannot
// express, to portwatch's long flags, so that muscle memory keeps working.
var nmapAliases = map[string][]string{
	"-iL": {"--input-list"},
	"-sT": {"--connect"},
	"-Pn": {"--Pn"},
	"-T0": {"--timing", "polite"},
	"-T1": {"--timing", "polite"},
	"-T2": {"--timing", "polite"},
	"-T3": {"--timing", "normal"},
	"-T4": {"--timing", "aggressive"},
	"-T5": {"--timing", "insane"},
	"-oX": {"--output", "xml", "--output-file"},
	"-oN": {"--output", "table", "--output-file"},
	"-oJ": {"--output", "json", "--output-file"},
}

// normalizeArgs rewrites nmap-style flags before "--"; everything after a
// bare "--" is left alone.
func normalizeArgs(args []string) []string {
	out := make([]string, 0, len(args))
	for i, a := range args {
		if a == "--" {
			return append(out, args[i:]...)
		}
		if rep, ok := nmapAliases[a]; ok {
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
