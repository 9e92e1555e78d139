package mydecimal

import (
	"fmt"
	"math"
	"strconv"
)

// isSpace is the ASCII white space MySQL skips around numbers.
func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// Parse reads MySQL numeric text: optional white space, sign, digits with an
// optional '.', an optional exponent (1.5e3, -2E-2), optional white space.
// It never goes through float64. Errors (test with errors.Is):
//   - ErrBadNumber: no digits at all; the value is 0.
//   - ErrTruncated: trailing garbage ("12abc" gives 12) or fraction digits cut
//     to fit 81 digits; the value is usable.
//   - ErrOverflow: more than 81 integer digits; the value is 81 nines.
//
// The scale of the result is the number of fraction digits written, unless an
// exponent moved the point (then trailing zeros are dropped, as TiDB's
// MyDecimal.Shift does): "1.50" has scale 2, "1.50e1" is 15.
func Parse(s []byte) (Decimal, error) {
	d, garbage, err := parse(s)
	if err != nil {
		return d, fmt.Errorf("parse decimal %q: %w", s, err)
	}
	if garbage {
		return d, fmt.Errorf("parse decimal %q: trailing characters: %w", s, ErrTruncated)
	}
	return d, nil
}

// parse returns the value, whether trailing garbage was ignored, and an error
// for no digits, overflow or cut digits. (TiDB MyDecimal.FromString.)
func parse(s []byte) (d Decimal, garbage bool, err error) {
	i := 0
	for i < len(s) && isSpace(s[i]) {
		i++
	}
	neg := false
	if i < len(s) && (s[i] == '-' || s[i] == '+') {
		neg = s[i] == '-'
		i++
	}
	intStart := i
	for i < len(s) && isDigit(s[i]) {
		i++
	}
	intEnd := i
	fracStart, fracEnd := i, i
	if i < len(s) && s[i] == '.' {
		i++
		fracStart = i
		for i < len(s) && isDigit(s[i]) {
			i++
		}
		fracEnd = i
	}
	if intEnd == intStart && fracEnd == fracStart {
		return Decimal{}, false, ErrBadNumber
	}
	// Skip leading zeros of the integer part so long zero prefixes cost nothing.
	for intStart < intEnd && s[intStart] == '0' {
		intStart++
	}
	nint := intEnd - intStart
	nfrac := fracEnd - fracStart

	// Exponent.
	exp := int64(0)
	hasExp := false
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		hasExp = true
		var ok bool
		exp, i, ok = parseExponent(s, i+1)
		if !ok {
			garbage = true
		}
	}
	for j := i; j < len(s); j++ {
		if !isSpace(s[j]) {
			garbage = true
			break
		}
	}

	if !hasExp || exp == 0 {
		if nint > maxDigits {
			return maxValue(neg, maxDigits, 0), garbage, ErrOverflow
		}
		// Only as many fraction digits as can be kept are copied.
		room := (wordBufLen - digitsToWords(nint)) * digitsPerWord
		var buf [maxDigits + 1]byte
		n := 0
		for k := intStart; k < intEnd; k++ {
			buf[n] = s[k] - '0'
			n++
		}
		cut := false
		for k := fracStart; k < fracEnd; k++ {
			if k-fracStart >= room {
				cut = true
				break
			}
			buf[n] = s[k] - '0'
			n++
		}
		d, _ = build(neg, buf[:n], nint, false)
		if cut {
			err = ErrTruncated
		}
		return d, garbage, err
	}
	if exp > math.MaxInt32/2 {
		return maxValue(neg, maxDigits, 0), garbage, ErrOverflow
	}
	if exp < math.MinInt32/2 {
		return Decimal{}, garbage, ErrTruncated
	}
	// Shift: the point moves; digits are the significant ones only.
	digit := func(k int) byte { // k over the int digits then the fraction digits
		if k < nint {
			return s[intStart+k] - '0'
		}
		return s[fracStart+k-nint] - '0'
	}
	total := nint + nfrac
	begin := 0
	for begin < total && digit(begin) == 0 {
		begin++
	}
	end := total
	for end > begin && digit(end-1) == 0 {
		end--
	}
	if begin == end {
		return Decimal{}, garbage, nil
	}
	point := int64(nint) + exp // position of the point among digits [0,total)
	intDigits := point - int64(begin)
	if intDigits > maxDigits {
		return maxValue(neg, maxDigits, 0), garbage, ErrOverflow
	}
	if -intDigits > maxDigits+1 {
		// Every significant digit lies beyond what can be kept.
		return Decimal{}, garbage, ErrTruncated
	}
	// Materialize: leading zeros (if the point is before begin), the
	// significant digits, trailing zeros (if the point is after end).
	var buf [3*maxDigits + 2]byte
	n := 0
	for k := intDigits; k < 0; k++ {
		buf[n] = 0
		n++
	}
	sig := end - begin
	limit := len(buf) - maxDigits - n // keep room for trailing zeros
	cut := false
	if sig > limit {
		sig = limit
		cut = true
	}
	for k := 0; k < sig; k++ {
		buf[n] = digit(begin + k)
		n++
	}
	for k := int64(end - begin); k < intDigits; k++ {
		buf[n] = 0
		n++
	}
	ni := int(max(intDigits, 0))
	d, err = build(neg, buf[:n], ni, true)
	if cut && err == nil {
		err = ErrTruncated
	}
	return d, garbage, err
}

