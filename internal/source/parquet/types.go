package parquet

import (
	"fmt"
	"math"
	"math/big"
	"strconv"
	"time"

	pqgo "github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/deprecated"
	"github.com/parquet-go/parquet-go/format"

	"github.com/lightstream-io/lightstream/internal/tidb/literal"
)

// kind is how a column's values become literals.
type kind uint8

const (
	kindBool         kind = iota // "1" / "0", as Lightning's uint datum
	kindInt                      // INT32/INT64, signed (no annotation, INT(n, true))
	kindUint32                   // INT32 read as unsigned (UINT_8/16/32, INT(n, false))
	kindUint64                   // INT64 read as unsigned
	kindFloat                    // FLOAT
	kindDouble                   // DOUBLE
	kindBytes                    // BYTE_ARRAY / FIXED_LEN_BYTE_ARRAY: STRING, ENUM, JSON, BSON, UUID or raw bytes
	kindDecimalInt               // DECIMAL on INT32 / INT64
	kindDecimalBytes             // DECIMAL on BYTE_ARRAY / FIXED_LEN_BYTE_ARRAY (big-endian two's complement)
	kindDate                     // DATE: days since 1970-01-01
	kindTime                     // TIME(unit): time of day
	kindTimestamp                // TIMESTAMP(unit)
	kindInt96                    // INT96 timestamp: nanoseconds of the day and a Julian day
)

// Column is one leaf column of a file and how its values are read.
type Column struct {
	// Name as the file writes it (tables match it case-insensitively).
	Name string
	// Type names the physical and logical type, for messages.
	Type  string
	kind  kind
	scale int32
	// unit is the nanoseconds of one TIME / TIMESTAMP unit.
	unit int64
	// utc: a TIME / TIMESTAMP is an instant (isAdjustedToUTC), shown in
	// the session's time zone; otherwise it is a wall-clock reading.
	utc bool
}

// newColumn maps a schema element onto its kind. The logical type wins
// over the converted type that older writers set alone, as in Lightning;
// legacy TIME_* / TIMESTAMP_* converted types are instants (UTC-adjusted).
func newColumn(e *format.SchemaElement) (Column, error) {
	c := Column{Name: e.Name}
	phys := e.Type.V
	c.Type = phys.String()
	if s := logicalName(e); s != "" {
		c.Type += s
	}
	conv, hasConv := e.ConvertedType.Get()
	if hasConv {
		switch conv {
		case deprecated.Map, deprecated.MapKeyValue, deprecated.List:
			return c, fmt.Errorf("%w: column %q (%s) is nested: lightstream imports flat columns only", ErrUnsupported, e.Name, c.Type)
		case deprecated.Interval:
			return c, fmt.Errorf("%w: column %q is an INTERVAL, which has no SQL value", ErrUnsupported, e.Name)
		}
	}
	decimal := func() {
		c.kind = kindDecimalBytes
		if phys == format.Int32 || phys == format.Int64 {
			c.kind = kindDecimalInt
		}
	}
	lt := e.LogicalType.Value
	var err error
	switch phys {
	case format.Boolean:
		c.kind = kindBool
		return c, nil
	case format.Float:
		c.kind = kindFloat
		return c, nil
	case format.Double:
		c.kind = kindDouble
		return c, nil
	case format.Int96:
		c.kind, c.unit, c.utc = kindInt96, 1, true
		return c, nil
	}
	switch t := lt.(type) {
	case *format.DecimalType:
		c.scale = t.Scale
		decimal()
	case *format.IntType:
		c.kind = kindInt
		if !t.IsSigned {
			c.kind = kindUint32
			if phys == format.Int64 {
				c.kind = kindUint64
			}
		}
	case *format.DateType:
		c.kind = kindDate
	case *format.TimeType:
		c.kind, c.utc = kindTime, t.IsAdjustedToUTC
		if c.unit, err = unitNanos(e.Name, &t.Unit); err != nil {
			return c, err
		}
	case *format.TimestampType:
		c.kind, c.utc = kindTimestamp, t.IsAdjustedToUTC
		if c.unit, err = unitNanos(e.Name, &t.Unit); err != nil {
			return c, err
		}
	case *format.ListType, *format.MapType:
		return c, fmt.Errorf("%w: column %q (%s) is nested: lightstream imports flat columns only", ErrUnsupported, e.Name, c.Type)
	default:
		if !hasConv {
			break
		}
		switch conv {
		case deprecated.Decimal:
			c.scale = e.Scale.V
			decimal()
		case deprecated.Int8, deprecated.Int16, deprecated.Int32, deprecated.Int64:
			c.kind = kindInt
		case deprecated.Uint8, deprecated.Uint16, deprecated.Uint32:
			c.kind = kindUint32
		case deprecated.Uint64:
			c.kind = kindUint64
		case deprecated.Date:
			c.kind = kindDate
		case deprecated.TimeMillis:
			c.kind, c.utc, c.unit = kindTime, true, int64(time.Millisecond)
		case deprecated.TimeMicros:
			c.kind, c.utc, c.unit = kindTime, true, int64(time.Microsecond)
		case deprecated.TimestampMillis:
			c.kind, c.utc, c.unit = kindTimestamp, true, int64(time.Millisecond)
		case deprecated.TimestampMicros:
			c.kind, c.utc, c.unit = kindTimestamp, true, int64(time.Microsecond)
		}
	}
	if c.kind == 0 && phys != format.Boolean {
		// No annotation (or one for strings): the physical type decides.
		switch phys {
		case format.Int32, format.Int64:
			c.kind = kindInt
		default:
			c.kind = kindBytes
		}
	}
	if c.scale < 0 || c.scale > 65 {
		return c, fmt.Errorf("%w: column %q has DECIMAL scale %d", ErrUnsupported, e.Name, c.scale)
	}
	// A kind that does not fit the physical type is a damaged schema.
	okPhys := map[kind][]format.Type{
		kindInt: {format.Int32, format.Int64}, kindUint32: {format.Int32}, kindUint64: {format.Int64},
		kindDecimalInt: {format.Int32, format.Int64}, kindDecimalBytes: {format.ByteArray, format.FixedLenByteArray},
		kindDate: {format.Int32}, kindTime: {format.Int32, format.Int64}, kindTimestamp: {format.Int64},
		kindBytes: {format.ByteArray, format.FixedLenByteArray},
	}[c.kind]
	for _, p := range okPhys {
		if p == phys {
			return c, nil
		}
	}
	return c, fmt.Errorf("%w: column %q: %s cannot hold its annotation", ErrCorrupt, e.Name, c.Type)
}

