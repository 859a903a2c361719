package store

import "github.com/portwatch/portwatch/internal/model"

// Batch is what one write transaction commits. The tracker puts an
// observation, the state it led to and the changes it caused in the same
// batch so that a crash never keeps one without the others.
type Batch struct {
	Observations []model.Observation
	States       []model.EndpointState
	Changes      []model.Change
}

// Len is the number of items in the batch.
func (b Batch) Len() int { return len(b.Observations) + len(b.States) + len(b.Changes) }

// append adds o's items to b.
func (b *Batch) append(o Batch) {
	b.Observations = append(b.Observations, o.Observations...)
	b.States = append(b.States, o.States...)
	b.Changes = append(b.Changes, o.Changes...)
}
