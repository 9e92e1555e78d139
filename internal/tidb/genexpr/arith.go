package genexpr

import (
	"errors"
	"fmt"
	"math"
	"math/bits"

	"github.com/lightstream-io/lightstream/internal/tidb/mydecimal"
)

// numClass is the evaluation type of an operand in a numeric context
// (pkg/expression/builtin_arithmetic.go numericContextResultType).
type numClass uint8

const (
	clsInt numClass = iota
	clsDecimal
	clsReal
)

func classOf(v Value) numClass {
	switch v.Kind {
	case KindInt, KindUint:
		return clsInt
	case KindDecimal:
		return clsDecimal
	case KindString:
		if v.HasNum {
			return clsInt
		}
		return clsReal
	case KindTime, KindDuration:
		if v.Fsp > 0 {
			return clsDecimal
		}
		return clsInt
	}
	return clsReal
}

func resultClass(a, b Value) numClass {
	ca, cb := classOf(a), classOf(b)
	if ca > cb {
		return ca
	}
	return cb
}

// intOperand is an operand in an integer context: its value and whether
// it is unsigned (TiDB keeps the UNSIGNED flag of the operand type).
func intOperand(v Value) (int64, bool) {
	i, u, uns := toInt(v)
	if uns {
		return int64(u), true
	}
	return i, false
}

func overflow(op string, a, b Value) error {
	return fmt.Errorf("%w: BIGINT value is out of range in '%s %s %s'", ErrOverflow, a.String(), op, b.String())
}

func decimalResult(d mydecimal.Decimal, err error) (Value, error) {
	if err != nil {
		if errors.Is(err, mydecimal.ErrDivByZero) {
			return Null, nil
		}
		if errors.Is(err, mydecimal.ErrOverflow) {
			return Null, fmt.Errorf("%w: DECIMAL value is out of range", ErrOverflow)
		}
		if !errors.Is(err, mydecimal.ErrTruncated) {
			return Null, err
		}
	}
	return DecimalValue(d), nil
}

func realResult(f float64, op string, a, b Value) (Value, error) {
	if math.IsInf(f, 0) || math.IsNaN(f) {
		return Null, fmt.Errorf("%w: DOUBLE value is out of range in '%s %s %s'", ErrOverflow, a.String(), op, b.String())
	}
	return FloatValue(f), nil
}

// fnPlus and friends follow builtin_arithmetic.go: int op int is integer
// arithmetic with overflow errors (unsigned when either side is unsigned),
// any DECIMAL makes it decimal, any REAL (strings included) double.
func fnPlus(_ *evalCtx, a []Value) (Value, error)  { return arith('+', a[0], a[1]) }
func fnMinus(_ *evalCtx, a []Value) (Value, error) { return arith('-', a[0], a[1]) }
func fnMul(_ *evalCtx, a []Value) (Value, error)   { return arith('*', a[0], a[1]) }

