package udp

import (
	"sync"
	"time"
)

// Confirmation pacing (see confirmPort): the wait after an attempt in which
// neither the port nor the canary answered starts at minConfirmGap and
// doubles up to the scan's ConfirmInterval; an answer halves it again.
const (
	minConfirmGap      = time.Millisecond
	maxConfirmAttempts = 6
	confirmSilences    = 2  // attempts where only the canary answered, to call a port silent
	maxConfirmHosts    = 64 // hosts confirmed at once (two sockets each)
)

// confirm re-probes the ports that stayed silent in the fast pass, one
// port at a time per host. Linux sends one ICMP port-unreachable per
// second per destination after a burst of six, and at most 1000 a second
// in all, so in the fast pass many closed ports of a host look silent.
// Hosts that sent no port-unreachable at all are skipped: they filter, or
// never send them, and waiting would not help.
func (r *run) confirm() {
	r.silentMu.Lock()
	byHost := map[*hostState][]uint16{}
	var keep []workItem
	var order []*hostState
	for _, it := range r.silent {
		if it.host.canary.Load() == 0 {
			keep = append(keep, it)
			continue
		}
		if byHost[it.host] == nil {
			order = append(order, it.host)
		}
		byHost[it.host] = append(byHost[it.host], it.port)
	}
	r.silent = keep
	r.silentMu.Unlock()

	interval := r.s.ConfirmInterval
	if interval <= 0 {
		interval = DefaultConfirmInterval
	}
	sem := make(chan struct{}, maxConfirmHosts)
	var wg sync.WaitGroup
	defer wg.Wait()
	for _, h := range order {
		ports := byHost[h]
		select {
		case sem <- struct{}{}:
		case <-r.ctx.Done():
			return
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			r.confirmHost(h, ports, interval)
		}()
	}
}

// confirmHost confirms one host's silent ports in turn.
func (r *run) confirmHost(h *hostState, ports []uint16, interval time.Duration) {
	c := newConfirmer(r, h, interval)
	defer c.close()
	for i, port := range ports {
		if r.ctx.Err() != nil {
			return
		}
		res, replies, err := c.port(port)
		if err != nil {
			r.holdSilent(h, ports[i:]) // reported open|filtered, as measured
			return
		}
		r.finish(h, res, replies, true)
	}
}

// holdSilent puts ports back among the silent ones to report.
func (r *run) holdSilent(h *hostState, ports []uint16) {
	r.silentMu.Lock()
	defer r.silentMu.Unlock()
	for _, port := range ports {
		r.silent = append(r.silent, workItem{host: h, port: port})
	}
}
