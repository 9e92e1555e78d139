package valueconv

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/lightstream-io/lightstream/internal/datum"
	"github.com/lightstream-io/lightstream/internal/mydecimal"
	"github.com/lightstream-io/lightstream/internal/mytime"
	"github.com/lightstream-io/lightstream/internal/rowparse"
	"github.com/lightstream-io/lightstream/internal/sqlmode"
	"github.com/lightstream-io/lightstream/internal/tablemodel"
	"github.com/pingcap/tidb/pkg/parser/mysql"
)

// Session is what conversion needs from the importing session.
type Session struct {
	// Mode is the SQL mode (strictness, zero dates).
	Mode sqlmode.Mode
	// Loc is the session time zone TIMESTAMP values are read in (UTC if nil).
	Loc *time.Location
	// Now is the statement time DEFAULT CURRENT_TIMESTAMP uses.
	Now time.Time
}

// JSONEncoder turns JSON text into TiDB's binary JSON (type byte + body),
// appending to dst. It is set by the package that implements the codec
// (internal/jsonbin); while nil, JSON columns fail with ErrUnsupported.
var JSONEncoder func(text, dst []byte) ([]byte, error)

// JSONFormatter prints TiDB binary JSON as MySQL's JSON text; nil prints
// nothing useful (hex) until internal/jsonbin sets it.
var JSONFormatter func(bin, dst []byte) ([]byte, error)

// Converter converts dump fields to the Datums of one table's columns.
type Converter struct {
	t    *tablemodel.Table
	s    Session
	cols []colConv
}

type colConv struct {
	col *tablemodel.Column
	// ci: ENUM/SET members compare case-insensitively (a _ci collation).
	ci bool
}

// NewConverter prepares conversion for the columns of t.
func NewConverter(t *tablemodel.Table, s Session) (*Converter, error) {
	if s.Loc == nil {
		s.Loc = time.UTC
	}
	if s.Now.IsZero() {
		s.Now = time.Now()
	}
	c := &Converter{t: t, s: s, cols: make([]colConv, len(t.Columns))}
	for i, col := range t.Columns {
		if col.Offset != i {
			return nil, fmt.Errorf("table %s: column %s has offset %d at position %d", t.Name, col.Name, col.Offset, i)
		}
		c.cols[i] = colConv{col: col, ci: strings.HasSuffix(col.Collate, "_ci")}
	}
	return c, nil
}

// Table returns the table the converter was built for.
func (c *Converter) Table() *tablemodel.Table { return c.t }

// Convert casts field f to the type of the column at offset, into dst (whose
// byte buffer is reused). NULL into a NOT NULL column is an error, except
// for AUTO_INCREMENT/AUTO_RANDOM columns whose NULL the row builder replaces.
func (c *Converter) Convert(offset int, f rowparse.Field, dst *datum.Datum) error {
	if offset < 0 || offset >= len(c.cols) {
		return fmt.Errorf("column offset %d out of range (table %s has %d columns)", offset, c.t.Name, len(c.cols))
	}
	cc := &c.cols[offset]
	col := cc.col
	switch f.Kind {
	case rowparse.FieldDefault:
		return c.Default(offset, dst)
	case rowparse.FieldNull:
		setNull(dst)
		if col.NotNull && !col.AutoIncrement && !col.AutoRandom && c.s.Mode.Strict() {
			return valueErr(col.Name, []byte("NULL"), ErrInvalidValue, "column cannot be null")
		}
		return nil
	}
	if col.Unsupported != "" {
		setNull(dst)
		return nil
	}
	switch col.Tp {
	case mysql.TypeTiny, mysql.TypeShort, mysql.TypeInt24, mysql.TypeLong, mysql.TypeLonglong:
		return c.convertInt(col, f, dst)
	case mysql.TypeFloat, mysql.TypeDouble:
		return c.convertFloat(col, f, dst)
	case mysql.TypeNewDecimal:
		return c.convertDecimal(col, f, dst)
	case mysql.TypeDate, mysql.TypeDatetime, mysql.TypeTimestamp:
		return c.convertTime(col, f, dst)
	case mysql.TypeDuration:
		return c.convertDuration(col, f, dst)
	case mysql.TypeYear:
		return c.convertYear(col, f, dst)
	case mysql.TypeBit:
		return c.convertBit(col, f, dst)
	case mysql.TypeEnum:
		return c.convertEnum(cc, f, dst)
	case mysql.TypeSet:
		return c.convertSet(cc, f, dst)
	case mysql.TypeJSON:
		return c.convertJSON(col, f, dst)
	case mysql.TypeString, mysql.TypeVarchar, mysql.TypeVarString,
		mysql.TypeTinyBlob, mysql.TypeBlob, mysql.TypeMediumBlob, mysql.TypeLongBlob:
		return c.convertString(col, f, dst)
	}
	return valueErr(col.Name, f.Bytes, ErrUnsupported, "column type %d is not supported", col.Tp)
}

