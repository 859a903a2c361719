package cli

import (
	"context"
	"net/netip"

	"github.com/portwatch/portwatch/internal/fingerprint/engine"
	"github.com/portwatch/portwatch/internal/scan"
)

// collect drains the scan's events into col. With an identification engine,
// every open TCP port is handed to it as soon as it is found, and the
// services it identifies are added as they come; identification runs while
// the sweep goes on. names supplies the hostname the user gave (SNI, Host).
func collect(ctx context.Context, events <-chan scan.Event, col *scan.Collector, eng *engine.Engine, names func(netip.Addr) []string) {
	eng.Stream(ctx, events, names, col.Add)
}
