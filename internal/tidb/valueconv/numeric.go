package valueconv

import (
	"errors"
	"math"
	"strconv"

	"github.com/lightstream-io/lightstream/internal/tidb/datum"
	"github.com/lightstream-io/lightstream/internal/tidb/literal"
	"github.com/lightstream-io/lightstream/internal/tidb/mydecimal"
	"github.com/lightstream-io/lightstream/internal/tidb/tablemodel"
	"github.com/pingcap/tidb/pkg/parser/mysql"
)

// bytesToUint is a hex/bit literal as an unsigned integer (big-endian);
// ok is false when it needs more than 64 bits.
func bytesToUint(b []byte) (uint64, bool) {
	for len(b) > 0 && b[0] == 0 {
		b = b[1:]
	}
	if len(b) > 8 {
		return 0, false
	}
	var u uint64
	for _, x := range b {
		u = u<<8 | uint64(x)
	}
	return u, true
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

func trimSpace(b []byte) []byte {
	for len(b) > 0 && isSpace(b[0]) {
		b = b[1:]
	}
	for len(b) > 0 && isSpace(b[len(b)-1]) {
		b = b[:len(b)-1]
	}
	return b
}

// intRange is the range of an integer column type.
func intRange(tp byte, unsigned bool) (int64, uint64) {
	var bits uint
	switch tp {
	case mysql.TypeTiny:
		bits = 8
	case mysql.TypeShort:
		bits = 16
	case mysql.TypeInt24:
		bits = 24
	case mysql.TypeLong:
		bits = 32
	default:
		bits = 64
	}
	if unsigned {
		if bits == 64 {
			return 0, math.MaxUint64
		}
		return 0, 1<<bits - 1
	}
	if bits == 64 {
		return math.MinInt64, math.MaxInt64
	}
	return -(1 << (bits - 1)), 1<<(bits-1) - 1
}

// parseDigits reads [sign]digits without allocating; ok is false for
// anything else. overflow is set past 64 bits.
func parseDigits(s []byte) (neg bool, mag uint64, overflow, ok bool) {
	t := s
	if len(t) > 0 && (t[0] == '+' || t[0] == '-') {
		neg = t[0] == '-'
		t = t[1:]
	}
	if len(t) == 0 {
		return false, 0, false, false
	}
	for _, ch := range t {
		if ch < '0' || ch > '9' {
			return false, 0, false, false
		}
		d := uint64(ch - '0')
		if mag > (math.MaxUint64-d)/10 {
			overflow = true
			mag = math.MaxUint64
			continue
		}
		if !overflow {
			mag = mag*10 + d
		}
	}
	return neg && mag != 0, mag, overflow, true
}

// convertInt casts to TINYINT..BIGINT [UNSIGNED] as TiDB's
// Datum.convertToInt/convertToUint do. Text is read by TiDB's StrToInt /
// StrToUint: the longest number prefix ('12abc' is 12, 'abc' and 'NaN' are
// 0, '1e3' is 1000, '1.5' is 2), the rest a truncation; the result is then
// held to the column type's range (ConvertIntToInt / ConvertUintToUint:
// the nearest bound; a negative number into UNSIGNED is 0). Strict mode
// makes a truncation or an out-of-range value an error naming the column;
// otherwise the adjusted value is stored with a warning.
func (c *Converter) convertInt(col *tablemodel.Column, f literal.Field, dst *datum.Datum) error {
	lo, hi := intRange(col.Tp, col.Unsigned)
	var (
		i                   int64
		u                   uint64
		truncated, overflow bool
	)
	switch f.Kind {
	case literal.FieldHex, literal.FieldBit:
		// A binary literal is its unsigned value (BinaryLiteral.ToInt);
		// wider than 64 bits is a truncation to the largest value.
		var ok bool
		u, ok = bytesToUint(f.Bytes)
		if !ok {
			u, truncated = math.MaxUint64, true
		}
		if !col.Unsigned {
			i = int64(u)
			if u > math.MaxInt64 {
				i, overflow = math.MaxInt64, true
			}
		}
	default:
		s := trimNumberSpace(f.Bytes)
		if neg, mag, over, ok := parseDigits(s); ok && !over {
			// Plain digits, the common case, without allocating.
			switch {
			case col.Unsigned && neg:
				overflow = true
			case col.Unsigned:
				u = mag
			case neg && mag > 1<<63:
				i, overflow = math.MinInt64, true
			case neg:
				i = -int64(mag-1) - 1
			case mag > math.MaxInt64:
				i, overflow = math.MaxInt64, true
			default:
				i = int64(mag)
			}
		} else if col.Unsigned {
			u, truncated, overflow = strToUint(s)
		} else {
			i, truncated, overflow = strToInt(s)
		}
	}
	if col.Unsigned {
		if u > hi {
			u, overflow = hi, true
		}
	} else {
		switch {
		case i > int64(hi):
			i, overflow = int64(hi), true
		case i < lo:
			i, overflow = lo, true
		}
	}
	switch {
	case truncated:
		if err := c.bad(valueErr(col.Name, f.Bytes, ErrTruncated, "incorrect integer value")); err != nil {
			return err
		}
	case overflow:
		if err := c.bad(valueErr(col.Name, f.Bytes, ErrOutOfRange, "value outside %d..%d", lo, hi)); err != nil {
			return err
		}
	}
	if col.Unsigned {
		reset(dst, datum.Uint64)
		dst.U = u
		return nil
	}
	reset(dst, datum.Int64)
	dst.I = i
	return nil
}

// parseFloatText parses a float without allocating for the common short
// case.
func parseFloatText(s []byte) (float64, error) {
	var buf [64]byte
	if len(s) <= len(buf) {
		n := copy(buf[:], s)
		return strconv.ParseFloat(string(buf[:n]), 64)
	}
	return strconv.ParseFloat(string(s), 64)
}

func (c *Converter) convertFloat(col *tablemodel.Column, f literal.Field, dst *datum.Datum) error {
	var v float64
	switch f.Kind {
	case literal.FieldHex, literal.FieldBit:
		u, ok := bytesToUint(f.Bytes)
		if !ok {
			if err := c.bad(valueErr(col.Name, f.Bytes, ErrOutOfRange, "literal wider than 64 bits")); err != nil {
				return err
			}
			u = math.MaxUint64
		}
		v = float64(u)
	default:
		// TiDB's StrToFloat: the number prefix ('1.5e3xyz' is 1500,
		// 'NaN' and 'inf' are 0), past the float64 range the largest
		// float64; both are truncations.
		var truncated, outOfRange bool
		v, truncated, outOfRange = strToFloat(f.Bytes)
		switch {
		case outOfRange:
			if err := c.bad(valueErr(col.Name, f.Bytes, ErrOutOfRange, "value outside DOUBLE range")); err != nil {
				return err
			}
		case truncated:
			if err := c.bad(valueErr(col.Name, f.Bytes, ErrTruncated, "incorrect floating point value")); err != nil {
				return err
			}
		}
	}
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return valueErr(col.Name, f.Bytes, ErrOutOfRange, "not a finite number")
	}
	// FLOAT(M,D)/DOUBLE(M,D): round to D decimals, max 10^(M-D) - 10^-D
	// (types.TruncateFloat via ProduceFloatWithSpecifiedTp).
	if col.Decimal >= 0 && col.Decimal < 31 && col.Flen > 0 && col.Flen >= col.Decimal {
		pow := math.Pow10(col.Decimal)
		r := math.Round(v*pow) / pow
		if math.IsInf(v*pow, 0) {
			r = v
		}
		maxV := math.Pow10(col.Flen-col.Decimal) - 1/pow
		if math.Abs(r) > maxV {
			if err := c.bad(valueErr(col.Name, f.Bytes, ErrOutOfRange, "value exceeds FLOAT/DOUBLE(%d,%d)", col.Flen, col.Decimal)); err != nil {
				return err
			}
			r = math.Copysign(maxV, r)
		}
		v = r
	}
	if col.Unsigned && v < 0 {
		if err := c.bad(valueErr(col.Name, f.Bytes, ErrOutOfRange, "negative value for UNSIGNED column")); err != nil {
			return err
		}
		v = 0
	}
	if col.Tp == mysql.TypeFloat {
		if math.Abs(v) > math.MaxFloat32 {
			if err := c.bad(valueErr(col.Name, f.Bytes, ErrOutOfRange, "value outside FLOAT range")); err != nil {
				return err
			}
			v = math.Copysign(math.MaxFloat32, v)
		}
		reset(dst, datum.Float32)
		dst.F = float64(float32(v))
		return nil
	}
	reset(dst, datum.Float64)
	dst.F = v
	return nil
}

