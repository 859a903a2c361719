// Package report renders scan results for people and programs (table, json,
// jsonl, csv, nmap-compatible XML) and reads them back (JSON, nmap XML) so
// that two runs can be compared. The formats are documented in
// docs/output.md; the JSON and XML shapes are stable: fields are only added.
package report

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/portwatch/portwatch/internal/scan"
)

// ErrUnknownFormat is returned by Write for a format name not in Formats.
var ErrUnknownFormat = errors.New("unknown output format")

// Options selects how Write renders a result.
type Options struct {
	// Format is one of Formats().
	Format string
	// AllStates lists every listed port in the table, not only open ones.
	// Machine formats always carry every port they are given.
	AllStates bool
	// Color colours port states in the table with ANSI escape codes.
	Color bool
}

// format is one entry of the format registry.
type format struct {
	name  string
	write func(io.Writer, *scan.Result, Options) error
}

// registry lists the formats in the order Formats reports them. It is built
// on each call so that no package-level state can be changed.
func registry() []format {
	return []format{
		{"table", writeTable},
		{"json", writeJSON},
		{"jsonl", writeJSONL},
		{"csv", writeCSV},
		{"xml", writeXML},
	}
}

// Formats returns the names of the output formats Write accepts.
func Formats() []string {
	reg := registry()
	names := make([]string, len(reg))
	for i, f := range reg {
		names[i] = f.name
	}
	return names
}

// Write renders res to w in the format opts.Format. It does not modify res.
func Write(w io.Writer, res *scan.Result, opts Options) error {
	if res == nil {
		return errors.New("write report: nil result")
	}
	for _, f := range registry() {
		if f.name == opts.Format {
			if err := f.write(w, normalize(res), opts); err != nil {
				return fmt.Errorf("write %s report: %w", f.name, err)
			}
			return nil
		}
	}
	return fmt.Errorf("%w %q (want one of %s)", ErrUnknownFormat, opts.Format, strings.Join(Formats(), ", "))
}
