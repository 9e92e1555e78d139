package valueconv

import (
	"strconv"
	"time"

	"github.com/lightstream-io/lightstream/internal/datum"
	"github.com/lightstream-io/lightstream/internal/mytime"
	"github.com/lightstream-io/lightstream/internal/rowparse"
	"github.com/lightstream-io/lightstream/internal/tablemodel"
	"github.com/pingcap/tidb/pkg/parser/mysql"
)

func timeType(tp byte) mytime.Type {
	switch tp {
	case mysql.TypeDate:
		return mytime.Date
	case mysql.TypeTimestamp:
		return mytime.Timestamp
	}
	return mytime.Datetime
}

func fspOf(col *tablemodel.Column) int {
	if col.Tp == mysql.TypeDate || col.Decimal < 0 {
		return 0
	}
	return col.Decimal
}

func (c *Converter) convertTime(col *tablemodel.Column, f rowparse.Field, dst *datum.Datum) error {
	return c.convertTimeIn(col, f, c.s.Loc, dst)
}

// convertTimeIn casts to DATE/DATETIME/TIMESTAMP in zone loc. A value the
// type rejects is an error in strict mode and the zero date with a warning
// otherwise (table.handleZeroDatetime; mytime returns the zero time along
// with the error).
func (c *Converter) convertTimeIn(col *tablemodel.Column, f rowparse.Field, loc *time.Location, dst *datum.Datum) error {
	tp, fsp := timeType(col.Tp), fspOf(col)
	if f.Kind == rowparse.FieldString {
		if t, ok := fastTime(f.Bytes, tp, fsp, loc); ok {
			reset(dst, datum.Time)
			dst.U, dst.Frac = t.Pack(), int8(fsp)
			return nil
		}
	}
	var t mytime.Time
	var err error
	switch f.Kind {
	case rowparse.FieldNumber, rowparse.FieldBool:
		t, err = mytime.ParseTimeFromNumeric(trimSpace(f.Bytes), tp, fsp, c.s.Mode, loc)
	default:
		t, err = mytime.ParseTimeIn(f.Bytes, tp, fsp, c.s.Mode, loc)
	}
	if err != nil {
		if err := c.bad(wrapErr(col.Name, f.Bytes, ErrInvalidValue, err)); err != nil {
			return err
		}
		t = mytime.Time{}
	}
	if tp == mytime.Timestamp {
		if t, err = mytime.ToUTC(t, loc); err != nil {
			if err := c.bad(wrapErr(col.Name, f.Bytes, ErrInvalidValue, err)); err != nil {
				return err
			}
			t = mytime.Time{}
		}
	}
	reset(dst, datum.Time)
	dst.U, dst.Frac = t.Pack(), int8(fsp)
	return nil
}

// convertDuration casts to TIME(fsp); out-of-range values are clamped to
// ±838:59:59 and unreadable ones are 00:00:00 in non-strict mode.
func (c *Converter) convertDuration(col *tablemodel.Column, f rowparse.Field, dst *datum.Datum) error {
	fsp := fspOf(col)
	var ns int64
	var err error
	switch f.Kind {
	case rowparse.FieldNumber, rowparse.FieldBool:
		ns, err = mytime.ParseDurationFromNumber(trimSpace(f.Bytes), fsp)
	default:
		ns, err = mytime.ParseDuration(f.Bytes, fsp)
	}
	if err != nil {
		if err := c.bad(wrapErr(col.Name, f.Bytes, ErrInvalidValue, err)); err != nil {
			return err
		}
	}
	reset(dst, datum.Duration)
	dst.I, dst.Frac = ns, int8(fsp)
	return nil
}

// convertYear casts to YEAR; non-strict mode keeps mytime's clamped value
// (1901/2155, or 0 for text that is no number).
func (c *Converter) convertYear(col *tablemodel.Column, f rowparse.Field, dst *datum.Datum) error {
	text, isNum := f.Bytes, f.Kind == rowparse.FieldNumber || f.Kind == rowparse.FieldBool
	var num [24]byte
	if f.Kind == rowparse.FieldHex || f.Kind == rowparse.FieldBit {
		u, _ := bytesToUint(f.Bytes)
		text, isNum = strconv.AppendUint(num[:0], u, 10), true
	}
	y, err := mytime.ParseYear(text, isNum)
	if err != nil {
		if err := c.bad(wrapErr(col.Name, f.Bytes, ErrOutOfRange, err)); err != nil {
			return err
		}
	}
	reset(dst, datum.Int64)
	dst.I = y
	return nil
}
