// Package valueconv turns dump values into Datums of their column's type
// with MySQL strict-mode semantics, as TiDB's table.CastValue does
// (pkg/table/column.go, pkg/types/datum.go ConvertTo*, SPEC §3.1), prints
// Datums back in MySQL's text form, and maps dump rows onto table columns.
package valueconv

import (
	"errors"
	"fmt"
)

// Sentinel errors a *ValueError wraps; callers branch with errors.Is.
var (
	// ErrOutOfRange: a number outside the column type's range.
	ErrOutOfRange = errors.New("out of range value")
	// ErrTruncated: text that is not (entirely) a value of the type, or a
	// string longer than the column ("Data truncated" / "Data too long").
	ErrTruncated = errors.New("data truncated")
	// ErrInvalidValue: a value the type rejects (bad date, unknown ENUM
	// member, bad charset bytes, NULL into NOT NULL, no default).
	ErrInvalidValue = errors.New("invalid value")
	// ErrUnsupported: a column type or default lightstream cannot convert.
	ErrUnsupported = errors.New("unsupported conversion")
)

// ValueError says which value of which column failed and why.
type ValueError struct {
	Column string
	// Value is an excerpt of the value as written (at most 64 bytes).
	Value  string
	Reason string
	Err    error
}

func (e *ValueError) Error() string {
	return fmt.Sprintf("column %s: value %q: %s", e.Column, e.Value, e.Reason)
}

// Unwrap returns the sentinel (or underlying) error.
func (e *ValueError) Unwrap() error { return e.Err }

func excerpt(b []byte) string {
	const max = 64
	if len(b) > max {
		return string(b[:max]) + "..."
	}
	return string(b)
}

func valueErr(col string, v []byte, sentinel error, format string, args ...any) error {
	return &ValueError{Column: col, Value: excerpt(v), Reason: fmt.Sprintf(format, args...), Err: sentinel}
}

// wrapErr wraps a lower package's error so that both the sentinel and the
// original error match errors.Is.
func wrapErr(col string, v []byte, sentinel, err error) error {
	return &ValueError{Column: col, Value: excerpt(v), Reason: err.Error(), Err: fmt.Errorf("%w: %w", sentinel, err)}
}
