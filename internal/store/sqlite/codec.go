package sqlite

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"net/netip"
	"time"

	"github.com/portwatch/portwatch/internal/fingerprint"
	"github.com/portwatch/portwatch/internal/model"
	"github.com/portwatch/portwatch/internal/scan"
)

// seriesKey identifies a series row: an endpoint seen from a location.
type seriesKey struct {
	ep  model.Endpoint
	loc model.Location
}

func addrBytes(a netip.Addr) []byte { return a.WithZone("").AsSlice() }

func bytesAddr(b []byte) (netip.Addr, error) {
	a, ok := netip.AddrFromSlice(b)
	if !ok {
		return netip.Addr{}, fmt.Errorf("bad stored address of %d bytes", len(b))
	}
	return a, nil
}

func nanos(t time.Time) int64 { return t.UnixNano() }

func fromNanos(n int64) time.Time { return time.Unix(0, n).UTC() }

// serviceJSON encodes a service for a nullable TEXT column.
func serviceJSON(s *fingerprint.Service) (sql.NullString, error) {
	if s == nil {
		return sql.NullString{}, nil
	}
	b, err := json.Marshal(s)
	if err != nil {
		return sql.NullString{}, fmt.Errorf("encode service: %w", err)
	}
	return sql.NullString{String: string(b), Valid: true}, nil
}

func parseService(s sql.NullString) (*fingerprint.Service, error) {
	if !s.Valid {
		return nil, nil
	}
	var svc fingerprint.Service
	if err := json.Unmarshal([]byte(s.String), &svc); err != nil {
		return nil, fmt.Errorf("decode service: %w", err)
	}
	return &svc, nil
}

// endpointCols are the series columns every listing joins, in scan order.
const endpointCols = `s.addr, s.protocol, s.port, s.location`

// scanEndpoint converts the endpointCols values.
func scanEndpoint(addr []byte, proto string, port int, loc string) (model.Endpoint, model.Location, error) {
	a, err := bytesAddr(addr)
	if err != nil {
		return model.Endpoint{}, "", err
	}
	return model.Endpoint{Addr: a, Protocol: scan.Protocol(proto), Port: uint16(port)}, model.Location(loc), nil
}

// where builds a conjunction of conditions with their arguments.
type where struct {
	conds []string
	args  []any
}

func (w *where) add(cond string, args ...any) {
	w.conds = append(w.conds, cond)
	w.args = append(w.args, args...)
}

func (w *where) String() string {
	if len(w.conds) == 0 {
		return ""
	}
	s := " WHERE " + w.conds[0]
	for _, c := range w.conds[1:] {
		s += " AND " + c
	}
	return s
}

// limitClause renders a Page as LIMIT/OFFSET.
func limitClause(limit, offset int) string {
	if limit <= 0 && offset <= 0 {
		return ""
	}
	if limit <= 0 {
		limit = -1
	}
	return fmt.Sprintf(" LIMIT %d OFFSET %d", limit, max(offset, 0))
}
