package genexpr

import (
	"fmt"
	"math"

	"github.com/lightstream-io/lightstream/internal/tidb/mydecimal"
)

// Math and control functions (pkg/expression/builtin_math.go,
// builtin_control.go, builtin_compare.go).
func init() {
	register(map[string]funcDef{
		"abs":        {1, 1, fnAbs},
		"ceil":       {1, 1, ceilFloor(true)},
		"ceiling":    {1, 1, ceilFloor(true)},
		"floor":      {1, 1, ceilFloor(false)},
		"round":      {1, 2, fnRound},
		"truncate":   {2, 2, fnTruncate},
		"mod":        {2, 2, fnMod},
		"pow":        {2, 2, fnPow},
		"power":      {2, 2, fnPow},
		"sqrt":       {1, 1, realFn(func(x float64) (float64, bool) { return math.Sqrt(x), x >= 0 })},
		"exp":        {1, 1, realFn(func(x float64) (float64, bool) { return math.Exp(x), true })},
		"ln":         {1, 1, realFn(func(x float64) (float64, bool) { return math.Log(x), x > 0 })},
		"log2":       {1, 1, realFn(func(x float64) (float64, bool) { return math.Log2(x), x > 0 })},
		"log10":      {1, 1, realFn(func(x float64) (float64, bool) { return math.Log10(x), x > 0 })},
		"log":        {1, 2, fnLog},
		"sign":       {1, 1, fnSign},
		"pi":         {0, 0, func(*evalCtx, []Value) (Value, error) { return FloatValue(math.Pi), nil }},
		"radians":    {1, 1, realFn(func(x float64) (float64, bool) { return x * (math.Pi / 180), true })},
		"degrees":    {1, 1, realFn(func(x float64) (float64, bool) { return x * (180 / math.Pi), true })},
		"greatest":   {2, -1, minMax(1)},
		"least":      {2, -1, minMax(-1)},
		"nullif":     {2, 2, fnNullIf},
		"isnull":     {1, 1, isNullFn(false)},
		"plus":       {2, 2, fnPlus},
		"minus":      {2, 2, fnMinus},
		"mul":        {2, 2, fnMul},
		"div":        {2, 2, fnDivide},
		"intdiv":     {2, 2, fnIntDiv},
		"unaryminus": {1, 1, fnNeg},
	})
}

func mathRound(f float64) float64 { return math.RoundToEven(f) }

func fnAbs(_ *evalCtx, a []Value) (Value, error) {
	v := a[0]
	if v.IsNull() {
		return Null, nil
	}
	switch classOf(v) {
	case clsReal:
		return FloatValue(math.Abs(toFloat(v))), nil
	case clsDecimal:
		d := toDecimal(v)
		if d.IsNegative() {
			d = d.Neg()
		}
		return DecimalValue(d), nil
	}
	i, uns := intOperand(v)
	if uns {
		return UintValue(uint64(i)), nil
	}
	if i == math.MinInt64 {
		return Null, fmt.Errorf("%w: BIGINT value is out of range in 'abs(%d)'", ErrOverflow, i)
	}
	if i < 0 {
		i = -i
	}
	return IntValue(i), nil
}

func ceilFloor(ceil bool) evalFn {
	return func(_ *evalCtx, a []Value) (Value, error) {
		v := a[0]
		if v.IsNull() {
			return Null, nil
		}
		switch classOf(v) {
		case clsReal:
			if ceil {
				return FloatValue(math.Ceil(toFloat(v))), nil
			}
			return FloatValue(math.Floor(toFloat(v))), nil
		case clsDecimal:
			d := toDecimal(v)
			t := truncDecimal(d)
			if mydecimal.Compare(t, d) != 0 {
				one := mydecimal.FromInt(1)
				var err error
				if ceil && !d.IsNegative() {
					t, err = mydecimal.Add(t, one)
				} else if !ceil && d.IsNegative() {
					t, err = mydecimal.Sub(t, one)
				}
				if err != nil {
					return Null, err
				}
			}
			return DecimalValue(t), nil
		}
		return v, nil
	}
}

// fnRound is ROUND(x[, d]): decimals and integers round half away from
// zero, doubles half to even (types.Round).
func fnRound(_ *evalCtx, a []Value) (Value, error) {
	if anyNull(a) {
		return Null, nil
	}
	d := int64(0)
	if len(a) == 2 {
		d = toInt64(a[1])
	}
	d = max(min(d, 30), -65)
	v := a[0]
	switch classOf(v) {
	case clsReal:
		f := toFloat(v)
		shift := math.Pow10(int(d))
		tmp := f * shift
		if math.IsInf(tmp, 0) {
			return FloatValue(f), nil
		}
		r := math.RoundToEven(tmp) / shift
		if math.IsNaN(r) {
			r = 0
		}
		return FloatValue(r), nil
	case clsDecimal:
		return DecimalValue(toDecimal(v).Round(int(d))), nil
	}
	if d >= 0 {
		return v, nil
	}
	r := toDecimal(v).Round(int(d))
	if v.Kind == KindUint {
		u, err := r.ToUint64()
		if err != nil {
			return Null, fmt.Errorf("%w: BIGINT UNSIGNED value is out of range in round", ErrOverflow)
		}
		return UintValue(u), nil
	}
	n, err := r.ToInt64()
	if err != nil {
		return Null, fmt.Errorf("%w: BIGINT value is out of range in round", ErrOverflow)
	}
	return IntValue(n), nil
}

