package valueconv

import (
	"math"
	"time"

	"github.com/lightstream-io/lightstream/internal/tidb/datum"
	"github.com/lightstream-io/lightstream/internal/tidb/literal"
	"github.com/lightstream-io/lightstream/internal/tidb/mytime"
	"github.com/lightstream-io/lightstream/internal/tidb/tablemodel"
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

func (c *Converter) convertTime(col *tablemodel.Column, f literal.Field, dst *datum.Datum) error {
	return c.convertTimeIn(col, f, c.s.Loc, dst)
}

// convertTimeIn casts to DATE/DATETIME/TIMESTAMP in zone loc. A value the
// type rejects is an error in strict mode and the zero date with a warning
// otherwise (table.handleZeroDatetime; mytime returns the zero time along
// with the error).
func (c *Converter) convertTimeIn(col *tablemodel.Column, f literal.Field, loc *time.Location, dst *datum.Datum) error {
	tp, fsp := timeType(col.Tp), fspOf(col)
	if f.Kind == literal.FieldString {
		if t, ok := fastTime(f.Bytes, tp, fsp, loc); ok {
			reset(dst, datum.Time)
			dst.U, dst.Frac = t.Pack(), int8(fsp)
			return nil
		}
	}
	var t mytime.Time
	var err error
	switch f.Kind {
	case literal.FieldNumber, literal.FieldBool:
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
func (c *Converter) convertDuration(col *tablemodel.Column, f literal.Field, dst *datum.Datum) error {
	fsp := fspOf(col)
	var ns int64
	var err error
	switch f.Kind {
	case literal.FieldNumber, literal.FieldBool:
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

// convertYear casts to YEAR as TiDB's Datum.ConvertToMysqlYear does: an
// integer is its value; text goes through StrToInt (the number prefix,
// rounded: '1e3' is 1000, '12abc' is 12) and a text zero other than
// '0000' that starts with 0 is the year 2000; then AdjustYear: 1..69 are
// 2001..2069, 70..99 are 1970..1999, the rest is held to 1901..2155 (0
// stays 0). A truncation or a year out of range is a warning, or an
// error in strict mode.
func (c *Converter) convertYear(col *tablemodel.Column, f literal.Field, dst *datum.Datum) error {
	var (
		y                   int64
		adjustZero          bool
		truncated, overflow bool
	)
	if neg, mag, ok := integerField(f); ok {
		switch {
		case neg && mag > 1<<63, !neg && mag > math.MaxInt64:
			overflow = true
		case neg:
			y = -int64(mag-1) - 1
		default:
			y = int64(mag)
		}
	} else if f.Kind == literal.FieldHex || f.Kind == literal.FieldBit {
		u, ok := bytesToUint(f.Bytes)
		if !ok || u > math.MaxInt64 {
			overflow = true
		}
		y = int64(u)
	} else {
		trimmed := trimNumberSpace(f.Bytes)
		y, truncated, overflow = strToInt(trimmed)
		adjustZero = len(f.Bytes) != 4 && y == 0 && len(trimmed) > 0 && trimmed[0] == '0'
	}
	reset(dst, datum.Int64)
	if overflow {
		// ConvertToMysqlYear returns 0 with the overflow error.
		dst.I = 0
		return c.bad(valueErr(col.Name, f.Bytes, ErrOutOfRange, "year out of range"))
	}
	outside := false
	switch {
	case y == 0 && !adjustZero:
	case y >= 0 && y <= 69:
		y += 2000
	case y >= 70 && y <= 99:
		y += 1900
	}
	switch {
	case y < 0:
		y, outside = 0, true
	case y != 0 && y < 1901:
		y, outside = 1901, true
	case y > 2155:
		y, outside = 2155, true
	}
	dst.I = y
	switch {
	case truncated:
		return c.bad(valueErr(col.Name, f.Bytes, ErrTruncated, "incorrect year value"))
	case outside:
		return c.bad(valueErr(col.Name, f.Bytes, ErrOutOfRange, "year outside 1901..2155"))
	}
	return nil
}