// parseExponent reads [+-]digits at s[i:], saturating. ok is false when no
// digit follows (MySQL then uses the digits read so far: none, exponent 0).
func parseExponent(s []byte, i int) (exp int64, next int, ok bool) {
	neg := false
	if i < len(s) && (s[i] == '-' || s[i] == '+') {
		neg = s[i] == '-'
		i++
	}
	start := i
	for i < len(s) && isDigit(s[i]) {
		if exp < math.MaxInt64/10 {
			exp = exp*10 + int64(s[i]-'0')
		}
		i++
	}
	if neg {
		exp = -exp
	}
	return exp, i, i > start
}

// FromInt returns v as a Decimal with scale 0.
func FromInt(v int64) Decimal {
	if v < 0 {
		d := FromUint(uint64(-(v + 1)) + 1)
		d.neg = true
		return d
	}
	return FromUint(uint64(v))
}

// FromUint returns v as a Decimal with scale 0.
func FromUint(v uint64) Decimal {
	var tmp [20]byte
	n := len(tmp)
	for v > 0 {
		n--
		tmp[n] = byte(v % 10)
		v /= 10
	}
	return finish(false, tmp[n:], len(tmp)-n)
}

// FromFloat64 returns the decimal of f's shortest round-trip text
// (strconv 'g', -1), as TiDB's MyDecimal.FromFloat64 does.
func FromFloat64(f float64) (Decimal, error) {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return Decimal{}, fmt.Errorf("decimal from float %v: %w", f, ErrBadNumber)
	}
	var buf [32]byte
	d, _, err := parse(strconv.AppendFloat(buf[:0], f, 'g', -1, 64))
	if err != nil {
		return d, fmt.Errorf("decimal from float %v: %w", f, err)
	}
	return d, nil
}

// ToFloat64 returns the float64 nearest to d.
func (d Decimal) ToFloat64() float64 {
	var buf [maxDigits + 3]byte
	f, err := strconv.ParseFloat(string(d.AppendText(buf[:0])), 64)
	if err != nil {
		// Only a range error is possible for 81 digits, which cannot happen;
		// keep the best effort value.
		return f
	}
	return f
}

// ToInt64 returns d rounded half-up to an integer, as MySQL's CAST does.
// Out of range values give the nearest bound and ErrOverflow.
func (d Decimal) ToInt64() (int64, error) {
	r := d.Round(0)
	var u uint64
	for _, c := range r.dig[:r.nint] {
		if u > (math.MaxUint64-9)/10 {
			return clampInt(r.neg), fmt.Errorf("decimal %s to int64: %w", d, ErrOverflow)
		}
		u = u*10 + uint64(c)
	}
	if r.neg {
		if u > 1<<63 {
			return math.MinInt64, fmt.Errorf("decimal %s to int64: %w", d, ErrOverflow)
		}
		return int64(-u), nil
	}
	if u > math.MaxInt64 {
		return math.MaxInt64, fmt.Errorf("decimal %s to int64: %w", d, ErrOverflow)
	}
	return int64(u), nil
}

// ToUint64 returns d rounded half-up to an unsigned integer. Negative values
// give 0 and ErrOverflow, too large ones MaxUint64 and ErrOverflow.
func (d Decimal) ToUint64() (uint64, error) {
	r := d.Round(0)
	if r.neg {
		return 0, fmt.Errorf("decimal %s to uint64: %w", d, ErrOverflow)
	}
	var u uint64
	for _, c := range r.dig[:r.nint] {
		if u > (math.MaxUint64-uint64(c))/10 {
			return math.MaxUint64, fmt.Errorf("decimal %s to uint64: %w", d, ErrOverflow)
		}
		u = u*10 + uint64(c)
	}
	return u, nil
}

func clampInt(neg bool) int64 {
	if neg {
		return math.MinInt64
	}
	return math.MaxInt64
}
