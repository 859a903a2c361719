// Package store persists the monitoring daemon's facts: observations,
// current endpoint states, changes, findings, discovery scans and latency
// rollups. Store is the contract every backend (SQLite now, PostgreSQL
// later) implements; storetest holds the scenarios each must pass. The
// daemon writes through one Writer, which batches into transactions.
package store

import (
	"context"
	"errors"
	"net/netip"
	"time"

	"github.com/portwatch/portwatch/internal/model"
	"github.com/portwatch/portwatch/internal/scan"
)

// ErrNotFound is returned when a requested record does not exist.
var ErrNotFound = errors.New("store: not found")

// ErrConflict is returned when a record with the same unique name exists.
var ErrConflict = errors.New("store: already exists")

// Store is a backend. Every method is safe for concurrent use; writes are
// expected to come mostly from one Writer (single-writer pattern), reads
// from anywhere.
type Store interface {
	// WriteBatch commits observations, state upserts and changes in one
	// transaction, updating rollups from the observations: all or nothing.
	WriteBatch(ctx context.Context, b Batch) error
	// AddObservations is WriteBatch with observations only.
	AddObservations(ctx context.Context, obs []model.Observation) error
	// PutStates upserts current states (one per endpoint and location).
	PutStates(ctx context.Context, states []model.EndpointState) error
	// AddChanges appends change events (their ID fields are ignored).
	AddChanges(ctx context.Context, changes []model.Change) error

	// ListObservations returns raw observations, oldest first.
	ListObservations(ctx context.Context, f ObservationFilter) ([]model.Observation, error)
	// GetState returns the current state of one endpoint at one location.
	GetState(ctx context.Context, ep model.Endpoint, loc model.Location) (model.EndpointState, error)
	// ListStates returns current states ordered by address, protocol, port, location.
	ListStates(ctx context.Context, f StateFilter) ([]model.EndpointState, error)
	// ListChanges returns changes ordered by time then insertion order.
	ListChanges(ctx context.Context, f ChangeFilter) ([]model.Change, error)

	// OpenFinding opens f unless a finding with the same key is already
	// open; it returns the open finding and whether it was created now.
	OpenFinding(ctx context.Context, f model.Finding) (model.Finding, bool, error)
	// GetOpenFinding returns the open finding with key k, or ErrNotFound.
	GetOpenFinding(ctx context.Context, k model.FindingKey) (model.Finding, error)
	// ResolveFinding resolves the open finding with key k at time at; it
	// reports whether one was open.
	ResolveFinding(ctx context.Context, k model.FindingKey, at time.Time) (bool, error)
	// ListFindings returns findings, newest opened first.
	ListFindings(ctx context.Context, f FindingFilter) ([]model.Finding, error)

	// AddScan records a discovery scan with its full result and returns its ID.
	AddScan(ctx context.Context, rec model.ScanRecord) (int64, error)
	// GetScan returns one scan with its result, or ErrNotFound.
	GetScan(ctx context.Context, id int64) (model.ScanRecord, error)
	// ListScans returns scans newest first, without their results.
	ListScans(ctx context.Context, f ScanFilter) ([]model.ScanRecord, error)

	// Rollups returns the per-minute or per-hour buckets of one endpoint
	// overlapping [From, To), oldest first.
	Rollups(ctx context.Context, q RollupQuery) ([]Rollup, error)
	// Prune deletes raw observations and rollups older than the policy's
	// windows, measured back from now.
	Prune(ctx context.Context, now time.Time, p RetentionPolicy) (PruneResult, error)

	// Close releases the backend. Pending Writer batches must be flushed
	// first (Writer.Close).
	Close() error
}

// Page limits a listing. Limit 0 means no limit.
type Page struct {
	Limit  int
	Offset int
}

// ObservationFilter selects raw observations. Zero fields match anything.
type ObservationFilter struct {
	Endpoint *model.Endpoint
	Location model.Location
	From     time.Time // inclusive
	To       time.Time // exclusive
	Page
}

// StateFilter selects current states. Zero fields match anything.
type StateFilter struct {
	Location model.Location
	Addr     netip.Addr
	State    scan.PortState
	Page
}

// ChangeFilter selects changes. Zero fields match anything; Endpoint
// wins over Addr.
type ChangeFilter struct {
	Endpoint *model.Endpoint
	Addr     netip.Addr
	Location model.Location
	From     time.Time // inclusive
	To       time.Time // exclusive
	Kind     model.ChangeKind
	// Desc lists newest first instead of oldest first.
	Desc bool
	Page
}

// FindingFilter selects findings. Zero fields match anything.
type FindingFilter struct {
	ID           int64
	OpenOnly     bool
	ResolvedOnly bool
	Severity     model.Severity
	Kind         model.FindingKind
	Location     model.Location
	Addr         netip.Addr
	Endpoint     *model.Endpoint
	Acked        AckedFilter
	Page
}

// AckedFilter selects findings by acknowledgement.
type AckedFilter int

// AckedFilter values.
const (
	AckedAny AckedFilter = iota
	AckedYes
	AckedNo
)

// ScanFilter selects scans. Zero fields match anything.
type ScanFilter struct {
	Job string
	Page
}

// PruneResult counts what Prune deleted.
type PruneResult struct {
	Observations  int64
	MinuteRollups int64
	HourRollups   int64
}