// unitNanos is the nanoseconds of a TIME / TIMESTAMP unit. A unit that
// names none of the three (a damaged schema) is an error, not a guess.
func unitNanos(name string, u *format.TimeUnit) (int64, error) {
	switch u.Value.(type) {
	case *format.MilliSeconds:
		return int64(time.Millisecond), nil
	case *format.MicroSeconds:
		return int64(time.Microsecond), nil
	case *format.NanoSeconds:
		return 1, nil
	}
	return 0, fmt.Errorf("%w: column %q: TIME/TIMESTAMP without a time unit", ErrCorrupt, name)
}

// fracDigits is the number of fractional second digits written for a
// unit: nanoseconds are truncated to microseconds, as Lightning formats
// them (".999999") and as far as MySQL's fsp goes.
func fracDigits(unit int64) int {
	if unit == int64(time.Millisecond) {
		return 3
	}
	return 6
}

// julianUnixEpoch is the Julian day of 1970-01-01.
const julianUnixEpoch = 2440588

// value converts one value of the column into a literal; scratch is the
// column's buffer for the text it writes. Byte-array values alias the
// library's page buffer.
//
// What the text is, per kind: integers in decimal, unsigned ones read as
// such; DECIMAL as its exact decimal text; DOUBLE as the shortest text
// that reads back as the same float64, without an exponent (TiDB's
// float-to-string conversion, so a string column gets Lightning's text);
// FLOAT widened to float64 first,
// as Lightning's Datum.SetFloat32 does (0.1f is 0.10000000149011612: a
// DOUBLE column gets the float32's exact value, a FLOAT column rounds it
// back to 0.1f); non-finite values are strings TiDB's rules reject. DATE
// as YYYY-MM-DD (of UTC); TIMESTAMP and INT96 as a wall-clock datetime
// with the unit's fraction, nanoseconds truncated to microseconds as
// Lightning's ".999999" layout does, an instant (isAdjustedToUTC, INT96)
// shown in loc, the session's time zone, as Lightning's "...Z" text is
// converted; TIME as HH:MM:SS.fraction, never shifted (Lightning writes
// a UTC-adjusted TIME's UTC time of day).
func (c *Column) value(v pqgo.Value, scratch []byte, loc *time.Location) (literal.Field, []byte, error) {
	if v.IsNull() {
		return literal.Field{Kind: literal.FieldNull}, scratch, nil
	}
	num := func(b []byte) (literal.Field, []byte, error) {
		return literal.Field{Kind: literal.FieldNumber, Bytes: b}, b, nil
	}
	str := func(b []byte) (literal.Field, []byte, error) {
		return literal.Field{Kind: literal.FieldString, Bytes: b}, b, nil
	}
	b := scratch[:0]
	switch c.kind {
	case kindBool:
		if v.Boolean() {
			return num(append(b, '1'))
		}
		return num(append(b, '0'))
	case kindInt:
		return num(strconv.AppendInt(b, c.int64(v), 10))
	case kindUint32:
		return num(strconv.AppendUint(b, uint64(uint32(v.Int32())), 10))
	case kindUint64:
		return num(strconv.AppendUint(b, uint64(v.Int64()), 10))
	case kindFloat, kindDouble:
		f := v.Double()
		if c.kind == kindFloat {
			f = float64(v.Float())
		}
		// 'f' as TiDB writes a float datum as a string: the same
		// number for numeric columns, the same text for string ones.
		if math.IsInf(f, 0) || math.IsNaN(f) {
			return str(strconv.AppendFloat(b, f, 'f', -1, 64))
		}
		return num(strconv.AppendFloat(b, f, 'f', -1, 64))
	case kindBytes:
		return literal.Field{Kind: literal.FieldString, Bytes: v.ByteArray()}, scratch, nil
	case kindDecimalInt:
		return num(appendDecimalInt(b, c.int64(v), int(c.scale)))
	case kindDecimalBytes:
		raw := v.ByteArray()
		if len(raw) == 0 {
			return literal.Field{}, scratch, fmt.Errorf("DECIMAL value of no bytes")
		}
		return num(appendDecimalBytes(b, raw, int(c.scale)))
	case kindDate:
		t := time.Unix(int64(v.Int32())*86400, 0).UTC()
		return str(t.AppendFormat(b, time.DateOnly))
	case kindTime:
		return str(appendTimeOfDay(b, c.int64(v)*c.unit, fracDigits(c.unit)))
	case kindTimestamp:
		n := c.int64(v)
		t := time.Unix(n/(int64(time.Second)/c.unit), n%(int64(time.Second)/c.unit)*c.unit)
		return str(appendDatetime(b, t, fracDigits(c.unit), c.utc, loc))
	case kindInt96:
		i := v.Int96()
		nanos := int64(uint64(i[1])<<32 | uint64(i[0]))
		day := int64(i[2]) - julianUnixEpoch
		t := time.Unix(day*86400, nanos)
		return str(appendDatetime(b, t, 6, true, loc))
	}
	return literal.Field{}, scratch, fmt.Errorf("column kind %d", c.kind)
}

