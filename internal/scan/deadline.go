package scan

import "time"

// FDDeadline is when the in-flight probe on socket FD expires. Seq tells
// the probe apart from a later one that reused the descriptor.
type FDDeadline struct {
	At  time.Time
	FD  int
	Seq uint64
}

// FDDeadlineHeap orders in-flight probes by deadline for container/heap.
// Event loops skip entries whose probe already finished (its Seq no longer
// matches) when they pop them, instead of removing them early.
type FDDeadlineHeap []FDDeadline

func (h FDDeadlineHeap) Len() int           { return len(h) }
func (h FDDeadlineHeap) Less(i, j int) bool { return h[i].At.Before(h[j].At) }
func (h FDDeadlineHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }

// Push appends an FDDeadline (container/heap interface).
func (h *FDDeadlineHeap) Push(x any) { *h = append(*h, x.(FDDeadline)) }

// Pop removes the last element (container/heap interface).
func (h *FDDeadlineHeap) Pop() any {
	old := *h
	e := old[len(old)-1]
	*h = old[:len(old)-1]
	return e
}
