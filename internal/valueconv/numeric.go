package valueconv

import (
	"errors"
	"fmt"
	"math"
	"strconv"

	"github.com/lightstream-io/lightstream/internal/datum"
	"github.com/lightstream-io/lightstream/internal/mydecimal"
	"github.com/lightstream-io/lightstream/internal/rowparse"
	"github.com/lightstream-io/lightstream/internal/tablemodel"
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

// floatPrefix is the longest prefix of b that reads as a number
// ([sign] digits [. digits] [e [sign] digits]), what TiDB keeps of a
// malformed number in non-strict mode (types.getValidFloatPrefix); "0"
// when there is none.
func floatPrefix(b []byte) []byte {
	b = trimSpace(b)
	i := 0
	if i < len(b) && (b[i] == '+' || b[i] == '-') {
		i++
	}
	digits := 0
	for i < len(b) && b[i] >= '0' && b[i] <= '9' {
		i++
		digits++
	}
	if i < len(b) && b[i] == '.' {
		j := i + 1
		for j < len(b) && b[j] >= '0' && b[j] <= '9' {
			j++
			digits++
		}
		i = j
	}
	if digits == 0 {
		return []byte("0")
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		j := i + 1
		if j < len(b) && (b[j] == '+' || b[j] == '-') {
			j++
		}
		k := j
		for k < len(b) && b[k] >= '0' && b[k] <= '9' {
			k++
		}
		if k > j {
			i = k
		}
	}
	return b[:i]
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

// parseIntText reads number text for an integer column the way TiDB casts
// a string (types.StrToInt via getValidFloatPrefix and rounding, not
// truncation: '1.5' -> 2, '-2.5' -> -3, '1e3' -> 1000). neg reports a
// negative value; mag its magnitude. overflow is set when it does not fit
// 64 bits.
func parseIntText(b []byte) (neg bool, mag uint64, overflow bool, err error) {
	s := trimSpace(b)
	if len(s) == 0 {
		return false, 0, false, errors.New("empty string is not an integer")
	}
	if neg, mag, overflow, ok := parseDigits(s); ok {
		return neg, mag, overflow, nil
	}
	d, e := mydecimal.Parse(s)
	if e != nil {
		f, ferr := strconv.ParseFloat(string(s), 64)
		if ferr != nil && !errors.Is(ferr, strconv.ErrRange) {
			return false, 0, false, fmt.Errorf("not an integer")
		}
		f = math.Round(f)
		if math.Abs(f) >= 1<<64 || math.IsInf(f, 0) {
			return f < 0, math.MaxUint64, true, nil
		}
		return f < 0, uint64(math.Abs(f)), false, nil
	}
	d = d.Round(0)
	if d.IsNegative() {
		v, e := d.ToInt64()
		if e != nil {
			return true, math.MaxUint64, true, nil
		}
		if v == math.MinInt64 {
			return true, 1 << 63, false, nil
		}
		return v != 0, uint64(-v), false, nil
	}
	u, e := d.ToUint64()
	if e != nil {
		return false, math.MaxUint64, true, nil
	}
	return false, u, false, nil
}

func (c *Converter) convertInt(col *tablemodel.Column, f rowparse.Field, dst *datum.Datum) error {
	var neg, overflow bool
	var mag uint64
	switch f.Kind {
	case rowparse.FieldHex, rowparse.FieldBit:
		var ok bool
		mag, ok = bytesToUint(f.Bytes)
		overflow = !ok
	default:
		var err error
		neg, mag, overflow, err = parseIntText(f.Bytes)
		if err != nil {
			if err := c.bad(valueErr(col.Name, f.Bytes, ErrTruncated, "incorrect integer value: %v", err)); err != nil {
				return err
			}
			neg, mag, overflow, _ = parseIntText(floatPrefix(f.Bytes))
		}
	}
	if mag == 0 {
		neg = false
	}
	lo, hi := intRange(col.Tp, col.Unsigned)
	if col.Unsigned {
		reset(dst, datum.Uint64)
		switch {
		case neg:
			if err := c.bad(valueErr(col.Name, f.Bytes, ErrOutOfRange, "negative value for UNSIGNED column")); err != nil {
				return err
			}
			dst.U = 0
		case overflow || mag > hi:
			if err := c.bad(valueErr(col.Name, f.Bytes, ErrOutOfRange, "value exceeds %d", hi)); err != nil {
				return err
			}
			dst.U = hi
		default:
			dst.U = mag
		}
		return nil
	}
	reset(dst, datum.Int64)
	var v int64
	var outside bool
	switch {
	case overflow:
		outside = true
	case neg:
		if mag > uint64(-(lo+1))+1 {
			outside = true
		} else {
			v = -int64(mag-1) - 1
		}
	default:
		if mag > uint64(hi) {
			outside = true
		} else {
			v = int64(mag)
		}
	}
	if outside {
		if err := c.bad(valueErr(col.Name, f.Bytes, ErrOutOfRange, "value outside %d..%d", lo, hi)); err != nil {
			return err
		}
		v = int64(hi)
		if neg {
			v = lo
		}
	}
	dst.I = v
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

func (c *Converter) convertFloat(col *tablemodel.Column, f rowparse.Field, dst *datum.Datum) error {
	var v float64
	switch f.Kind {
	case rowparse.FieldHex, rowparse.FieldBit:
		u, ok := bytesToUint(f.Bytes)
		if !ok {
			if err := c.bad(valueErr(col.Name, f.Bytes, ErrOutOfRange, "literal wider than 64 bits")); err != nil {
				return err
			}
			u = math.MaxUint64
		}
		v = float64(u)
	default:
		var err error
		v, err = parseFloatText(trimSpace(f.Bytes))
		if err != nil {
			if errors.Is(err, strconv.ErrRange) {
				if err := c.bad(valueErr(col.Name, f.Bytes, ErrOutOfRange, "value outside DOUBLE range")); err != nil {
					return err
				}
			} else {
				if err := c.bad(valueErr(col.Name, f.Bytes, ErrTruncated, "incorrect floating point value")); err != nil {
					return err
				}
				v, _ = parseFloatText(floatPrefix(f.Bytes))
			}
			if math.IsInf(v, 0) {
				v = math.Copysign(math.MaxFloat64, v)
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
func (c *Converter) convertDecimal(col *tablemodel.Column, f rowparse.Field, dst *datum.Datum) error {
	text := f.Bytes
	if f.Kind == rowparse.FieldHex || f.Kind == rowparse.FieldBit {
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
		text = floatPrefix(text)
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
