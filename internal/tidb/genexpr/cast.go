package genexpr

import (
	"errors"
	"fmt"
	"math"
	"strings"

	"github.com/lightstream-io/lightstream/internal/tidb/mydecimal"
	"github.com/lightstream-io/lightstream/internal/tidb/mytime"
	"github.com/pingcap/tidb/pkg/parser/ast"
	"github.com/pingcap/tidb/pkg/parser/mysql"
)

// cast compiles CAST(x AS type) / CONVERT(x, type)
// (pkg/expression/builtin_cast.go).
func (cp *compiler) cast(x *ast.FuncCastExpr) (node, error) {
	arg, err := cp.compile(x.Expr)
	if err != nil {
		return nil, err
	}
	tp := x.Tp
	flen, dec := tp.GetFlen(), tp.GetDecimal()
	unsigned := tp.GetFlag()&mysql.UnsignedFlag != 0
	var fn evalFn
	switch tp.GetType() {
	case mysql.TypeLonglong, mysql.TypeLong, mysql.TypeShort, mysql.TypeTiny, mysql.TypeInt24:
		fn = castInt(unsigned)
	case mysql.TypeNewDecimal:
		if flen == mysql.NotFixedDec || flen <= 0 {
			flen = 10
		}
		if dec == mysql.NotFixedDec || dec < 0 {
			dec = 0
		}
		if flen > mydecimal.MaxPrecision || dec > mydecimal.MaxScale || dec > flen {
			return nil, cp.errorf("CAST AS DECIMAL(%d, %d): invalid precision or scale", flen, dec)
		}
		fn = castDecimal(flen, dec, unsigned)
	case mysql.TypeDouble:
		fn = castReal(false)
	case mysql.TypeFloat:
		fn = castReal(true)
	case mysql.TypeString, mysql.TypeVarString, mysql.TypeVarchar, mysql.TypeBlob:
		fn = castString(flen, tp.GetCharset() == "binary", tp.GetCollate())
	case mysql.TypeDate, mysql.TypeDatetime:
		if dec < 0 {
			dec = 0
		}
		if dec > mytime.MaxFsp {
			return nil, cp.errorf("CAST AS DATETIME(%d): invalid fsp", dec)
		}
		fn = castTime(tp.GetType() == mysql.TypeDate, dec)
	case mysql.TypeDuration:
		if dec < 0 {
			dec = 0
		}
		if dec > mytime.MaxFsp {
			return nil, cp.errorf("CAST AS TIME(%d): invalid fsp", dec)
		}
		fn = castDuration(dec)
	case mysql.TypeJSON:
		fn = castJSON
	case mysql.TypeYear:
		fn = castYear
	default:
		return nil, cp.unsupported("cast", fmt.Sprintf("CAST to type %d is not supported", tp.GetType()))
	}
	return &callNode{name: "cast", fn: fn, args: []node{arg}}, nil
}

func castInt(unsigned bool) evalFn {
	return func(_ *evalCtx, a []Value) (Value, error) {
		v := a[0]
		var i int64
		var u uint64
		var uns bool
		switch v.Kind {
		case KindNull:
			return Null, nil
		case KindFloat:
			// builtinCastRealAsIntSig: rounding half to even, clamped.
			f := math.RoundToEven(v.F)
			if unsigned {
				switch {
				case f < 0:
					i = floatToInt(f)
				case f >= math.MaxUint64:
					u, uns = math.MaxUint64, true
				default:
					u, uns = uint64(f), true
				}
			} else {
				i = floatToInt(f)
			}
		case KindDecimal:
			if unsigned && !v.D.IsNegative() {
				u, _ = v.D.ToUint64()
				uns = true
			} else {
				i, _ = v.D.ToInt64()
			}
		default:
			i, u, uns = toInt(v)
		}
		if unsigned {
			if uns {
				return UintValue(u), nil
			}
			return UintValue(uint64(i)), nil
		}
		if uns {
			return IntValue(int64(u)), nil
		}
		return IntValue(i), nil
	}
}

func castDecimal(prec, frac int, unsigned bool) evalFn {
	return func(_ *evalCtx, a []Value) (Value, error) {
		if a[0].IsNull() {
			return Null, nil
		}
		d, err := mydecimal.AdjustToColumn(toDecimal(a[0]), prec, frac, unsigned)
		if err != nil && !errors.Is(err, mydecimal.ErrOverflow) && !errors.Is(err, mydecimal.ErrTruncated) {
			return Null, err
		}
		// An overflow is a warning in a SELECT and d holds the clamped
		// value; the column cast afterwards applies the SQL mode.
		return DecimalValue(d), nil
	}
}

