package rawnet

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// capNetRaw is the bit of CAP_NET_RAW in the capability sets.
const capNetRaw = 13

// CanRaw reports whether this process may scan with raw sockets, by opening
// (and closing) the sockets a SYN scan needs. reason says why it may ("root",
// "CAP_NET_RAW") or why not, with what to do about it.
func CanRaw() (ok bool, reason string) {
	var errs []error
	for _, s := range []struct {
		name           string
		family, typ, p int
	}{
		{"raw IPv4", unix.AF_INET, unix.SOCK_RAW, unix.IPPROTO_RAW},
		{"packet", unix.AF_PACKET, unix.SOCK_DGRAM, 0},
	} {
		fd, err := unix.Socket(s.family, s.typ|unix.SOCK_CLOEXEC, s.p)
		if err != nil {
			errs = append(errs, fmt.Errorf("open %s socket: %w", s.name, err))
			continue
		}
		unix.Close(fd)
	}
	hasCap, capErr := effectiveNetRaw()
	if len(errs) == 0 {
		switch {
		case os.Geteuid() == 0:
			return true, "running as root"
		case hasCap:
			return true, "has CAP_NET_RAW"
		}
		return true, "raw sockets open"
	}
	err := errors.Join(errs...)
	why := "no CAP_NET_RAW"
	switch {
	case capErr != nil:
		why = "capabilities unknown (" + capErr.Error() + ")"
	case hasCap:
		why = "has CAP_NET_RAW but raw sockets are refused (seccomp, LSM or user namespace)"
	}
	return false, fmt.Sprintf("raw sockets need root or CAP_NET_RAW (sudo setcap cap_net_raw+ep %s): %s: %v",
		executable(), why, flatten(err))
}

func executable() string {
	if p, err := os.Executable(); err == nil {
		return p
	}
	return "BINARY"
}

func flatten(err error) string {
	return strings.ReplaceAll(err.Error(), "\n", "; ")
}

// effectiveNetRaw reads CAP_NET_RAW from the effective capability set in
// /proc/self/status.
func effectiveNetRaw() (bool, error) {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return false, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		v, ok := strings.CutPrefix(sc.Text(), "CapEff:")
		if !ok {
			continue
		}
		caps, err := strconv.ParseUint(strings.TrimSpace(v), 16, 64)
		if err != nil {
			return false, fmt.Errorf("parse CapEff: %w", err)
		}
		return caps&(1<<capNetRaw) != 0, nil
	}
	if err := sc.Err(); err != nil {
		return false, err
	}
	return false, errors.New("no CapEff in /proc/self/status")
}
