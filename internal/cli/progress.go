package cli

import (
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"golang.org/x/term"

	"github.com/portwatch/portwatch/internal/scan"
)

func termIsTerminal(f *os.File) bool { return term.IsTerminal(int(f.Fd())) }

// startProgress redraws a one-line progress bar on w (a terminal) until the
// returned function is called, which erases it.
func startProgress(w io.Writer, p []*scan.Progress, start time.Time) (stop func()) {
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		t := time.NewTicker(200 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-done:
				fmt.Fprint(w, "\r\x1b[K")
				return
			case now := <-t.C:
				fmt.Fprint(w, "\r\x1b[K"+progressLine(p, now.Sub(start)))
			}
		}
	}()
	return func() {
		close(done)
		<-finished
	}
}

// progressLine renders done/total, a bar, the rate, the ETA and open ports.
func progressLine(progs []*scan.Progress, elapsed time.Duration) string {
	var total, done, open uint64
	for _, p := range progs {
		total += p.Total.Load()
		done += p.Done.Load()
		open += p.Open.Load()
	}
	frac := 0.0
	if total > 0 {
		frac = float64(done) / float64(total)
	}
	const width = 24
	filled := int(frac * width)
	bar := strings.Repeat("=", filled) + strings.Repeat(" ", width-filled)
	rate := 0.0
	if s := elapsed.Seconds(); s > 0 {
		rate = float64(done) / s
	}
	eta := "?"
	if rate > 0 && done < total {
		eta = time.Duration(float64(total-done) / rate * float64(time.Second)).Round(time.Second).String()
	}
	return fmt.Sprintf("[%s] %d/%d %5.1f%%  %.0f/s  ETA %s  open %d", bar, done, total, 100*frac, rate, eta, open)
}