// int64 reads an INT32 or INT64 value.
func (c *Column) int64(v pqgo.Value) int64 {
	if v.Kind() == pqgo.Int32 {
		return int64(v.Int32())
	}
	return v.Int64()
}

func appendDatetime(b []byte, t time.Time, digits int, utc bool, loc *time.Location) []byte {
	if utc && loc != nil {
		t = t.In(loc)
	} else {
		t = t.UTC()
	}
	layout := "2006-01-02 15:04:05.000000000"[:20+digits]
	return t.AppendFormat(b, layout)
}

// appendTimeOfDay writes a TIME value of nanos nanoseconds since midnight,
// as stored: a UTC-adjusted TIME is not moved into the session's zone
// (a time of day has no date, so no offset applies to it; Lightning does
// not shift it either). It may exceed a day (MySQL's TIME goes to
// 838:59:59).
func appendTimeOfDay(b []byte, nanos int64, digits int) []byte {
	if nanos < 0 {
		b = append(b, '-')
		nanos = -nanos
	}
	sec := nanos / int64(time.Second)
	b = appendPadded(b, sec/3600, 2)
	b = append(b, ':')
	b = appendPadded(b, sec/60%60, 2)
	b = append(b, ':')
	b = appendPadded(b, sec%60, 2)
	b = append(b, '.')
	frac := nanos % int64(time.Second)
	for range 9 - digits {
		frac /= 10
	}
	return appendPadded(b, frac, digits)
}

func appendPadded(b []byte, n int64, width int) []byte {
	var tmp [20]byte
	s := strconv.AppendInt(tmp[:0], n, 10)
	for i := len(s); i < width; i++ {
		b = append(b, '0')
	}
	return append(b, s...)
}

// appendDecimalInt writes unscaled / 10^scale exactly.
func appendDecimalInt(b []byte, unscaled int64, scale int) []byte {
	if scale == 0 {
		return strconv.AppendInt(b, unscaled, 10)
	}
	var tmp [24]byte
	neg := unscaled < 0
	// The magnitude as unsigned covers math.MinInt64.
	mag := uint64(unscaled)
	if neg {
		mag = -mag
		b = append(b, '-')
	}
	return appendScaled(b, strconv.AppendUint(tmp[:0], mag, 10), scale)
}

// appendScaled writes the digits of a magnitude with a point scale digits
// from the right, zero-padded so there is a digit before the point.
func appendScaled(b, digits []byte, scale int) []byte {
	if scale == 0 {
		return append(b, digits...)
	}
	if len(digits) <= scale {
		b = append(b, '0', '.')
		for i := len(digits); i < scale; i++ {
			b = append(b, '0')
		}
		return append(b, digits...)
	}
	b = append(b, digits[:len(digits)-scale]...)
	b = append(b, '.')
	return append(b, digits[len(digits)-scale:]...)
}

// appendDecimalBytes writes a big-endian two's complement unscaled value.
func appendDecimalBytes(b, raw []byte, scale int) []byte {
	if len(raw) <= 8 {
		v := int64(int8(raw[0]))
		for _, x := range raw[1:] {
			v = v<<8 | int64(x)
		}
		return appendDecimalInt(b, v, scale)
	}
	n := new(big.Int).SetBytes(raw)
	if raw[0]&0x80 != 0 {
		n.Sub(n, new(big.Int).Lsh(big.NewInt(1), uint(len(raw))*8))
		b = append(b, '-')
		n.Neg(n)
	}
	return appendScaled(b, n.Append(nil, 10), scale)
}
