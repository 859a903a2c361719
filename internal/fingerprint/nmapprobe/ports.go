package nmapprobe

import (
	"fmt"
	"strconv"
	"strings"
)

// portRange is an inclusive range of ports.
type portRange struct{ lo, hi uint16 }

// portList is a list of ports and ranges as written in the file.
type portList []portRange

// parsePortList parses "1,7,9-11" (an empty string is an empty list).
func parsePortList(s string) (portList, error) {
	var pl portList
	for _, item := range strings.Split(s, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		lo, hi, isRange := strings.Cut(item, "-")
		a, err := parsePort(lo)
		if err != nil {
			return nil, err
		}
		b := a
		if isRange {
			if b, err = parsePort(hi); err != nil {
				return nil, err
			}
		}
		if b < a {
			return nil, fmt.Errorf("port range %q is reversed", item)
		}
		pl = append(pl, portRange{a, b})
	}
	return pl, nil
}

func parsePort(s string) (uint16, error) {
	n, err := strconv.ParseUint(strings.TrimSpace(s), 10, 16)
	if err != nil {
		return 0, fmt.Errorf("bad port %q", s)
	}
	return uint16(n), nil
}

// has reports whether port is in the list.
func (pl portList) has(port uint16) bool {
	for _, r := range pl {
		if port >= r.lo && port <= r.hi {
			return true
		}
	}
	return false
}
