package cli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strconv"

	"github.com/portwatch/portwatch/internal/report"
	"github.com/portwatch/portwatch/internal/scan"
	"github.com/portwatch/portwatch/internal/store"
	"github.com/portwatch/portwatch/internal/store/sqlite"
	"github.com/spf13/cobra"
)

// newDiffCmd builds `portwatch diff A B`.
func newDiffCmd(a *app) *cobra.Command {
	var sf storeFlags
	cmd := &cobra.Command{
		Use:   "diff A B",
		Short: "Compare two scans: our JSON, nmap XML, or stored scan ids (ndiff-style)",
		Long: `Diff compares scan A (before) with scan B (after) host by host: host
status, ports that appear, disappear or change state, and service name,
product or version changes. A and B are each a file written by
"portwatch scan -o json" or by nmap/portwatch -oX (the format is read from
the content), or the id of a scan stored by the daemon (digits that are not
a file name; read from --db).
Exit 0 when the scans are the same, 1 when they differ, 2 on error, like
ndiff. See docs/history.md.`,
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runDiff(cmd.Context(), a, &sf, args[0], args[1])
		},
	}
	sf.add(cmd)
	return cmd
}

func runDiff(ctx context.Context, a *app, sf *storeFlags, argA, argB string) error {
	if err := sf.checkOutput(); err != nil {
		return err
	}
	src := diffSources{flags: sf}
	defer src.close()
	resA, labelA, err := src.load(ctx, argA)
	if err != nil {
		return err
	}
	resB, labelB, err := src.load(ctx, argB)
	if err != nil {
		return err
	}
	d := report.Diff(resA, resB)
	d.A.Source, d.B.Source = labelA, labelB
	if sf.output == "json" {
		err = report.WriteDiffJSON(a.io.Out, d)
	} else {
		err = report.WriteDiffText(a.io.Out, d)
	}
	if err != nil {
		return err
	}
	if !d.Same {
		return exitError{code: ExitPartial}
	}
	return nil
}

// diffSources loads the sides of a diff, opening the store at most once
// and only when a side is a stored scan id.
type diffSources struct {
	flags *storeFlags
	db    *sqlite.DB
}

func (s *diffSources) close() {
	if s.db != nil {
		s.db.Close()
	}
}

// load reads one side: an existing file, else a stored scan id. It
// returns the result and how to name it in the output.
func (s *diffSources) load(ctx context.Context, arg string) (*scan.Result, string, error) {
	data, err := os.ReadFile(arg)
	switch {
	case err == nil:
		res, err := parseScanFile(data)
		if err != nil {
			return nil, "", usagef("%s: %w", arg, err)
		}
		return res, arg, nil
	case !errors.Is(err, fs.ErrNotExist) || !isScanID(arg):
		return nil, "", usageError{err}
	}
	id, err := strconv.ParseInt(arg, 10, 64)
	if err != nil {
		return nil, "", usagef("scan id %s: %w", arg, err)
	}
	if s.db == nil {
		if s.db, err = s.flags.open(ctx); err != nil {
			return nil, "", err
		}
	}
	rec, err := s.db.GetScan(ctx, id)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return nil, "", usagef("no file %s and no stored scan with id %d", arg, id)
	case err != nil:
		return nil, "", storeErr(fmt.Sprintf("read scan %d", id), err)
	case rec.Result == nil:
		return nil, "", usagef("stored scan %d has no result", id)
	}
	label := fmt.Sprintf("scan %d", id)
	if rec.Job != "" {
		label += " (job " + safeCell(rec.Job) + ")"
	}
	return rec.Result, label, nil
}

// isScanID reports whether arg is all digits, so it may name a stored scan.
func isScanID(arg string) bool {
	if arg == "" || len(arg) > 18 {
		return false
	}
	for _, r := range arg {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// parseScanFile reads our JSON (or JSONL) result or an nmap XML file,
// telling them apart by their first non-blank character.
func parseScanFile(data []byte) (*scan.Result, error) {
	body := bytes.TrimLeft(bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")), " \t\r\n")
	switch {
	case len(body) == 0:
		return nil, errors.New("empty file")
	case body[0] == '<':
		return report.ReadNmapXML(bytes.NewReader(data))
	case body[0] == '{':
		return report.ReadJSON(bytes.NewReader(body))
	}
	return nil, errors.New("neither a portwatch JSON result nor nmap XML")
}
