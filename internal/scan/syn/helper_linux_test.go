package syn

import (
	"context"
	"encoding/json"
	"fmt"
	"net/netip"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/portwatch/portwatch/internal/rawnet"
	"github.com/portwatch/portwatch/internal/scan"
)

// The capability test runs a copy of this test binary as a helper: with
// PORTWATCH_SYN_HELPER=ADDR:PORT,PORT... set, TestMain only checks the raw
// socket privilege, SYN-scans those ports if it has it, prints a
// helperReport as JSON and exits.
const helperEnv = "PORTWATCH_SYN_HELPER"

type helperReport struct {
	UID    int               `json:"uid"`
	CanRaw bool              `json:"can_raw"`
	Reason string            `json:"reason"`
	Ports  map[string]string `json:"ports"` // port -> state/reason
	Error  string            `json:"error,omitempty"`
}

func helperMode() bool { return os.Getenv(helperEnv) != "" }

func runHelper() int {
	rep := helperReport{UID: os.Getuid(), Ports: map[string]string{}}
	rep.CanRaw, rep.Reason = rawnet.CanRaw()
	if rep.CanRaw {
		if err := helperScan(os.Getenv(helperEnv), &rep); err != nil {
			rep.Error = err.Error()
		}
	}
	if err := json.NewEncoder(os.Stdout).Encode(rep); err != nil {
		return 1
	}
	return 0
}

func helperScan(spec string, rep *helperReport) error {
	addr, list, ok := strings.Cut(spec, ":")
	if !ok {
		return fmt.Errorf("bad helper spec %q", spec)
	}
	a, err := netip.ParseAddr(addr)
	if err != nil {
		return err
	}
	var ports []uint16
	for _, p := range strings.Split(list, ",") {
		n, err := strconv.Atoi(p)
		if err != nil {
			return err
		}
		ports = append(ports, uint16(n))
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	events, err := (&Scanner{}).Scan(ctx, scan.Job{Targets: scan.AddrList{a}, Ports: ports})
	if err != nil {
		return err
	}
	for ev := range events {
		if ev.Kind == scan.PortEvent {
			rep.Ports[strconv.Itoa(int(ev.Port.Port))] = string(ev.Port.State) + "/" + string(ev.Port.Reason)
		}
	}
	return nil
}
