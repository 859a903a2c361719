package cli

import (
	"context"
	"sync"

	"github.com/portwatch/portwatch/internal/scan"
)

// scanStage is one scanning technique with its job: a TCP scan and a UDP
// scan of the same targets run side by side.
type scanStage struct {
	scanner scan.Scanner
	job     scan.Job
	info    scan.ScanInfo
}

// progressOf returns the progress counters a stage's scanner updates.
func progressOf(s scan.Scanner) *scan.Progress {
	if p, ok := s.(interface{ ScanProgress() *scan.Progress }); ok {
		return p.ScanProgress()
	}
	return nil
}

// startStages starts every stage and merges their events into one
// channel, closed when all of them are done.
func startStages(ctx context.Context, stages []scanStage) (<-chan scan.Event, []*scan.Progress, error) {
	var chans []<-chan scan.Event
	var progs []*scan.Progress
	for _, st := range stages {
		ch, err := st.scanner.Scan(ctx, st.job)
		if err != nil {
			return nil, nil, err
		}
		chans = append(chans, ch)
		if p := progressOf(st.scanner); p != nil {
			progs = append(progs, p)
		}
	}
	if len(chans) == 1 {
		return chans[0], progs, nil
	}
	out := make(chan scan.Event, 1024)
	var wg sync.WaitGroup
	for _, ch := range chans {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ev := range ch {
				out <- ev
			}
		}()
	}
	go func() {
		wg.Wait()
		close(out)
	}()
	return out, progs, nil
}
