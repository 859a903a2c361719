package report

import (
	"bufio"
	"encoding/json"
	"io"
	"time"

	"github.com/portwatch/portwatch/internal/scan"
)

// jsonlTrailer is the last line of a jsonl report: everything of a Result
// except its hosts, which came before it one per line. The "stats" key is
// what tells it apart from a host line.
type jsonlTrailer struct {
	Stats    scan.Stats         `json:"stats"`
	Started  time.Time          `json:"started"`
	Finished time.Time          `json:"finished"`
	Errors   []scan.TargetError `json:"errors"`
	Scanner  string             `json:"scanner"`
	Args     []string           `json:"args"`
}

// writeJSONL writes one compact JSON object per host per line, then the
// trailer line.
func writeJSONL(w io.Writer, res *scan.Result, _ Options) error {
	bw := bufio.NewWriter(w)
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	for i := range res.Hosts {
		if err := enc.Encode(&res.Hosts[i]); err != nil {
			return err
		}
	}
	t := jsonlTrailer{
		Stats:    res.Stats,
		Started:  res.Started,
		Finished: res.Finished,
		Errors:   res.Errors,
		Scanner:  res.Scanner,
		Args:     res.Args,
	}
	if t.Errors == nil {
		t.Errors = []scan.TargetError{}
	}
	if err := enc.Encode(t); err != nil {
		return err
	}
	return bw.Flush()
}
