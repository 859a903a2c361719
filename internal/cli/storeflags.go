package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"
	"unicode"

	"github.com/portwatch/portwatch/internal/config"
	"github.com/portwatch/portwatch/internal/store/sqlite"
	"github.com/spf13/cobra"
)

// storeFlags are the flags shared by the commands that read the store:
// --db, --config and -o.
type storeFlags struct {
	db     string
	config string
	output string
}

// add registers the flags on cmd.
func (f *storeFlags) add(cmd *cobra.Command) {
	fl := cmd.Flags()
	fl.StringVar(&f.db, "db", "", "the SQLite store `PATH` (default: server.db of --config, else "+config.DefaultDB+")")
	fl.StringVar(&f.config, "config", "", "read the store path from this configuration `FILE` or directory")
	fl.StringVarP(&f.output, "output", "o", "table", "output format: table or json")
}

// checkOutput validates -o.
func (f *storeFlags) checkOutput() error {
	switch f.output {
	case "table", "json":
		return nil
	}
	return usagef("output format %q: want table or json", f.output)
}

// dbPath is the store the flags name: --db, else the configuration's
// server.db, else the daemon's default in the working directory.
func (f *storeFlags) dbPath() (string, error) {
	if f.db != "" {
		return f.db, nil
	}
	if f.config == "" {
		return config.DefaultDB, nil
	}
	cfg, err := config.Load(f.config)
	if err != nil {
		return "", usagef("--config %s: %w", f.config, err)
	}
	return cfg.Server.DB, nil
}

// open opens the store read by the command. A missing database file is
// an error, never silently created empty.
func (f *storeFlags) open(ctx context.Context) (*sqlite.DB, error) {
	path, err := f.dbPath()
	if err != nil {
		return nil, err
	}
	st, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, usagef("no portwatch database at %s (start `portwatch serve` there or pass --db)", path)
	case err != nil:
		return nil, usagef("database %s: %w", path, err)
	case st.IsDir():
		return nil, usagef("database %s is a directory", path)
	}
	db, err := sqlite.Open(ctx, path)
	if err != nil {
		return nil, usageError{err}
	}
	return db, nil
}

// writeIndentedJSON writes v as indented JSON.
func writeIndentedJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return fmt.Errorf("write JSON: %w", err)
	}
	return nil
}

// storeErr marks a failed store read as exit 2, so that exit 1 keeps its
// one meaning per command (different scans, open findings).
func storeErr(what string, err error) error {
	return exitError{code: ExitUsage, err: fmt.Errorf("%s: %w", what, err)}
}

// safeCell replaces control characters (terminal escapes, newlines) in
// text from the store with Go escapes, and tabs too, which would break
// the table's columns.
func safeCell(s string) string {
	if !strings.ContainsFunc(s, unsafeCellRune) {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if unsafeCellRune(r) {
			q := fmt.Sprintf("%+q", string(r))
			b.WriteString(q[1 : len(q)-1])
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

func unsafeCellRune(r rune) bool {
	return unicode.IsControl(r) || r == unicode.ReplacementChar || unicode.Is(unicode.Bidi_Control, r) ||
		r == '\u2028' || r == '\u2029'
}
