package genexpr

import (
	"errors"
	"fmt"
)

// UnsupportedError reports, at Compile time, a generated column whose
// expression uses something lightstream cannot evaluate (an unknown
// function, a non-deterministic function TiDB itself rejects in generated
// columns, a subquery, a variable, ...).
type UnsupportedError struct {
	Table  string
	Column string
	// Function is the function or construct, lower case ("now", "soundex",
	// "subquery").
	Function string
	// Reason says why (empty for a function lightstream does not know).
	Reason string
}

func (e *UnsupportedError) Error() string {
	reason := e.Reason
	if reason == "" {
		reason = "function not supported by lightstream"
	}
	return fmt.Sprintf("table %s, generated column %s: %s: %s", e.Table, e.Column, e.Function, reason)
}

// Errors callers branch on; expression errors wrap them.
var (
	// ErrCompile: the expression text does not parse or is malformed
	// (wrong argument count, unknown column, cyclic reference).
	ErrCompile = errors.New("invalid generated column expression")
	// ErrOverflow: integer arithmetic out of the BIGINT range, as MySQL's
	// "BIGINT value is out of range" (an error in any SQL mode).
	ErrOverflow = errors.New("value is out of range")
	// ErrEval: a value that the expression rejects (invalid JSON text,
	// bad JSON path, ...), as TiDB raises it during INSERT.
	ErrEval = errors.New("expression evaluation failed")
)

// compileErr is an ErrCompile for a column.
func compileErr(table, column, format string, args ...any) error {
	return fmt.Errorf("table %s, generated column %s: %w: %s", table, column, ErrCompile, fmt.Sprintf(format, args...))
}