func arith(op byte, a, b Value) (Value, error) {
	if a.IsNull() || b.IsNull() {
		return Null, nil
	}
	switch resultClass(a, b) {
	case clsReal:
		x, y := toFloat(a), toFloat(b)
		switch op {
		case '+':
			return realResult(x+y, "+", a, b)
		case '-':
			return realResult(x-y, "-", a, b)
		default:
			return realResult(x*y, "*", a, b)
		}
	case clsDecimal:
		x, y := toDecimal(a), toDecimal(b)
		switch op {
		case '+':
			return decimalResult(mydecimal.Add(x, y))
		case '-':
			return decimalResult(mydecimal.Sub(x, y))
		default:
			return decimalResult(mydecimal.Mul(x, y))
		}
	}
	x, xu := intOperand(a)
	y, yu := intOperand(b)
	ops := string(op)
	if !xu && !yu {
		var r int64
		var ok bool
		switch op {
		case '+':
			r = x + y
			ok = !((x > 0 && y > 0 && r < 0) || (x < 0 && y < 0 && r >= 0))
		case '-':
			r = x - y
			ok = !((x >= 0 && y < 0 && r < 0) || (x < 0 && y > 0 && r >= 0))
		default:
			r = x * y
			ok = x == 0 || (r/x == y && !(x == -1 && y == math.MinInt64) && !(y == -1 && x == math.MinInt64))
		}
		if !ok {
			return Null, overflow(ops, a, b)
		}
		return IntValue(r), nil
	}
	// Unsigned arithmetic: the exact result must fit uint64.
	neg := func(v int64, uns bool) bool { return !uns && v < 0 }
	mag := func(v int64, uns bool) uint64 {
		if uns || v >= 0 {
			return uint64(v)
		}
		return uint64(-(v + 1)) + 1
	}
	xn, yn := neg(x, xu), neg(y, yu)
	xm, ym := mag(x, xu), mag(y, yu)
	if op == '-' {
		yn = !yn && ym != 0
	}
	switch op {
	case '+', '-':
		if xn == yn {
			if xn {
				return Null, overflow(ops, a, b)
			}
			s, carry := bits.Add64(xm, ym, 0)
			if carry != 0 {
				return Null, overflow(ops, a, b)
			}
			return UintValue(s), nil
		}
		// Different signs: result = pos - neg.
		pos, ng := xm, ym
		if xn {
			pos, ng = ym, xm
		}
		if ng > pos {
			return Null, overflow(ops, a, b)
		}
		return UintValue(pos - ng), nil
	default:
		if (xn || yn) && xm != 0 && ym != 0 {
			return Null, overflow(ops, a, b)
		}
		hi, lo := bits.Mul64(xm, ym)
		if hi != 0 {
			return Null, overflow(ops, a, b)
		}
		return UintValue(lo), nil
	}
}

// fnDivide is '/': DOUBLE if either side is REAL, else DECIMAL with
// div_precision_increment 4 more fraction digits; x/0 is NULL.
func fnDivide(_ *evalCtx, a []Value) (Value, error) {
	x, y := a[0], a[1]
	if x.IsNull() || y.IsNull() {
		return Null, nil
	}
	if resultClass(x, y) == clsReal {
		d := toFloat(y)
		if d == 0 {
			return Null, nil
		}
		return realResult(toFloat(x)/d, "/", x, y)
	}
	return decimalResult(mydecimal.Div(toDecimal(x), toDecimal(y), mydecimal.DivFracIncr))
}

// fnIntDiv is DIV: integer division truncating toward zero; non-integer
// operands are divided as decimals first (builtinArithmeticIntDivideDecimalSig).
func fnIntDiv(_ *evalCtx, a []Value) (Value, error) {
	x, y := a[0], a[1]
	if x.IsNull() || y.IsNull() {
		return Null, nil
	}
	if resultClass(x, y) == clsInt {
		xi, xu := intOperand(x)
		yi, yu := intOperand(y)
		if yi == 0 {
			return Null, nil
		}
		if !xu && !yu {
			if xi == math.MinInt64 && yi == -1 {
				return Null, overflow("DIV", x, y)
			}
			return IntValue(xi / yi), nil
		}
		xm, xneg := absU(xi, xu)
		ym, yneg := absU(yi, yu)
		q := xm / ym
		if xneg != yneg && q != 0 {
			return Null, overflow("DIV", x, y)
		}
		return UintValue(q), nil
	}
	var q mydecimal.Decimal
	var err error
	if resultClass(x, y) == clsReal {
		d := toFloat(y)
		if d == 0 {
			return Null, nil
		}
		q, err = mydecimal.FromFloat64(math.Trunc(toFloat(x) / d))
	} else {
		q, err = mydecimal.Div(toDecimal(x), toDecimal(y), mydecimal.DivFracIncr)
	}
	if err != nil {
		if errors.Is(err, mydecimal.ErrDivByZero) {
			return Null, nil
		}
		return Null, err
	}
	n, err := truncDecimal(q).ToInt64()
	if err != nil {
		return Null, overflow("DIV", x, y)
	}
	return IntValue(n), nil
}