// convertDecimal rounds to the column scale (types.ProduceDecWithSpecifiedTp).
// Non-strict mode stores the column's max/min for an overflow and the
// number prefix of malformed text, with a warning.
func (c *Converter) convertDecimal(col *tablemodel.Column, f literal.Field, dst *datum.Datum) error {
	text := f.Bytes
	if f.Kind == literal.FieldHex || f.Kind == literal.FieldBit {
		// Declared here: the text reaches error messages, so the buffer
		// escapes, and only this rare case should pay the allocation.
		var num [24]byte
		u, ok := bytesToUint(f.Bytes)
		if !ok {
			if err := c.bad(valueErr(col.Name, f.Bytes, ErrOutOfRange, "literal wider than 64 bits")); err != nil {
				return err
			}
			u = math.MaxUint64
		}
		text = strconv.AppendUint(num[:0], u, 10)
	}
	reset(dst, datum.Decimal)
	dst.Prec, dst.Frac = uint8(col.Flen), int8(col.Decimal)
	b, err := mydecimal.ConvertToColumn(trimSpace(text), col.Flen, col.Decimal, col.Unsigned, dst.B[:0])
	if err == nil {
		dst.B = b
		return nil
	}
	sentinel := ErrTruncated
	if errors.Is(err, mydecimal.ErrOverflow) {
		sentinel = ErrOutOfRange
	}
	if err := c.bad(wrapErr(col.Name, f.Bytes, sentinel, err)); err != nil {
		return err
	}
	if sentinel == ErrTruncated {
		text, _ = validFloatPrefix(trimNumberSpace(text))
	}
	d, perr := mydecimal.Parse(trimSpace(text))
	if perr != nil {
		d = mydecimal.FromInt(0)
	}
	// AdjustToColumn returns the clamped value along with ErrOverflow.
	d, _ = mydecimal.AdjustToColumn(d, col.Flen, col.Decimal, col.Unsigned)
	if dst.B, err = d.ToBin(col.Flen, col.Decimal, dst.B[:0]); err != nil {
		return wrapErr(col.Name, f.Bytes, ErrOutOfRange, err)
	}
	return nil
}
