package dumpgen

import "strconv"

// valueKind says how a dump writes a value. Dumpling picks the form from the
// column type (dumpling/export/sql_type.go): numbers bare, strings quoted
// and escaped, binary types (BLOB, BINARY, VARBINARY, BIT) as x'..' in SQL.
type valueKind uint8

const (
	kindNull   valueKind = iota // NULL, \N in CSV
	kindNumber                  // written as is
	kindString                  // quoted, backslash-escaped
	kindBytes                   // x'hex' in SQL, quoted raw bytes in CSV
)

type span struct {
	kind       valueKind
	start, end int
}

// row is one generated row: the values' bytes in one arena, reused from row
// to row so generation does not allocate.
type row struct {
	buf  []byte
	vals []span
}

func (r *row) reset() {
	r.buf = r.buf[:0]
	r.vals = r.vals[:0]
}

// begin returns the arena offset a value starts at; the generator appends
// the value's bytes to r.buf and calls end.
func (r *row) begin() int { return len(r.buf) }

func (r *row) end(kind valueKind, start int) {
	r.vals = append(r.vals, span{kind: kind, start: start, end: len(r.buf)})
}

func (r *row) null() { r.vals = append(r.vals, span{kind: kindNull}) }

func (r *row) int(v int64) {
	s := r.begin()
	r.buf = strconv.AppendInt(r.buf, v, 10)
	r.end(kindNumber, s)
}

func (r *row) uint(v uint64) {
	s := r.begin()
	r.buf = strconv.AppendUint(r.buf, v, 10)
	r.end(kindNumber, s)
}

func (r *row) str(v string) {
	s := r.begin()
	r.buf = append(r.buf, v...)
	r.end(kindString, s)
}

func (r *row) value(i int) []byte { return r.buf[r.vals[i].start:r.vals[i].end] }
