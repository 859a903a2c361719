package config

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Day is the length of the "d" unit accepted in durations ("7d").
const Day = 24 * time.Hour

// parseDuration parses a Go duration ("10s", "1h30m") or a whole number of
// days ("7d", "400d"), which Go's syntax lacks and retention needs.
func parseDuration(s string) (time.Duration, error) {
	if n, ok := strings.CutSuffix(s, "d"); ok {
		days, err := strconv.Atoi(n)
		if err != nil || days < 0 || days > 100000 {
			return 0, fmt.Errorf("invalid duration %q", s)
		}
		return time.Duration(days) * Day, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("invalid duration %q", s)
	}
	return d, nil
}
