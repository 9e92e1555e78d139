// Package mydecimal implements MySQL/TiDB DECIMAL values: parsing MySQL
// numeric text, half-up rounding, MySQL's text form and the decimal2bin
// storage layout that TiDB writes into keys and rows.
//
// The rules follow TiDB's pkg/types/mydecimal.go (MyDecimal): a value holds
// at most 9 words of 9 digits (81 digits), with integer and fraction parts
// each word aligned, so the fraction is cut when a large integer part leaves
// fewer words for it.
package mydecimal

import (
	"errors"
	"fmt"
)

const (
	digitsPerWord = 9
	wordBufLen    = 9
	maxDigits     = digitsPerWord * wordBufLen // 81, MySQL's DECIMAL_BUFF_LENGTH*DIG_PER_DEC1

	// MaxPrecision is the largest precision of a DECIMAL column (mysql.MaxDecimalWidth).
	MaxPrecision = 65
	// MaxScale is the largest scale of a DECIMAL column (mysql.MaxDecimalScale).
	MaxScale = 30
	// DivFracIncr is MySQL's default div_precision_increment.
	DivFracIncr = 4
)

// Errors callers branch on. Functions wrap them with context; test with errors.Is.
var (
	// ErrBadNumber reports text that holds no number at all, or malformed bins.
	ErrBadNumber = errors.New("bad decimal number")
	// ErrOverflow reports a value whose integer part does not fit.
	ErrOverflow = errors.New("decimal overflow")
	// ErrTruncated reports that digits or trailing text were dropped; the
	// value returned alongside it is still usable (MySQL's warning case).
	ErrTruncated = errors.New("decimal truncated")
	// ErrDivByZero reports a division by zero.
	ErrDivByZero = errors.New("decimal division by zero")
)

// Decimal is an exact decimal value with a scale (the number of fraction
// digits it carries, which String prints). The zero value is 0.
type Decimal struct {
	neg  bool
	nint int8 // integer digits, without leading zeros (0 when |d| < 1)
	frac int8 // fraction digits, trailing zeros included (the scale)
	// dig holds nint+frac digits (0..9), most significant first.
	dig [maxDigits]byte
}

// digitsToWords is the number of 9-digit words n digits need.
func digitsToWords(n int) int { return (n + digitsPerWord - 1) / digitsPerWord }

// Frac returns the scale of d (digits after the point).
func (d Decimal) Frac() int { return int(d.frac) }

// IntDigits returns the number of integer digits of d, without leading zeros.
func (d Decimal) IntDigits() int { return int(d.nint) }

// IsNegative reports whether d < 0.
func (d Decimal) IsNegative() bool { return d.neg }

// IsZero reports whether d == 0.
func (d Decimal) IsZero() bool {
	for _, c := range d.dig[:int(d.nint)+int(d.frac)] {
		if c != 0 {
			return false
		}
	}
	return true
}

// Neg returns -d (zero stays non-negative).
func (d Decimal) Neg() Decimal {
	if !d.IsZero() {
		d.neg = !d.neg
	}
	return d
}

// build normalizes a digit sequence into a Decimal. digs holds the digits of
// the integer part (nint of them, leading zeros allowed) followed by the
// fraction. When the fraction does not fit the word budget it is cut (cut
// digits are dropped, or rounded half-up when round is set) and ErrTruncated
// is returned; an integer part over 81 digits gives the 81-nines maximum and
// ErrOverflow, as MyDecimal does.
func build(neg bool, digs []byte, nint int, round bool) (Decimal, error) {
	var d Decimal
	// Strip leading zeros of the integer part.
	i := 0
	for i < nint && digs[i] == 0 {
		i++
	}
	digs = digs[i:]
	nint -= i
	frac := len(digs) - nint
	if nint > maxDigits {
		return maxValue(neg, maxDigits, 0), ErrOverflow
	}
	var err error
	room := (wordBufLen - digitsToWords(nint)) * digitsPerWord
	if frac > room {
		err = ErrTruncated
		if round && digs[nint+room] >= 5 {
			// Carry into the kept digits; copy first, digs may be the caller's.
			var tmp [maxDigits + 1]byte
			copy(tmp[1:], digs[:nint+room])
			j := nint + room
			for ; j >= 1; j-- {
				if tmp[j] == 9 {
					tmp[j] = 0
					continue
				}
				tmp[j]++
				break
			}
			if j == 0 {
				tmp[0] = 1
				return build(neg, tmp[:nint+room+1], nint+1, round)
			}
			return finish(neg, tmp[1:nint+room+1], nint), err
		}
		digs = digs[:nint+room]
	}
	d = finish(neg, digs, nint)
	return d, err
}