func setNull(dst *datum.Datum) {
	b := dst.B[:0]
	*dst = datum.Datum{B: b}
}

// reset prepares dst for a new value of kind k, keeping its buffer.
func reset(dst *datum.Datum, k datum.Kind) {
	b := dst.B[:0]
	*dst = datum.Datum{Kind: k, B: b}
}

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

func trimSpace(b []byte) []byte {
	for len(b) > 0 && (b[0] == ' ' || b[0] == '\t' || b[0] == '\n' || b[0] == '\r') {
		b = b[1:]
	}
	for len(b) > 0 && (b[len(b)-1] == ' ' || b[len(b)-1] == '\t' || b[len(b)-1] == '\n' || b[len(b)-1] == '\r') {
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
	t := s
	if t[0] == '+' || t[0] == '-' {
		neg = t[0] == '-'
		t = t[1:]
	}
	allDigits := len(t) > 0
	for _, ch := range t {
		if ch < '0' || ch > '9' {
			allDigits = false
			break
		}
	}
	if allDigits {
		u, e := strconv.ParseUint(string(t), 10, 64)
		if e != nil {
			return neg, math.MaxUint64, true, nil
		}
		return neg && u != 0, u, false, nil
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
			return valueErr(col.Name, f.Bytes, ErrTruncated, "incorrect integer value: %v", err)
		}
	}
	if mag == 0 {
		neg = false
	}
	lo, hi := intRange(col.Tp, col.Unsigned)
	strict := c.s.Mode.Strict()
	if col.Unsigned {
		reset(dst, datum.Uint64)
		switch {
		case neg:
			if strict {
				return valueErr(col.Name, f.Bytes, ErrOutOfRange, "negative value for UNSIGNED column")
			}
			dst.U = 0
		case overflow || mag > hi:
			if strict {
				return valueErr(col.Name, f.Bytes, ErrOutOfRange, "value exceeds %d", hi)
			}
			dst.U = hi
		default:
			dst.U = mag
		}
		return nil
	}
	reset(dst, datum.Int64)
	var v int64
	var bad bool
	switch {
	case overflow:
		bad = true
	case neg:
		if mag > uint64(-(lo+1))+1 {
			bad = true
		} else {
			v = -int64(mag-1) - 1
		}
	default:
		if mag > uint64(hi) {
			bad = true
		} else {
			v = int64(mag)
		}
	}
	if bad {
		if strict {
			return valueErr(col.Name, f.Bytes, ErrOutOfRange, "value outside %d..%d", lo, hi)
		}
		v = int64(hi)
		if neg {
			v = lo
		}
	}
	dst.I = v
	return nil
}

