// Package target turns what the user typed into the things portwatch scans:
// targets (addresses, hostnames, CIDR blocks and ranges, with nmap's syntax)
// into a compact Set of merged address ranges, port specifications ("22,80",
// "T:1-1024,U:53", "-") into sorted port lists, and "--top-ports N" into the
// N most common ports from portwatch's own ranking (see docs/top-ports.md).
//
// A Set never holds one entry per address: a /8, or an IPv6 /80 minus a few
// exclusions, costs memory in proportion to the number of ranges only.
// Permutation visits the indexes of a Set (or of anything countable) in a
// pseudo-random order in constant memory, so a scan does not hit a network
// one address after the next.
//
// Only hostnames need I/O; they are resolved through the Resolver in Options,
// bounded by the context given to Parse.
package target
