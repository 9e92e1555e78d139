package sqlliteral

import (
	"bytes"
	"hash/crc32"
	"strconv"
	"strings"
	"time"

	"github.com/pingcap/tidb/pkg/parser/mysql"

	"github.com/lightstream-io/lightstream/internal/tidb/datum"
	"github.com/lightstream-io/lightstream/internal/tidb/tablemodel"
	"github.com/lightstream-io/lightstream/internal/tidb/valueconv"
)

// Checksum is the query-based checksum of a table: COUNT(*), BIT_XOR and
// SUM of CRC32 over each row's text, where a row's text is
//
//	CONCAT_WS(',', CAST(c1 AS BINARY), ..., CONCAT(ISNULL(c1), ...))
//
// (text columns converted to utf8mb4 first, BIT as its number)
//
// over the checked columns: NULLs are skipped by CONCAT_WS and marked in
// the trailing flags. MySQL, MariaDB and TiDB compute it the same way in a
// session with time_zone '+00:00', and Row computes it from the converted
// values, so the source's checksum is known before the server sees a row.
//
// A column is left out when its text is not the same everywhere: FLOAT and
// DOUBLE (each server prints them its own way), generated columns (the
// server computes them), types TiDB lacks (GEOMETRY).
type Checksum struct {
	cols     []*tablemodel.Column
	excluded []string
	// plain and notNull (by column offset) are set by ForTarget: the
	// column is read as it is; its NULL flag is the constant 0.
	plain, notNull map[int]bool
}

// NewChecksum chooses t's checked columns.
func NewChecksum(t *tablemodel.Table) *Checksum {
	c := &Checksum{}
	for _, col := range t.Columns {
		switch {
		case col.IsGenerated():
			c.excluded = append(c.excluded, col.Name+" (generated)")
		case Unsupported(col) || col.Unsupported == AbsentInTarget:
			c.excluded = append(c.excluded, col.Name+" ("+strings.ToLower(col.Unsupported)+")")
		case col.Tp == mysql.TypeFloat || col.Tp == mysql.TypeDouble:
			c.excluded = append(c.excluded, col.Name+" (floating point)")
		default:
			c.cols = append(c.cols, col)
		}
	}
	return c
}

// Excluded names the columns left out, with why.
func (c *Checksum) Excluded() []string { return c.excluded }

// Row returns the CRC32 of row's text (row by column offset); scratch is
// reused for the text and returned.
func (c *Checksum) Row(row []datum.Datum, scratch []byte) (uint32, []byte) {
	b := scratch[:0]
	first := true
	for _, col := range c.cols {
		d := &row[col.Offset]
		if d.IsNull() {
			continue
		}
		if !first {
			b = append(b, ',')
		}
		first = false
		b = appendText(b, col, d)
	}
	if len(c.cols) > 0 {
		if !first {
			b = append(b, ',')
		}
		for _, col := range c.cols {
			if row[col.Offset].IsNull() {
				b = append(b, '1')
			} else {
				b = append(b, '0')
			}
		}
	}
	return crc32.ChecksumIEEE(b), b
}

// appendText is the value's text as CAST(... AS BINARY) gives it.
func appendText(b []byte, col *tablemodel.Column, d *datum.Datum) []byte {
	switch {
	case d.Kind == datum.Bit:
		return strconv.AppendUint(b, d.U, 10)
	case d.Kind == datum.String && col.Tp == mysql.TypeString:
		// CHAR drops its trailing spaces when read (no
		// PAD_CHAR_TO_FULL_LENGTH).
		return append(b, bytes.TrimRight(d.B, " ")...)
	}
	return valueconv.FormatText(col, d, time.UTC, b)
}

// TargetColumn is how the target's table holds a column, as its
// information_schema.COLUMNS says: the charset and collation (empty for a
// column without one) and whether it is NOT NULL.
type TargetColumn struct {
	Charset, Collation string
	NotNull            bool
}

