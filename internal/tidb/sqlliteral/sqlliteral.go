// Package sqlliteral renders converted values (datum.Datum, in the form a
// column stores) as SQL literals a MySQL-protocol server reads back as the
// same value, for the logical backend's INSERT statements; and the
// query-based checksum that compares a table's source rows with what the
// server holds (checksum.go).
//
// The rules follow TiDB Lightning's tidb backend (pkg/lightning/backend/tidb
// appendSQL / appendSQLString): strings quoted, backslash-escaped unless the
// session's SQL mode has NO_BACKSLASH_ESCAPES; binary strings as hex; NULL
// as NULL. Unlike Lightning, which renders the dump's text, the values here
// are already converted with the column's type (valueconv), so the server
// gets exact decimals, dates in the form of their type and ENUM/SET members
// by name.
package sqlliteral

import (
	"encoding/hex"
	"slices"
	"strings"
	"time"

	"github.com/pingcap/tidb/pkg/parser/mysql"

	"github.com/lightstream-io/lightstream/internal/tidb/datum"
	"github.com/lightstream-io/lightstream/internal/tidb/tablemodel"
	"github.com/lightstream-io/lightstream/internal/tidb/valueconv"
)

// Renderer renders values for sessions of one SQL mode and time zone.
type Renderer struct {
	// NoBackslashEscapes: the session's sql_mode has NO_BACKSLASH_ESCAPES,
	// where a backslash in a string literal is an ordinary character.
	NoBackslashEscapes bool
	// Loc is the session's time_zone: TIMESTAMP values (kept in UTC) are
	// written as the wall time there. nil is UTC.
	Loc *time.Location
}

// Append appends d as a literal of column col.
func (r Renderer) Append(dst []byte, col *tablemodel.Column, d *datum.Datum) []byte {
	loc := r.Loc
	if loc == nil {
		loc = time.UTC
	}
	switch d.Kind {
	case datum.Null:
		return append(dst, "NULL"...)
	case datum.Int64, datum.Uint64, datum.Float32, datum.Float64, datum.Decimal:
		// Numbers as the server prints them: exact for DECIMAL (its scale),
		// the shortest text that round-trips at the width for floats.
		return valueconv.FormatText(col, d, loc, dst)
	case datum.Bytes:
		return AppendHex(dst, d.B)
	case datum.Bit:
		// The bits as bytes of the column's width, in hex: a hex literal is
		// a bit value in a BIT column.
		var buf [16]byte
		return AppendHex(dst, valueconv.FormatText(col, d, loc, buf[:0]))
	case datum.String:
		return r.appendString(dst, col.Charset, d.B)
	case datum.JSON, datum.Time, datum.Duration, datum.Enum, datum.Set:
		// Text in the column's form, quoted: dates per fsp (TIMESTAMP in
		// loc), ENUM/SET member names, JSON text (utf8mb4).
		var buf [64]byte
		return r.AppendQuoted(dst, valueconv.FormatText(col, d, loc, buf[:0]))
	}
	return r.AppendQuoted(dst, d.B)
}

// appendString quotes a non-binary string. Its bytes are utf8 whatever
// the column's charset (TiDB keeps latin1 and ascii values as utf8 too),
// and the connection's charset is utf8mb4: the server converts them into
// the column's charset.
func (r Renderer) appendString(dst []byte, cs string, b []byte) []byte {
	if strings.EqualFold(cs, "binary") {
		return AppendHex(dst, b)
	}
	return r.AppendQuoted(dst, b)
}

// AppendQuoted appends b as a quoted string literal. Runs of bytes that
// need no escape are copied whole (most text has none).
func (r Renderer) AppendQuoted(dst, b []byte) []byte {
	dst = slices.Grow(dst, len(b)+2)
	dst = append(dst, '\'')
	esc := &escapes
	if r.NoBackslashEscapes {
		esc = &quoteOnly
	}
	start := 0
	for i, c := range b {
		if !esc[c] {
			continue
		}
		dst = append(dst, b[start:i]...)
		start = i + 1
		switch c {
		case 0:
			dst = append(dst, '\\', '0')
		case '\n':
			dst = append(dst, '\\', 'n')
		case '\r':
			dst = append(dst, '\\', 'r')
		case 0x1a:
			dst = append(dst, '\\', 'Z')
		case '\'':
			if r.NoBackslashEscapes {
				dst = append(dst, '\'', '\'')
			} else {
				dst = append(dst, '\\', '\'')
			}
		default: // '\\', '"'
			dst = append(dst, '\\', c)
		}
	}
	dst = append(dst, b[start:]...)
	return append(dst, '\'')
}

// escapes are the bytes AppendQuoted escapes; quoteOnly those it escapes
// under NO_BACKSLASH_ESCAPES (the quote, doubled).
var escapes, quoteOnly = func() (e, q [256]bool) {
	for _, c := range []byte{0, '\n', '\r', 0x1a, '\\', '\'', '"'} {
		e[c] = true
	}
	q['\''] = true
	return e, q
}()

// AppendHex appends b as a hex literal (x” when empty).
func AppendHex(dst, b []byte) []byte {
	if len(b) == 0 {
		return append(dst, "x''"...)
	}
	dst = append(dst, '0', 'x')
	return hex.AppendEncode(dst, b)
}

// QuoteName quotes an identifier with backquotes.
func QuoteName(s string) string {
	return "`" + strings.ReplaceAll(s, "`", "``") + "`"
}

// TableName is `db`.`table`.
func TableName(db, table string) string { return QuoteName(db) + "." + QuoteName(table) }

// AbsentInTarget marks (as Column.Unsupported) a column of the dump's
// DDL that the target's table does not have: a server that skipped it
// (MariaDB reads /*!50705 ... */ as a comment); its values are dropped.
const AbsentInTarget = "absent in the target"

// Written reports whether the logical backend writes column col: not a
// generated column (the server computes it), not one the target lacks. A
// column of a type TiDB lacks (GEOMETRY) is written with the dump's value
// (Unsupported).
func Written(col *tablemodel.Column) bool {
	return !col.IsGenerated() && col.Unsupported != AbsentInTarget
}

// Unsupported reports whether col is of a type TiDB does not have (its
// value is the dump's bytes, passed on as a hex literal).
func Unsupported(col *tablemodel.Column) bool {
	return (col.Unsupported != "" || col.Tp == mysql.TypeGeometry) && col.Unsupported != AbsentInTarget
}