// fnTruncate is TRUNCATE(x, d): cut toward zero at d decimals.
func fnTruncate(_ *evalCtx, a []Value) (Value, error) {
	if anyNull(a) {
		return Null, nil
	}
	d := max(min(toInt64(a[1]), 30), -65)
	v := a[0]
	switch classOf(v) {
	case clsReal:
		f := toFloat(v)
		shift := math.Pow10(int(d))
		tmp := f * shift
		if math.IsInf(tmp, 0) || math.IsNaN(tmp) {
			return FloatValue(f), nil
		}
		if shift == 0 {
			return FloatValue(0), nil
		}
		return FloatValue(math.Trunc(tmp) / shift), nil
	case clsDecimal:
		return DecimalValue(truncAt(toDecimal(v), int(d))), nil
	}
	if d >= 0 {
		return v, nil
	}
	r := truncAt(toDecimal(v), int(d))
	if v.Kind == KindUint {
		u, _ := r.ToUint64()
		return UintValue(u), nil
	}
	n, _ := r.ToInt64()
	return IntValue(n), nil
}

// truncAt cuts d toward zero to frac digits (negative frac zeroes
// integer digits).
func truncAt(d mydecimal.Decimal, frac int) mydecimal.Decimal {
	text := d.AppendText(nil)
	neg := len(text) > 0 && text[0] == '-'
	if neg {
		text = text[1:]
	}
	intPart, fracPart := text, []byte(nil)
	for i, c := range text {
		if c == '.' {
			intPart, fracPart = text[:i], text[i+1:]
			break
		}
	}
	var out []byte
	if neg {
		out = append(out, '-')
	}
	if frac >= 0 {
		out = append(out, intPart...)
		if frac > 0 {
			out = append(out, '.')
			for i := 0; i < frac; i++ {
				if i < len(fracPart) {
					out = append(out, fracPart[i])
				} else {
					out = append(out, '0')
				}
			}
		}
	} else {
		keep := len(intPart) + frac
		if keep <= 0 {
			return mydecimal.FromInt(0)
		}
		out = append(out, intPart[:keep]...)
		for i := 0; i < -frac; i++ {
			out = append(out, '0')
		}
	}
	r, _ := mydecimal.Parse(out)
	return r
}

func fnPow(_ *evalCtx, a []Value) (Value, error) {
	if anyNull(a) {
		return Null, nil
	}
	r := math.Pow(toFloat(a[0]), toFloat(a[1]))
	if math.IsInf(r, 0) || math.IsNaN(r) {
		return Null, fmt.Errorf("%w: DOUBLE value is out of range in 'pow(%s, %s)'", ErrOverflow, a[0].String(), a[1].String())
	}
	return FloatValue(r), nil
}

// realFn is a DOUBLE function whose argument domain check gives NULL.
func realFn(f func(float64) (float64, bool)) evalFn {
	return func(_ *evalCtx, a []Value) (Value, error) {
		if a[0].IsNull() {
			return Null, nil
		}
		r, ok := f(toFloat(a[0]))
		if !ok || math.IsNaN(r) {
			return Null, nil
		}
		if math.IsInf(r, 0) {
			return Null, fmt.Errorf("%w: DOUBLE value is out of range", ErrOverflow)
		}
		return FloatValue(r), nil
	}
}

func fnLog(_ *evalCtx, a []Value) (Value, error) {
	if anyNull(a) {
		return Null, nil
	}
	if len(a) == 1 {
		x := toFloat(a[0])
		if x <= 0 {
			return Null, nil
		}
		return FloatValue(math.Log(x)), nil
	}
	b, x := toFloat(a[0]), toFloat(a[1])
	if b <= 0 || b == 1 || x <= 0 {
		return Null, nil
	}
	return FloatValue(math.Log(x) / math.Log(b)), nil
}

func fnSign(_ *evalCtx, a []Value) (Value, error) {
	v := a[0]
	if v.IsNull() {
		return Null, nil
	}
	var s int
	switch classOf(v) {
	case clsDecimal:
		d := toDecimal(v)
		switch {
		case d.IsZero():
		case d.IsNegative():
			s = -1
		default:
			s = 1
		}
	case clsInt:
		i, uns := intOperand(v)
		switch {
		case uns && i != 0, !uns && i > 0:
			s = 1
		case !uns && i < 0:
			s = -1
		}
	default:
		f := toFloat(v)
		switch {
		case f > 0:
			s = 1
		case f < 0:
			s = -1
		}
	}
	return IntValue(int64(s)), nil
}

// minMax is GREATEST (want 1) / LEAST (want -1): NULL if any argument is
// NULL; the comparison type follows compareValues on the arguments, and
// the result keeps the winning argument's value (converted to a common
// class when numbers of different classes meet).
func minMax(want int) evalFn {
	return func(_ *evalCtx, a []Value) (Value, error) {
		if anyNull(a) {
			return Null, nil
		}
		best := a[0]
		allStr, anyReal, anyDec := true, false, false
		for _, v := range a {
			if v.Kind != KindString {
				allStr = false
			}
			switch classOf(v) {
			case clsReal:
				anyReal = true
			case clsDecimal:
				anyDec = true
			}
		}
		for _, v := range a[1:] {
			var r int
			if !allStr && anyReal {
				x, y := toFloat(v), toFloat(best)
				switch {
				case x < y:
					r = -1
				case x > y:
					r = 1
				}
			} else {
				r, _ = compareValues(v, best)
			}
			if r == want {
				best = v
			}
		}
		switch {
		case allStr:
			return best, nil
		case anyReal && best.Kind != KindTime && best.Kind != KindDuration:
			return FloatValue(toFloat(best)), nil
		case anyDec && best.Kind != KindTime && best.Kind != KindDuration:
			return DecimalValue(toDecimal(best)), nil
		}
		return best, nil
	}
}

func fnNullIf(_ *evalCtx, a []Value) (Value, error) {
	r, null := compareValues(a[0], a[1])
	if !null && r == 0 {
		return Null, nil
	}
	return a[0], nil
}
