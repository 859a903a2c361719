package report

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/portwatch/portwatch/internal/scan"
)

// ReadJSON loads a result written in the json format, or in the jsonl
// format (host lines, then the trailer line). A jsonl stream cut short
// before its trailer is accepted and marked Stats.Interrupted.
func ReadJSON(r io.Reader) (*scan.Result, error) {
	dec := json.NewDecoder(r)
	var first json.RawMessage
	if err := dec.Decode(&first); err != nil {
		return nil, fmt.Errorf("read JSON result: %w", err)
	}
	var keys map[string]json.RawMessage
	if err := json.Unmarshal(first, &keys); err != nil || keys == nil {
		return nil, errors.New("read JSON result: not a JSON object")
	}
	_, hasHosts := keys["hosts"]
	_, hasAddress := keys["address"]
	_, hasStats := keys["stats"]
	var res *scan.Result
	var err error
	switch {
	case hasHosts:
		res = &scan.Result{}
		err = json.Unmarshal(first, res)
		if err == nil {
			err = expectEOF(dec)
		}
	case hasAddress || hasStats:
		res, err = readJSONL(first, dec)
	default:
		return nil, errors.New("read JSON result: object has neither \"hosts\" (json) nor \"address\"/\"stats\" (jsonl)")
	}
	if err != nil {
		return nil, fmt.Errorf("read JSON result: %w", err)
	}
	// The wire form keeps the address on the host only, and round trips in
	// whole microseconds: scan.PortResult.UnmarshalJSON truncates the float
	// (1.001 ms becomes 1.000999 ms), so round back to the microsecond.
	for i := range res.Hosts {
		h := &res.Hosts[i]
		for j := range h.Ports {
			h.Ports[j].Addr = h.Address
			h.Ports[j].RTT = h.Ports[j].RTT.Round(time.Microsecond)
		}
	}
	return res, nil
}

// readJSONL reads host lines until the trailer, starting with the already
// decoded first value.
func readJSONL(first json.RawMessage, dec *json.Decoder) (*scan.Result, error) {
	res := &scan.Result{Hosts: []scan.HostResult{}}
	line := first
	for n := 1; ; n++ {
		if isTrailer(line) {
			var t jsonlTrailer
			if err := json.Unmarshal(line, &t); err != nil {
				return nil, fmt.Errorf("jsonl line %d (trailer): %w", n, err)
			}
			res.Stats, res.Started, res.Finished = t.Stats, t.Started, t.Finished
			res.Errors, res.Scanner, res.Args = t.Errors, t.Scanner, t.Args
			return res, expectEOF(dec)
		}
		var h scan.HostResult
		if err := json.Unmarshal(line, &h); err != nil {
			return nil, fmt.Errorf("jsonl line %d (host): %w", n, err)
		}
		res.Hosts = append(res.Hosts, h)
		line = nil
		if err := dec.Decode(&line); errors.Is(err, io.EOF) {
			res.Stats.Interrupted = true // the writer never got to the trailer
			return res, nil
		} else if err != nil {
			return nil, fmt.Errorf("jsonl line %d: %w", n+1, err)
		}
	}
}

// isTrailer reports whether a jsonl value is the trailer (has "stats").
func isTrailer(v json.RawMessage) bool {
	var probe struct {
		Stats json.RawMessage `json:"stats"`
	}
	return json.Unmarshal(v, &probe) == nil && probe.Stats != nil && !bytes.Equal(probe.Stats, []byte("null"))
}

// expectEOF fails when more JSON follows a complete result.
func expectEOF(dec *json.Decoder) error {
	var extra json.RawMessage
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		if err != nil {
			return fmt.Errorf("after the result: %w", err)
		}
		return errors.New("unexpected data after the result")
	}
	return nil
}