// ForTarget returns the checksum read with the cheapest expression that
// gives the same row text on the target's table (cols by lower-case
// name): a number or time column whose target column has no charset, and
// the utf8 text columns of the one collation most of them share, are read
// as they are instead of through CAST(... AS BINARY) and CONVERT(... USING
// utf8mb4), which cost the server a copy of every value (the checksum of
// a sysbench table reads 3x faster); a NOT NULL column's flag is the
// constant 0. A column the target does not describe keeps the full form.
// The text is the same: CONCAT_WS gives a number's or a time's text as
// CAST does (in the session's time zone), the text columns read as they
// are share one charset, so CONCAT_WS converts none of them (a column
// still cast to binary makes the result binary, which keeps the bytes).
func (c *Checksum) ForTarget(cols map[string]TargetColumn) *Checksum {
	out := &Checksum{cols: c.cols, excluded: c.excluded, plain: map[int]bool{}, notNull: map[int]bool{}}
	count := map[string]int{}
	for _, col := range c.cols {
		tc, ok := cols[strings.ToLower(col.Name)]
		if ok && tablemodel.TypeNeedsCharset(col.Tp) && !strings.EqualFold(col.Charset, "binary") && utf8Collation(tc.Collation) {
			count[strings.ToLower(tc.Collation)]++
		}
	}
	shared := ""
	for coll, n := range count {
		if n > count[shared] || (n == count[shared] && coll < shared) {
			shared = coll
		}
	}
	for _, col := range c.cols {
		tc, ok := cols[strings.ToLower(col.Name)]
		if !ok {
			continue
		}
		out.notNull[col.Offset] = tc.NotNull
		switch {
		case tablemodel.TypeNeedsCharset(col.Tp):
			out.plain[col.Offset] = !strings.EqualFold(col.Charset, "binary") && shared != "" && strings.EqualFold(tc.Collation, shared)
		default:
			out.plain[col.Offset] = tc.Charset == "" && plainType(col.Tp)
		}
	}
	return out
}

// utf8Collation: a collation of utf8mb4 or utf8mb3, whose bytes are the
// converted values' text.
func utf8Collation(coll string) bool {
	coll = strings.ToLower(coll)
	return strings.HasPrefix(coll, "utf8mb4_") || strings.HasPrefix(coll, "utf8mb3_") || strings.HasPrefix(coll, "utf8_")
}

// plainType: a type whose text CONCAT_WS gives as CAST(... AS BINARY)
// does, in ASCII.
func plainType(tp byte) bool {
	switch tp {
	case mysql.TypeTiny, mysql.TypeShort, mysql.TypeInt24, mysql.TypeLong, mysql.TypeLonglong,
		mysql.TypeNewDecimal, mysql.TypeYear, mysql.TypeDate, mysql.TypeNewDate, mysql.TypeDatetime,
		mysql.TypeTimestamp, mysql.TypeDuration:
		return true
	}
	return false
}

// RowExpr is the SQL expression of a row's CRC32.
func (c *Checksum) RowExpr() string {
	if len(c.cols) == 0 {
		return "CRC32('')"
	}
	var vals, flags []string
	constant := true
	for _, col := range c.cols {
		name := QuoteName(col.Name)
		e := name
		switch {
		case c.plain[col.Offset]:
		case col.Tp == mysql.TypeBit:
			e = "CAST(CAST(" + name + " AS UNSIGNED) AS BINARY)"
		case tablemodel.TypeNeedsCharset(col.Tp) && !strings.EqualFold(col.Charset, "binary"):
			// utf8 text, as the converted values hold it, whatever the
			// column's charset.
			e = "CAST(CONVERT(" + name + " USING utf8mb4) AS BINARY)"
		default:
			e = "CAST(" + name + " AS BINARY)"
		}
		vals = append(vals, e)
		if c.notNull[col.Offset] {
			flags = append(flags, "'0'")
		} else {
			flags = append(flags, "ISNULL("+name+")")
			constant = false
		}
	}
	tail := "CONCAT(" + strings.Join(flags, ", ") + ")"
	if constant {
		tail = "'" + strings.Repeat("0", len(flags)) + "'"
	}
	return "CRC32(CONCAT_WS(',', " + strings.Join(vals, ", ") + ", " + tail + "))"
}

// Query returns the statement that reads the table's checksum: one row of
// COUNT, BIT_XOR and SUM (0 for an empty table).
func (c *Checksum) Query(db, table string) string { return c.QueryWhere(db, table, "") }

// QueryWhere is Query over the rows where holds (all for "").
func (c *Checksum) QueryWhere(db, table, where string) string {
	if where != "" {
		where = " WHERE " + where
	}
	return "SELECT COUNT(*), COALESCE(BIT_XOR(h), 0), COALESCE(SUM(h), 0) FROM (SELECT " + c.RowExpr() +
		" AS h FROM " + TableName(db, table) + where + ") AS lightstream_checksum"
}
