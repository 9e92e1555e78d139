package mydecimal

import (
	"fmt"
	"math/big"
)

// Arithmetic for the generated-column evaluator. Result scales follow TiDB's
// DecimalAdd/DecimalSub (max of the scales), DecimalMul (sum of the scales,
// at most 30) and DecimalDiv (dividend scale + fracIncr, at most 30). The
// exact result is computed with math/big and rounded half-up to that scale;
// these are not on the import hot path.

var bigTen = big.NewInt(10)

// coef returns d as an integer coefficient: d = coef * 10^-Frac().
func (d Decimal) coef() *big.Int {
	var buf [maxDigits + 1]byte
	n := 0
	if d.neg {
		buf[0] = '-'
		n = 1
	}
	for _, c := range d.dig[:int(d.nint)+int(d.frac)] {
		buf[n] = '0' + c
		n++
	}
	if n == 0 || (n == 1 && d.neg) {
		return new(big.Int)
	}
	v, _ := new(big.Int).SetString(string(buf[:n]), 10)
	return v
}

// fromCoef builds coef * 10^-scale, rounded half-up to frac digits.
func fromCoef(c *big.Int, scale, frac int) (Decimal, error) {
	s := c.String()
	neg := false
	if s[0] == '-' {
		neg = true
		s = s[1:]
	}
	digs := make([]byte, 0, len(s)+scale)
	for k := len(s); k <= scale; k++ {
		digs = append(digs, 0) // ensure at least one integer digit slot
	}
	for i := 0; i < len(s); i++ {
		digs = append(digs, s[i]-'0')
	}
	nint := len(digs) - scale
	// Round first on the exact digits, then fit into 81 digits.
	if nint > maxDigits+1 {
		return maxValue(neg, maxDigits, 0), ErrOverflow
	}
	var d Decimal
	d.neg = neg
	if scale-frac > 0 {
		keep := nint + frac
		up := digs[keep] >= 5
		digs = digs[:keep]
		if up {
			j := len(digs) - 1
			for ; j >= 0; j-- {
				if digs[j] == 9 {
					digs[j] = 0
					continue
				}
				digs[j]++
				break
			}
			if j < 0 {
				digs = append([]byte{1}, digs...)
				nint++
			}
		}
	} else {
		for k := scale; k < frac; k++ {
			digs = append(digs, 0)
		}
	}
	r, err := build(neg, digs, nint, true)
	if err == ErrTruncated {
		err = nil // rounding already happened at the result scale
	}
	return r, err
}

// Add returns a + b.
func Add(a, b Decimal) (Decimal, error) {
	s := max(int(a.frac), int(b.frac))
	x := scaleUp(a.coef(), s-int(a.frac))
	y := scaleUp(b.coef(), s-int(b.frac))
	return wrapArith("add", a, b)(fromCoef(x.Add(x, y), s, s))
}

// Sub returns a - b.
func Sub(a, b Decimal) (Decimal, error) {
	s := max(int(a.frac), int(b.frac))
	x := scaleUp(a.coef(), s-int(a.frac))
	y := scaleUp(b.coef(), s-int(b.frac))
	return wrapArith("sub", a, b)(fromCoef(x.Sub(x, y), s, s))
}

// Mul returns a * b with scale min(a.Frac()+b.Frac(), 30).
func Mul(a, b Decimal) (Decimal, error) {
	x := a.coef()
	x.Mul(x, b.coef())
	s := int(a.frac) + int(b.frac)
	return wrapArith("mul", a, b)(fromCoef(x, s, min(s, MaxScale)))
}

// Div returns a / b with scale min(a.Frac()+fracIncr, 30), rounded half-up;
// fracIncr is div_precision_increment (DivFracIncr by default). Like TiDB's
// doDivMod, the quotient is first computed to the word-aligned scale of
// a.Frac()+b.Frac()+fracIncr digits and truncated there.
func Div(a, b Decimal, fracIncr int) (Decimal, error) {
	if b.IsZero() {
		return Decimal{}, fmt.Errorf("decimal %s / %s: %w", a, b, ErrDivByZero)
	}
	fa := digitsToWords(int(a.frac)) * digitsPerWord
	fb := digitsToWords(int(b.frac)) * digitsPerWord
	work := digitsToWords(fa+fb+fracIncr) * digitsPerWord
	// a/b = (ca*10^-fa') / (cb*10^-fb'); quotient scaled by 10^work:
	// q = ca * 10^(work - a.frac + b.frac) / cb.
	x := a.coef()
	y := b.coef()
	shift := work - int(a.frac) + int(b.frac)
	if shift >= 0 {
		x = scaleUp(x, shift)
	} else {
		y = scaleUp(y, -shift)
	}
	q := new(big.Int).Quo(x, y) // truncates toward zero
	res := min(int(a.frac)+fracIncr, MaxScale)
	return wrapArith("div", a, b)(fromCoef(q, work, res))
}

func scaleUp(x *big.Int, n int) *big.Int {
	if n <= 0 {
		return x
	}
	p := new(big.Int).Exp(bigTen, big.NewInt(int64(n)), nil)
	return x.Mul(x, p)
}

func wrapArith(op string, a, b Decimal) func(Decimal, error) (Decimal, error) {
	return func(d Decimal, err error) (Decimal, error) {
		if err != nil {
			return d, fmt.Errorf("decimal %s %s %s: %w", a, op, b, err)
		}
		return d, nil
	}
}