func (c *Converter) convertFloat(col *tablemodel.Column, f rowparse.Field, dst *datum.Datum) error {
	var v float64
	switch f.Kind {
	case rowparse.FieldHex, rowparse.FieldBit:
		u, ok := bytesToUint(f.Bytes)
		if !ok {
			return valueErr(col.Name, f.Bytes, ErrOutOfRange, "literal wider than 64 bits")
		}
		v = float64(u)
	default:
		s := trimSpace(f.Bytes)
		var err error
		v, err = strconv.ParseFloat(string(s), 64)
		if err != nil {
			if errors.Is(err, strconv.ErrRange) {
				return valueErr(col.Name, f.Bytes, ErrOutOfRange, "value outside DOUBLE range")
			}
			return valueErr(col.Name, f.Bytes, ErrTruncated, "incorrect floating point value")
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
			if c.s.Mode.Strict() {
				return valueErr(col.Name, f.Bytes, ErrOutOfRange, "value exceeds FLOAT/DOUBLE(%d,%d)", col.Flen, col.Decimal)
			}
			r = math.Copysign(maxV, r)
		}
		v = r
	}
	if col.Unsigned && v < 0 {
		if c.s.Mode.Strict() {
			return valueErr(col.Name, f.Bytes, ErrOutOfRange, "negative value for UNSIGNED column")
		}
		v = 0
	}
	if col.Tp == mysql.TypeFloat {
		if math.Abs(v) > math.MaxFloat32 {
			if c.s.Mode.Strict() {
				return valueErr(col.Name, f.Bytes, ErrOutOfRange, "value outside FLOAT range")
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

func (c *Converter) convertDecimal(col *tablemodel.Column, f rowparse.Field, dst *datum.Datum) error {
	text := f.Bytes
	if f.Kind == rowparse.FieldHex || f.Kind == rowparse.FieldBit {
		u, ok := bytesToUint(f.Bytes)
		if !ok {
			return valueErr(col.Name, f.Bytes, ErrOutOfRange, "literal wider than 64 bits")
		}
		text = strconv.AppendUint(nil, u, 10)
	}
	reset(dst, datum.Decimal)
	b, err := mydecimal.ConvertToColumn(trimSpace(text), col.Flen, col.Decimal, col.Unsigned, dst.B[:0])
	if err != nil {
		if errors.Is(err, mydecimal.ErrOverflow) {
			return wrapErr(col.Name, f.Bytes, ErrOutOfRange, err)
		}
		return wrapErr(col.Name, f.Bytes, ErrTruncated, err)
	}
	dst.B, dst.Prec, dst.Frac = b, uint8(col.Flen), int8(col.Decimal)
	return nil
}

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

func (c *Converter) convertTimeIn(col *tablemodel.Column, f rowparse.Field, loc *time.Location, dst *datum.Datum) error {
	tp, fsp := timeType(col.Tp), fspOf(col)
	var t mytime.Time
	var err error
	if f.Kind == rowparse.FieldNumber {
		t, err = mytime.ParseTimeFromNumeric(trimSpace(f.Bytes), tp, fsp, c.s.Mode, loc)
	} else {
		t, err = mytime.ParseTimeIn(f.Bytes, tp, fsp, c.s.Mode, loc)
	}
	if err != nil && c.s.Mode.Strict() {
		return wrapErr(col.Name, f.Bytes, ErrInvalidValue, err)
	}
	if tp == mytime.Timestamp {
		t, err = mytime.ToUTC(t, loc)
		if err != nil && c.s.Mode.Strict() {
			return wrapErr(col.Name, f.Bytes, ErrInvalidValue, err)
		}
	}
	reset(dst, datum.Time)
	dst.U, dst.Frac = t.Pack(), int8(fsp)
	return nil
}

func (c *Converter) convertDuration(col *tablemodel.Column, f rowparse.Field, dst *datum.Datum) error {
	fsp := fspOf(col)
	var ns int64
	var err error
	if f.Kind == rowparse.FieldNumber {
		ns, err = mytime.ParseDurationFromNumber(trimSpace(f.Bytes), fsp)
	} else {
		ns, err = mytime.ParseDuration(f.Bytes, fsp)
	}
	if err != nil && c.s.Mode.Strict() {
		return wrapErr(col.Name, f.Bytes, ErrInvalidValue, err)
	}
	reset(dst, datum.Duration)
	dst.I, dst.Frac = ns, int8(fsp)
	return nil
}

func (c *Converter) convertYear(col *tablemodel.Column, f rowparse.Field, dst *datum.Datum) error {
	text, isNum := f.Bytes, f.Kind == rowparse.FieldNumber
	if f.Kind == rowparse.FieldHex || f.Kind == rowparse.FieldBit {
		u, _ := bytesToUint(f.Bytes)
		text, isNum = strconv.AppendUint(nil, u, 10), true
	}
	y, err := mytime.ParseYear(text, isNum)
	if err != nil && c.s.Mode.Strict() {
		return wrapErr(col.Name, f.Bytes, ErrOutOfRange, err)
	}
	reset(dst, datum.Int64)
	dst.I = y
	return nil
}

func (c *Converter) convertJSON(col *tablemodel.Column, f rowparse.Field, dst *datum.Datum) error {
	if JSONEncoder == nil {
		return valueErr(col.Name, f.Bytes, ErrUnsupported, "JSON encoding is not available")
	}
	reset(dst, datum.JSON)
	b, err := JSONEncoder(f.Bytes, dst.B[:0])
	if err != nil {
		return wrapErr(col.Name, f.Bytes, ErrInvalidValue, err)
	}
	dst.B = b
	return nil
}
