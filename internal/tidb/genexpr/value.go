package genexpr

import (
	"math"
	"strconv"

	"github.com/lightstream-io/lightstream/internal/tidb/jsonbin"
	"github.com/lightstream-io/lightstream/internal/tidb/mydecimal"
	"github.com/lightstream-io/lightstream/internal/tidb/mytime"
)

// Kind says which field of a Value holds it.
type Kind uint8

// The kinds of value an expression produces.
const (
	KindNull     Kind = iota
	KindInt           // I
	KindUint          // U
	KindFloat         // F
	KindDecimal       // D
	KindString        // S (Binary for binary strings, Coll for the collation)
	KindTime          // T, TimeType, Fsp (wall time in the session zone)
	KindDuration      // I nanoseconds, Fsp
	KindJSON          // S: TiDB binary JSON
)

// Value is the result of an expression: a MySQL value with its evaluation
// type, as TiDB's expression package carries it (Datum + FieldType).
type Value struct {
	Kind Kind
	I    int64
	U    uint64
	F    float64
	D    mydecimal.Decimal
	S    []byte
	T    mytime.Time
	// TimeType is DATE, DATETIME or TIMESTAMP for KindTime.
	TimeType mytime.Type
	// Fsp is the fractional-second precision of KindTime/KindDuration.
	Fsp int
	// Binary marks a binary string (BINARY/BLOB columns, x'..' literals).
	Binary bool
	// Coll is the collation of a string taken from a column ("" for a
	// literal, which has coercible collation and yields to columns).
	Coll string
	// HasNum marks strings that are numbers in a numeric context (ENUM
	// index, SET mask, BIT and hex literal value), held in U.
	HasNum bool
	// Bool marks integers produced by comparisons and logic operators
	// (TiDB's IsBooleanFlag): JSON functions turn them into true/false.
	Bool bool
	// Float32 marks values of FLOAT columns: they print with float32
	// precision (types.Datum.convertToString).
	Float32 bool
}

// Null is SQL NULL.
var Null = Value{}

// IntValue returns a signed integer value.
func IntValue(v int64) Value { return Value{Kind: KindInt, I: v} }

// UintValue returns an unsigned integer value.
func UintValue(v uint64) Value { return Value{Kind: KindUint, U: v} }

// FloatValue returns a double value.
func FloatValue(v float64) Value { return Value{Kind: KindFloat, F: v} }

// DecimalValue returns a decimal value.
func DecimalValue(d mydecimal.Decimal) Value { return Value{Kind: KindDecimal, D: d} }

// StringValue returns a non-binary string value with coercible collation.
func StringValue(s string) Value { return Value{Kind: KindString, S: []byte(s)} }

// BytesValue returns a binary string value.
func BytesValue(b []byte) Value { return Value{Kind: KindString, S: b, Binary: true} }

// JSONValue returns a JSON value from TiDB binary JSON.
func JSONValue(bin []byte) Value { return Value{Kind: KindJSON, S: bin} }

// TimeValue returns a DATE/DATETIME/TIMESTAMP value.
func TimeValue(t mytime.Time, tp mytime.Type, fsp int) Value {
	return Value{Kind: KindTime, T: t, TimeType: tp, Fsp: fsp}
}

// DurationValue returns a TIME value in nanoseconds.
func DurationValue(ns int64, fsp int) Value { return Value{Kind: KindDuration, I: ns, Fsp: fsp} }

func boolValue(b bool) Value {
	v := Value{Kind: KindInt, Bool: true}
	if b {
		v.I = 1
	}
	return v
}

// IsNull reports whether v is SQL NULL.
func (v Value) IsNull() bool { return v.Kind == KindNull }

// isNumeric reports whether v is a number (not a string or temporal).
func (v Value) isNumeric() bool {
	return v.Kind == KindInt || v.Kind == KindUint || v.Kind == KindFloat || v.Kind == KindDecimal
}

// AppendText appends MySQL's text form of v (what CAST(v AS CHAR) gives;
// pkg/expression/builtin_cast.go cast*AsString): floats in 'f' form with the
// shortest digits, decimals with their scale, times per their fsp, JSON text.
// NULL appends nothing.
func (v Value) AppendText(dst []byte) []byte {
	switch v.Kind {
	case KindInt:
		return strconv.AppendInt(dst, v.I, 10)
	case KindUint:
		return strconv.AppendUint(dst, v.U, 10)
	case KindFloat:
		return appendFloat(dst, v.F, v.Float32)
	case KindDecimal:
		return v.D.AppendText(dst)
	case KindString:
		return append(dst, v.S...)
	case KindTime:
		return mytime.AppendFormat(dst, v.T, v.TimeType, v.Fsp)
	case KindDuration:
		return mytime.AppendDuration(dst, v.I, v.Fsp)
	case KindJSON:
		out, err := jsonbin.ToText(v.S, dst)
		if err != nil {
			return dst
		}
		return out
	}
	return dst
}

// String returns the text form of v, "NULL" for NULL.
func (v Value) String() string {
	if v.Kind == KindNull {
		return "NULL"
	}
	return string(v.AppendText(nil))
}

func appendFloat(dst []byte, f float64, f32 bool) []byte {
	if math.IsInf(f, 0) || math.IsNaN(f) {
		return append(dst, '0')
	}
	bits := 64
	if f32 {
		bits = 32
	}
	return strconv.AppendFloat(dst, f, 'f', -1, bits)
}

// appendNumberText appends a temporal value as the number MySQL uses in a
// numeric context: 20200102030405[.ffffff] for times, 30405[.ffffff] for
// durations (types.Time.ToNumber, types.Duration.ToNumber).
func appendNumberText(dst []byte, v Value) []byte {
	switch v.Kind {
	case KindTime:
		t := v.T
		n := int64(t.Year)*10000 + int64(t.Month)*100 + int64(t.Day)
		if v.TimeType != mytime.Date {
			n = n*1000000 + int64(t.Hour)*10000 + int64(t.Minute)*100 + int64(t.Second)
		}
		dst = strconv.AppendInt(dst, n, 10)
		return appendFrac(dst, t.Microsecond, v.Fsp)
	case KindDuration:
		ns := v.I
		if ns < 0 {
			dst = append(dst, '-')
			ns = -ns
		}
		sec := ns / 1e9
		h, m, s := sec/3600, sec/60%60, sec%60
		dst = strconv.AppendInt(dst, h*10000+m*100+s, 10)
		return appendFrac(dst, int(ns%1e9/1000), v.Fsp)
	}
	return v.AppendText(dst)
}

func appendFrac(dst []byte, micro, fsp int) []byte {
	if fsp <= 0 {
		return dst
	}
	s := strconv.Itoa(1000000 + micro)[1:]
	return append(append(dst, '.'), s[:fsp]...)
}
