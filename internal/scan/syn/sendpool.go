package syn

import (
	"errors"
	"runtime"
	"sync"

	"github.com/portwatch/portwatch/internal/rawnet"
)

// Sending is the scan's main cost, and most of it is the kernel's: routing,
// the output path and, for a target on a virtual link, the whole path to it
// and back run in the sending thread. A batch is therefore split between
// several senders (one per core, at most maxSenders), each with its own
// sockets, sending at the same time.
const (
	maxSenders = 4
	// minChunk is the smallest share of a batch worth another thread.
	minChunk = 16
)

// sendPool sends batches through several raw senders at once.
type sendPool struct {
	senders []*rawnet.Sender
	jobs    chan sendJob
	wg      sync.WaitGroup // workers
	once    sync.Once
}

type sendJob struct {
	s    *rawnet.Sender
	pkts []rawnet.Packet
	res  *chunkResult
	done *sync.WaitGroup
}

// chunkResult is how one chunk [start, end) of a batch went: the first n
// packets left; when n < end-start, err is why packet start+n did not.
type chunkResult struct {
	start, end, n int
	err           error
}

// openSendPool opens the senders (in the calling thread's namespace) and
// starts the workers.
func openSendPool() (*sendPool, error) {
	n := max(1, min(runtime.GOMAXPROCS(0), maxSenders))
	p := &sendPool{jobs: make(chan sendJob)}
	for range n {
		s, err := rawnet.OpenSender()
		if err != nil {
			p.close()
			return nil, err
		}
		p.senders = append(p.senders, s)
	}
	jobs := p.jobs
	for range n - 1 {
		p.wg.Add(1)
		go func() {
			defer p.wg.Done()
			for j := range jobs {
				j.res.n, j.res.err = j.s.Send(j.pkts)
				j.done.Done()
			}
		}()
	}
	return p, nil
}

// primary is the sender for everything else (support checks).
func (p *sendPool) primary() *rawnet.Sender { return p.senders[0] }

// send sends pkts split into chunks, one per sender, and returns each
// chunk's result in batch order. results is reused.
func (p *sendPool) send(pkts []rawnet.Packet, results []chunkResult) []chunkResult {
	k := min(len(p.senders), max(1, len(pkts)/minChunk))
	results = results[:0]
	for i := range k {
		results = append(results, chunkResult{start: i * len(pkts) / k, end: (i + 1) * len(pkts) / k})
	}
	var done sync.WaitGroup
	for i := 1; i < k; i++ {
		r := &results[i]
		done.Add(1)
		p.jobs <- sendJob{s: p.senders[i], pkts: pkts[r.start:r.end], res: r, done: &done}
	}
	r := &results[0]
	r.n, r.err = p.senders[0].Send(pkts[r.start:r.end])
	done.Wait()
	return results
}

func (p *sendPool) close() error {
	p.once.Do(func() { close(p.jobs) })
	p.wg.Wait()
	var errs []error
	for _, s := range p.senders {
		errs = append(errs, s.Close())
	}
	return errors.Join(errs...)
}