func castReal(f32 bool) evalFn {
	return func(_ *evalCtx, a []Value) (Value, error) {
		if a[0].IsNull() {
			return Null, nil
		}
		f := toFloat(a[0])
		if f32 {
			return Value{Kind: KindFloat, F: float64(float32(f)), Float32: true}, nil
		}
		return FloatValue(f), nil
	}
}

func castString(flen int, binary bool, coll string) evalFn {
	return func(_ *evalCtx, a []Value) (Value, error) {
		if a[0].IsNull() {
			return Null, nil
		}
		s := append([]byte{}, toText(a[0])...)
		v := Value{Kind: KindString, S: s}
		if binary {
			v.Binary, v.Coll = true, "binary"
			if flen >= 0 {
				if len(s) > flen {
					v.S = s[:flen]
				} else {
					// CAST(x AS BINARY(n)) pads with 0x00 to n bytes.
					for len(v.S) < flen {
						v.S = append(v.S, 0)
					}
				}
			}
			return v, nil
		}
		if coll == "" {
			coll = "utf8mb4_bin"
		}
		v.Coll = strings.ToLower(coll)
		if flen >= 0 {
			c := chars{s: s}
			if c.count() > flen {
				v.S = c.slice(0, flen)
			}
		}
		return v, nil
	}
}

func castTime(date bool, fsp int) evalFn {
	return func(c *evalCtx, a []Value) (Value, error) {
		if a[0].IsNull() {
			return Null, nil
		}
		var t Value
		if a[0].Kind == KindDuration {
			return Null, nil
		}
		t, ok := toTime(c, a[0])
		if !ok {
			return Null, nil
		}
		if date {
			return TimeValue(t.T.Date(), mytime.Date, 0), nil
		}
		r, ok := roundTime(t.T, fsp)
		if !ok {
			return Null, nil
		}
		return TimeValue(r, mytime.Datetime, fsp), nil
	}
}

// roundTime rounds the microseconds half up to fsp digits, carrying.
func roundTime(t mytime.Time, fsp int) (mytime.Time, bool) {
	unit := 1
	for i := fsp; i < 6; i++ {
		unit *= 10
	}
	m := (t.Microsecond + unit/2) / unit * unit
	if m < 1000000 {
		t.Microsecond = m
		return t, true
	}
	t.Microsecond = 0
	if t.HasZeroInDate() {
		t.Second++
		return t, t.Second < 60
	}
	r, err := mytime.AddInterval(t, 1, "SECOND")
	return r, err == nil
}

func castDuration(fsp int) evalFn {
	return func(_ *evalCtx, a []Value) (Value, error) {
		if a[0].IsNull() {
			return Null, nil
		}
		ns, _, ok := toDuration(a[0])
		if !ok {
			return Null, nil
		}
		unit := int64(1000)
		for i := fsp; i < 6; i++ {
			unit *= 10
		}
		neg := ns < 0
		if neg {
			ns = -ns
		}
		ns = (ns + unit/2) / unit * unit
		if neg {
			ns = -ns
		}
		return DurationValue(ns, fsp), nil
	}
}

func castJSON(_ *evalCtx, a []Value) (Value, error) {
	if a[0].IsNull() {
		return Null, nil
	}
	if a[0].Kind == KindString && !a[0].Binary {
		bin, err := jsonDoc(a[0])
		if err != nil {
			return Null, err
		}
		return JSONValue(bin), nil
	}
	return JSONValue(toJSONValue(a[0])), nil
}

func castYear(c *evalCtx, a []Value) (Value, error) {
	v := a[0]
	switch v.Kind {
	case KindNull:
		return Null, nil
	case KindTime:
		return IntValue(int64(v.T.Year)), nil
	case KindString:
		y, err := mytime.ParseYear(v.S, false)
		if err != nil {
			return Null, nil
		}
		return IntValue(y), nil
	}
	y, err := mytime.ParseYear(v.AppendText(nil), true)
	if err != nil {
		return Null, nil
	}
	return IntValue(y), nil
}
