package scan

import (
	"fmt"

	"golang.org/x/sys/unix"
)

// fdReserve is kept free for the rest of the process (output files, DNS,
// the terminal) when the concurrency is sized from the file limit.
const fdReserve = 256

// maxAutoConcurrency caps the automatic sizing: beyond it the two cores
// spend more time scheduling than probing.
const maxAutoConcurrency = 8192

// RaiseFileLimit lifts the soft open-file limit to the hard limit and
// returns the new soft limit.
func RaiseFileLimit() (uint64, error) {
	var lim unix.Rlimit
	if err := unix.Getrlimit(unix.RLIMIT_NOFILE, &lim); err != nil {
		return 0, fmt.Errorf("getrlimit nofile: %w", err)
	}
	if lim.Cur < lim.Max {
		lim.Cur = lim.Max
		if err := unix.Setrlimit(unix.RLIMIT_NOFILE, &lim); err != nil {
			return 0, fmt.Errorf("setrlimit nofile %d: %w", lim.Max, err)
		}
	}
	return lim.Cur, nil
}

// ConcurrencyForFileLimit sizes the number of simultaneous connects from an
// open-file limit.
func ConcurrencyForFileLimit(limit uint64) int {
	if limit <= 2*fdReserve {
		return max(1, int(limit/2))
	}
	return int(min(limit-fdReserve, maxAutoConcurrency))
}
