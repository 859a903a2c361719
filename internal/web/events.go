package web

import (
	"encoding/json"
	"fmt"
	"net/http"
	"time"
)

// eventState is what /events compares between polls: a change in any of
// these is an event.
type eventState struct {
	// Changes counts changes committed to the store (the pages read them
	// from there; a change only handed to the writer is not on a page yet).
	Changes      int64  `json:"changes"`
	OpenFindings int64  `json:"open_findings"`
	Endpoints    int    `json:"endpoints"`
	Scans        int    `json:"running_scans"`
	Writes       uint64 `json:"writes"`
}

func (h *handler) eventState() eventState {
	st := h.opts.Daemon.Stats()
	return eventState{Changes: st.Writer.Changes, OpenFindings: st.OpenFindings, Endpoints: st.Endpoints,
		Scans: len(h.opts.Daemon.RunningScans()), Writes: h.writes.Load()}
}

// events streams server-sent events: "update" whenever the daemon's
// counters move (polled every EventPoll), a comment every EventHeartbeat
// so proxies keep the connection, until the client goes away.
func (h *handler) events(w http.ResponseWriter, r *http.Request) {
	rc := http.NewResponseController(w)
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	last := h.eventState()
	// retry: how long the browser waits before reconnecting.
	if _, err := fmt.Fprintf(w, "retry: 3000\n: connected\n\n"); err != nil {
		return
	}
	if err := rc.Flush(); err != nil {
		return
	}
	poll := time.NewTicker(h.opts.EventPoll)
	defer poll.Stop()
	beat := time.NewTicker(h.opts.EventHeartbeat)
	defer beat.Stop()
	for {
		select {
		case <-r.Context().Done():
			return
		case <-beat.C:
			if _, err := fmt.Fprint(w, ": heartbeat\n\n"); err != nil {
				return
			}
		case <-poll.C:
			cur := h.eventState()
			if cur == last {
				continue
			}
			last = cur
			b, err := json.Marshal(cur)
			if err != nil {
				return
			}
			if _, err := fmt.Fprintf(w, "event: update\ndata: %s\n\n", b); err != nil {
				return
			}
		}
		if err := rc.Flush(); err != nil {
			return
		}
	}
}
