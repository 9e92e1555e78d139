package valueconv

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/lightstream-io/lightstream/internal/tidb/datum"
	"github.com/lightstream-io/lightstream/internal/tidb/literal"
)

// ErrColumnMismatch is returned when a row's fields do not match the
// column list (wrong count, unknown column name).
var ErrColumnMismatch = errors.New("row does not match the columns")

// GeneratedEvaluator fills the generated columns of a row whose other
// columns are converted.
type GeneratedEvaluator interface {
	Eval(row []datum.Datum) error
}

// RowBuilder maps the fields of dump rows onto a table's columns.
type RowBuilder struct {
	conv *Converter
	gen  GeneratedEvaluator
	// target[i] is the column offset of field i, -1 for _tidb_rowid.
	target []int
	// given[offset] says a field provides the column.
	given []bool
	// autoInc is the offset of the AUTO_INCREMENT/AUTO_RANDOM handle
	// column that gets the row ID when NULL or omitted (-1 if none).
	autoInc int
	// num is scratch for the row ID's text.
	num [24]byte
	// omitted are the offsets that take their default; generated those
	// computed after conversion (both precomputed: Build runs per row).
	omitted, generated []int
	// allDefaults maps a row with no values under no column list
	// (`INSERT INTO t VALUES ()`): MySQL and TiDB give every column its
	// default then, as for `INSERT INTO t () VALUES ()` (TiDB's
	// buildValuesListOfInsert). Set only when the column list is nil.
	allDefaults *RowBuilder
}

const rowIDField = -1

// NewRowBuilder prepares the mapping for a column list (an INSERT column
// list or a CSV header); nil means every non-generated column in order,
// unsupported (GEOMETRY) columns included so positional values align, and
// an empty list (`INSERT INTO t () VALUES ()`) means no column is given:
// every one takes its default.
func NewRowBuilder(conv *Converter, columns []string, gen GeneratedEvaluator) (*RowBuilder, error) {
	t := conv.t
	rb := &RowBuilder{conv: conv, gen: gen, given: make([]bool, len(t.Columns)), autoInc: -1}
	if columns == nil {
		for _, col := range t.Columns {
			if !col.IsGenerated() {
				rb.target = append(rb.target, col.Offset)
			}
		}
	} else {
		for _, name := range columns {
			if strings.EqualFold(name, "_tidb_rowid") {
				rb.target = append(rb.target, rowIDField)
				continue
			}
			col := t.Column(name)
			if col == nil {
				return nil, fmt.Errorf("%w: table %s has no column %q", ErrColumnMismatch, t.Name, name)
			}
			if col.IsGenerated() {
				return nil, fmt.Errorf("%w: column %q of table %s is generated and cannot be given", ErrColumnMismatch, name, t.Name)
			}
			if rb.given[col.Offset] {
				return nil, fmt.Errorf("%w: column %q listed twice", ErrColumnMismatch, name)
			}
			rb.target = append(rb.target, col.Offset)
		}
	}
	for _, off := range rb.target {
		if off >= 0 {
			rb.given[off] = true
		}
	}
	for _, col := range t.Columns {
		if col.AutoIncrement || col.AutoRandom {
			rb.autoInc = col.Offset
			break
		}
	}
	for off, given := range rb.given {
		switch {
		case t.Columns[off].IsGenerated():
			rb.generated = append(rb.generated, off)
		case !given && off != rb.autoInc:
			rb.omitted = append(rb.omitted, off)
		}
	}
	if columns == nil && len(rb.target) > 0 {
		var err error
		if rb.allDefaults, err = NewRowBuilder(conv, []string{}, gen); err != nil {
			return nil, err
		}
	}
	return rb, nil
}

// Build converts fields into row (len(row) must be the number of table
// columns) and returns the row's effective row ID: rowID, or the value of a
// _tidb_rowid field. Omitted columns get their defaults; an AUTO_INCREMENT
// column given NULL or omitted gets the row ID (cast to its type, SPEC §8);
// unsupported columns are left NULL; generated columns are then evaluated.
func (rb *RowBuilder) Build(fields []literal.Field, rowID int64, row []datum.Datum) (int64, error) {
	c := rb.conv
	if len(row) != len(c.cols) {
		return rowID, fmt.Errorf("row buffer has %d columns, table %s has %d", len(row), c.t.Name, len(c.cols))
	}
	if len(fields) == 0 && rb.allDefaults != nil {
		return rb.allDefaults.Build(fields, rowID, row)
	}
	if len(fields) != len(rb.target) {
		return rowID, fmt.Errorf("%w: table %s expects %d values, got %d", ErrColumnMismatch, c.t.Name, len(rb.target), len(fields))
	}
	for i := range fields {
		f := &fields[i]
		off := rb.target[i]
		if off == rowIDField {
			neg, mag, overflow, ok := parseDigits(trimSpace(f.Bytes))
			if !ok || overflow || f.Kind == literal.FieldNull || (!neg && mag > math.MaxInt64) || (neg && mag > 1<<63) {
				return rowID, valueErr("_tidb_rowid", f.Bytes, ErrInvalidValue, "not a row ID")
			}
			rowID = int64(mag)
			if neg {
				rowID = -int64(mag-1) - 1
			}
			continue
		}
		if err := c.convert(&c.cols[off], f, &row[off]); err != nil {
			return rowID, err
		}
	}
	for _, off := range rb.omitted {
		if err := c.Default(off, &row[off]); err != nil {
			return rowID, err
		}
	}
	if rb.autoInc >= 0 && (!rb.given[rb.autoInc] || row[rb.autoInc].IsNull()) {
		col := c.cols[rb.autoInc].col
		if col.AutoRandom {
			// AUTO_RANDOM handles are composed by the encoder from the
			// shard bits and the row ID (SPEC §8); leave NULL for it.
			setNull(&row[rb.autoInc])
		} else {
			f := literal.Field{Kind: literal.FieldNumber, Bytes: strconv.AppendInt(rb.num[:0], rowID, 10)}
			if err := c.Convert(rb.autoInc, f, &row[rb.autoInc]); err != nil {
				return rowID, err
			}
		}
	}
	for _, off := range rb.generated {
		setNull(&row[off])
	}
	if rb.gen != nil {
		if err := rb.gen.Eval(row); err != nil {
			return rowID, fmt.Errorf("table %s: generated columns: %w", c.t.Name, err)
		}
	}
	return rowID, nil
}
