package rowparse

import (
	"errors"
	"fmt"
)

// SyntaxError reports malformed dump text. Offset is the byte offset in the
// file of the place the reader gave up on (for an unterminated quoted
// field: its opening quote, as Lightning reports it), Line and Column are
// 1-based (Column counts bytes) and Excerpt is a short quoted piece of the
// text there.
type SyntaxError struct {
	File    string
	Offset  int64
	Line    int
	Column  int
	Excerpt string
	Msg     string
}

func (e *SyntaxError) Error() string {
	file := e.File
	if file == "" {
		file = "<input>"
	}
	return fmt.Sprintf("syntax error in %s at offset %d (line %d, column %d): %s, near %q",
		file, e.Offset, e.Line, e.Column, e.Msg, e.Excerpt)
}

// ErrRowTooLarge is returned (wrapped in a SyntaxError) when a single row
// exceeds the reader's MaxRowSize.
var ErrRowTooLarge = errors.New("row larger than the maximum row size")
