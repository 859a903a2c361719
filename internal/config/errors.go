package config

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
)

// Pos is where something was written: a file (base name) and a 1-based line.
type Pos struct {
	File string
	Line int
}

// String formats the position as "file:line".
func (p Pos) String() string { return fmt.Sprintf("%s:%d", p.File, p.Line) }

// Error is one problem in a configuration, with the entity it belongs to
// (`monitor "db-primary"`, empty at the top level) and where it was written.
type Error struct {
	Pos    Pos
	Entity string
	Msg    string
}

// Error formats as `entity (file:line): msg`, or `msg (file:line)` when the
// problem belongs to no entity.
func (e *Error) Error() string {
	if e.Entity == "" {
		return fmt.Sprintf("%s (%s)", e.Msg, e.Pos)
	}
	return fmt.Sprintf("%s (%s): %s", e.Entity, e.Pos, e.Msg)
}

// Errors is every problem found in a configuration, sorted by file and line.
// Load returns it (as error) whenever the configuration is refused.
type Errors []*Error

// Error joins the messages, one per line.
func (es Errors) Error() string {
	lines := make([]string, len(es))
	for i, e := range es {
		lines[i] = e.Error()
	}
	return strings.Join(lines, "\n")
}

// Unwrap exposes each problem to errors.As and errors.Is.
func (es Errors) Unwrap() []error {
	out := make([]error, len(es))
	for i, e := range es {
		out[i] = e
	}
	return out
}

// collector gathers problems while decoding and validating.
type collector struct {
	errs Errors
}

func (c *collector) add(pos Pos, entity, format string, a ...any) {
	c.errs = append(c.errs, &Error{Pos: pos, Entity: entity, Msg: fmt.Sprintf(format, a...)})
}

// err returns the sorted problems, or nil when there are none.
func (c *collector) err() error {
	if len(c.errs) == 0 {
		return nil
	}
	es := slices.Clone(c.errs)
	slices.SortStableFunc(es, func(a, b *Error) int {
		return cmp.Or(cmp.Compare(a.Pos.File, b.Pos.File), cmp.Compare(a.Pos.Line, b.Pos.Line))
	})
	return es
}
