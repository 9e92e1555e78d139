// Package csvwriter writes rows in dumpling's default CSV dialect: a header
// line with the column names, `,` separator, every non-NULL value quoted
// with `"`, backslash escapes, and an unquoted `\N` for NULL. It is what
// `lightstream debug rows` and `lightstream export` print.
package csvwriter

import (
	"bufio"
	"io"
)

// Writer writes one CSV row at a time.
type Writer struct {
	w     *bufio.Writer
	first bool
}

// NewWriter returns a writer on w.
func NewWriter(w io.Writer) *Writer {
	return &Writer{w: bufio.NewWriterSize(w, 64<<10), first: true}
}

// Header writes the header line.
func (w *Writer) Header(names []string) error {
	for _, n := range names {
		w.Field([]byte(n), false)
	}
	return w.EndRow()
}

// Field writes one value; null writes `\N`.
func (w *Writer) Field(v []byte, null bool) {
	if !w.first {
		w.w.WriteByte(',')
	}
	w.first = false
	if null {
		w.w.WriteString(`\N`)
		return
	}
	WriteQuoted(w.w, v)
}

// EndRow ends the current row.
func (w *Writer) EndRow() error {
	w.first = true
	return w.w.WriteByte('\n')
}

// Flush writes buffered data.
func (w *Writer) Flush() error { return w.w.Flush() }

// WriteQuoted writes a quoted value with dumpling's CSV escapes
// (dumpling/export/sql_type.go escapeBackslashCSV): backslash, the
// delimiter, and \0 \n \r \t \Z as backslash sequences.
func WriteQuoted(out *bufio.Writer, v []byte) {
	out.WriteByte('"')
	start := 0
	for i, b := range v {
		var esc byte
		switch b {
		case '\\':
			esc = '\\'
		case '"':
			esc = '"'
		case 0:
			esc = '0'
		case '\n':
			esc = 'n'
		case '\r':
			esc = 'r'
		case '\t':
			esc = 't'
		case 0x1a:
			esc = 'Z'
		default:
			continue
		}
		out.Write(v[start:i])
		out.WriteByte('\\')
		out.WriteByte(esc)
		start = i + 1
	}
	out.Write(v[start:])
	out.WriteByte('"')
}
