package report

import (
	"encoding/json"
	"io"

	"github.com/portwatch/portwatch/internal/scan"
)

// writeJSON writes the whole result as one JSON document, indented by two
// spaces (schema in docs/output.md).
func writeJSON(w io.Writer, res *scan.Result, _ Options) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(res)
}