func absU(v int64, uns bool) (uint64, bool) {
	if uns || v >= 0 {
		return uint64(v), false
	}
	return uint64(-(v + 1)) + 1, true
}

// truncDecimal drops the fraction of d (toward zero).
func truncDecimal(d mydecimal.Decimal) mydecimal.Decimal {
	if d.Frac() == 0 {
		return d
	}
	text := d.AppendText(nil)
	for i, c := range text {
		if c == '.' {
			text = text[:i]
			break
		}
	}
	t, _ := mydecimal.Parse(text)
	return t
}

// fnMod is % / MOD: the result has the sign of the dividend; x % 0 is NULL.
func fnMod(_ *evalCtx, a []Value) (Value, error) {
	x, y := a[0], a[1]
	if x.IsNull() || y.IsNull() {
		return Null, nil
	}
	switch resultClass(x, y) {
	case clsReal:
		d := toFloat(y)
		if d == 0 {
			return Null, nil
		}
		return FloatValue(math.Mod(toFloat(x), d)), nil
	case clsDecimal:
		dx, dy := toDecimal(x), toDecimal(y)
		if dy.IsZero() {
			return Null, nil
		}
		frac := dx.Frac()
		if dy.Frac() > frac {
			frac = dy.Frac()
		}
		q, err := mydecimal.Div(dx, dy, 9)
		if err != nil {
			return Null, nil
		}
		p, err := mydecimal.Mul(truncDecimal(q), dy)
		if err != nil {
			return Null, err
		}
		r, err := mydecimal.Sub(dx, p)
		if err != nil {
			return Null, err
		}
		return DecimalValue(r.Round(frac)), nil
	}
	xi, xu := intOperand(x)
	yi, yu := intOperand(y)
	if yi == 0 {
		return Null, nil
	}
	if !xu && !yu {
		if yi == -1 {
			return IntValue(0), nil
		}
		return IntValue(xi % yi), nil
	}
	xm, xneg := absU(xi, xu)
	ym, _ := absU(yi, yu)
	r := xm % ym
	if xneg {
		return IntValue(-int64(r)), nil
	}
	if xu {
		return UintValue(r), nil
	}
	return IntValue(int64(r)), nil
}

// fnNeg is unary minus: -int overflows only for MinInt64 (and unsigned
// values above it), decimals and doubles negate.
func fnNeg(_ *evalCtx, a []Value) (Value, error) {
	v := a[0]
	switch classOf(v) {
	case clsReal:
		if v.IsNull() {
			return Null, nil
		}
		return FloatValue(-toFloat(v)), nil
	case clsDecimal:
		return DecimalValue(toDecimal(v).Neg()), nil
	}
	if v.IsNull() {
		return Null, nil
	}
	i, uns := intOperand(v)
	if uns {
		u := uint64(i)
		if u > 1<<63 {
			return DecimalValue(mydecimal.FromUint(u).Neg()), nil
		}
		return IntValue(-int64(u)), nil
	}
	if i == math.MinInt64 {
		return DecimalValue(mydecimal.FromInt(i).Neg()), nil
	}
	return IntValue(-i), nil
}

// Bit operators work on unsigned 64-bit integers (builtin_op.go).
func bitOp(f func(x, y uint64) uint64) evalFn {
	return func(_ *evalCtx, a []Value) (Value, error) {
		if a[0].IsNull() || a[1].IsNull() {
			return Null, nil
		}
		return UintValue(f(uint64(toInt64(a[0])), uint64(toInt64(a[1])))), nil
	}
}

func fnBitNeg(_ *evalCtx, a []Value) (Value, error) {
	if a[0].IsNull() {
		return Null, nil
	}
	return UintValue(^uint64(toInt64(a[0]))), nil
}

func shl(x, y uint64) uint64 {
	if y >= 64 {
		return 0
	}
	return x << y
}

func shr(x, y uint64) uint64 {
	if y >= 64 {
		return 0
	}
	return x >> y
}