func finish(neg bool, digs []byte, nint int) Decimal {
	var d Decimal
	d.nint = int8(nint)
	d.frac = int8(len(digs) - nint)
	copy(d.dig[:], digs)
	d.neg = neg && !d.IsZero()
	return d
}

// maxValue is the largest value of (prec, frac): all nines.
func maxValue(neg bool, prec, frac int) Decimal {
	var d Decimal
	for i := 0; i < prec; i++ {
		d.dig[i] = 9
	}
	d.nint = int8(prec - frac)
	d.frac = int8(frac)
	d.neg = neg && prec > 0
	return d
}

// MaxOrMin returns the largest (or, with neg, the smallest) value of a
// DECIMAL(prec, frac) column, TiDB's NewMaxOrMinDec.
func MaxOrMin(neg bool, prec, frac int) Decimal { return maxValue(neg, prec, frac) }

// Round returns d rounded half away from zero (TiDB ModeHalfUp) to frac
// fraction digits. A frac above d's scale pads zeros; a negative frac rounds
// to tens, hundreds, ... The scale of the result is max(frac, 0).
func (d Decimal) Round(frac int) Decimal {
	r, _ := d.round(frac)
	return r
}

func (d Decimal) round(frac int) (Decimal, error) {
	if frac > MaxScale {
		frac = MaxScale
	}
	nint := int(d.nint)
	cur := int(d.frac)
	if frac >= cur {
		var buf [maxDigits + MaxScale]byte
		n := copy(buf[:], d.dig[:nint+cur])
		for k := cur; k < frac; k++ {
			buf[n] = 0
			n++
		}
		return build(d.neg, buf[:n], nint, true)
	}
	// Keep the first nint+frac digits and round on the next one.
	keep := nint + frac
	if keep < 0 {
		// The rounding digit is an implied leading zero: the result is 0.
		return Decimal{}, nil
	}
	// buf[0] is a slot for a carry out of the integer part.
	var buf [maxDigits + 2]byte
	copy(buf[1:], d.dig[:keep])
	n := 1 + keep
	if d.dig[keep] >= 5 {
		j := n - 1
		for ; j >= 1; j-- {
			if buf[j] == 9 {
				buf[j] = 0
				continue
			}
			buf[j]++
			break
		}
		if j == 0 {
			buf[0] = 1
		}
	}
	if frac >= 0 {
		return build(d.neg, buf[:n], n-frac, true)
	}
	// Rounding to tens, hundreds...: the dropped integer digits become zeros.
	// n + (-frac) = 1 + nint <= 82 fits buf.
	for k := 0; k < -frac; k++ {
		buf[n] = 0
		n++
	}
	return build(d.neg, buf[:n], n, true)
}

// Compare returns -1, 0 or 1 as a is less than, equal to or greater than b.
// Scales do not matter: 1.50 equals 1.5.
func Compare(a, b Decimal) int {
	az, bz := a.IsZero(), b.IsZero()
	switch {
	case az && bz:
		return 0
	case a.neg != b.neg:
		if a.neg {
			return -1
		}
		return 1
	}
	c := cmpAbs(a, b)
	if a.neg {
		return -c
	}
	return c
}

func cmpAbs(a, b Decimal) int {
	ai, bi := int(a.nint), int(b.nint)
	// Integer parts have no leading zeros, but may be all zero digits? No:
	// build strips leading zeros, so a longer integer part is larger.
	if ai != bi {
		if ai > bi {
			return 1
		}
		return -1
	}
	an, bn := ai+int(a.frac), bi+int(b.frac)
	n := max(an, bn)
	for i := 0; i < n; i++ {
		var x, y byte
		if i < an {
			x = a.dig[i]
		}
		if i < bn {
			y = b.dig[i]
		}
		if x != y {
			if x > y {
				return 1
			}
			return -1
		}
	}
	return 0
}

// String returns MySQL's text form: "-" for negatives, at least one integer
// digit, and exactly Frac() fraction digits ("-0.5000", "0", "12.30").
func (d Decimal) String() string {
	return string(d.AppendText(nil))
}

// AppendText appends the text form of d (see String) to dst.
func (d Decimal) AppendText(dst []byte) []byte {
	if d.neg {
		dst = append(dst, '-')
	}
	nint := int(d.nint)
	if nint == 0 {
		dst = append(dst, '0')
	}
	for _, c := range d.dig[:nint] {
		dst = append(dst, '0'+c)
	}
	if d.frac > 0 {
		dst = append(dst, '.')
		for _, c := range d.dig[nint : nint+int(d.frac)] {
			dst = append(dst, '0'+c)
		}
	}
	return dst
}

// GoString helps test failure messages.
func (d Decimal) GoString() string { return fmt.Sprintf("mydecimal(%s)", d.String()) }
