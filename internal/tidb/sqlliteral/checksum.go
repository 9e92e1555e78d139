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

// RowExpr is the SQL expression of a row's CRC32.
func (c *Checksum) RowExpr() string {
	if len(c.cols) == 0 {
		return "CRC32('')"
	}
	var vals, flags []string
	for _, col := range c.cols {
		name := QuoteName(col.Name)
		e := name
		switch {
		case col.Tp == mysql.TypeBit:
			e = "CAST(" + name + " AS UNSIGNED)"
		case tablemodel.TypeNeedsCharset(col.Tp) && !strings.EqualFold(col.Charset, "binary"):
			// utf8 text, as the converted values hold it, whatever the
			// column's charset.
			e = "CONVERT(" + name + " USING utf8mb4)"
		}
		vals = append(vals, "CAST("+e+" AS BINARY)")
		flags = append(flags, "ISNULL("+name+")")
	}
	return "CRC32(CONCAT_WS(',', " + strings.Join(vals, ", ") + ", CONCAT(" + strings.Join(flags, ", ") + ")))"
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
