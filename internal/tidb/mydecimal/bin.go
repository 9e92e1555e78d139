package mydecimal

import "fmt"

// dig2bytes is how many bytes a group of n (< 9) leftover digits takes in
// decimal2bin (TiDB pkg/types/mydecimal.go, MySQL strings/decimal.cc).
var dig2bytes = [10]int{0, 1, 1, 2, 2, 3, 3, 4, 4, 4}

var pow10 = [10]uint32{1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000, 1000000000}

func checkPrecFrac(prec, frac int) error {
	if prec < 1 || prec > maxDigits || frac < 0 || frac > MaxScale || frac > prec {
		return fmt.Errorf("decimal(%d, %d): %w", prec, frac, ErrBadNumber)
	}
	return nil
}

// BinSize returns the length of decimal2bin for (prec, frac), or 0 when the
// pair is invalid (TiDB DecimalBinSize).
func BinSize(prec, frac int) int {
	if checkPrecFrac(prec, frac) != nil {
		return 0
	}
	intg := prec - frac
	return intg/digitsPerWord*4 + dig2bytes[intg%digitsPerWord] +
		frac/digitsPerWord*4 + dig2bytes[frac%digitsPerWord]
}

// ToBin appends MySQL's decimal2bin of d for a DECIMAL(prec, frac) (SPEC
// §2.3, TiDB MyDecimal.WriteBin): the integer part padded to prec-frac digits
// and the fraction padded to frac digits, cut in 9-digit words of 4 big-endian
// bytes with the partial words at both ends shortened (dig2bytes); negatives
// have every byte inverted; the first byte's top bit is flipped. Equal
// (prec, frac) bins compare like the values with bytes.Compare.
//
// d must already be rounded to frac: extra fraction digits are cut and
// ErrTruncated is returned with the (truncated) bin appended. An integer part
// wider than prec-frac digits gives ErrOverflow and dst unchanged.
func (d Decimal) ToBin(prec, frac int, dst []byte) ([]byte, error) {
	if err := checkPrecFrac(prec, frac); err != nil {
		return dst, err
	}
	intg := prec - frac
	nint := int(d.nint)
	if nint > intg {
		return dst, fmt.Errorf("decimal %s as DECIMAL(%d,%d): %w", d, prec, frac, ErrOverflow)
	}
	var err error
	if int(d.frac) > frac {
		for _, c := range d.dig[nint+frac : nint+int(d.frac)] {
			if c != 0 {
				err = fmt.Errorf("decimal %s as DECIMAL(%d,%d): %w", d, prec, frac, ErrTruncated)
				break
			}
		}
	}
	var mask byte
	if d.neg && !d.IsZero() {
		mask = 0xff
	}
	start := len(dst)
	// digit returns the i-th digit of the padded integer part (0..intg) and
	// then of the padded fraction.
	digit := func(i int) uint32 {
		if i < intg {
			k := i - (intg - nint)
			if k < 0 {
				return 0
			}
			return uint32(d.dig[k])
		}
		k := i - intg
		if k >= int(d.frac) {
			return 0
		}
		return uint32(d.dig[nint+k])
	}
	group := func(from, n int) {
		var v uint32
		for i := from; i < from+n; i++ {
			v = v*10 + digit(i)
		}
		size := 4
		if n < digitsPerWord {
			size = dig2bytes[n]
		}
		for b := size - 1; b >= 0; b-- {
			dst = append(dst, byte(v>>(8*uint(b)))^mask)
		}
	}
	pos := 0
	if lead := intg % digitsPerWord; lead > 0 {
		group(pos, lead)
		pos += lead
	}
	for ; pos < intg; pos += digitsPerWord {
		group(pos, digitsPerWord)
	}
	for k := 0; k+digitsPerWord <= frac; k += digitsPerWord {
		group(pos, digitsPerWord)
		pos += digitsPerWord
	}
	if trail := frac % digitsPerWord; trail > 0 {
		group(pos, trail)
	}
	dst[start] ^= 0x80
	return dst, err
}

// FromBin decodes a decimal2bin of (prec, frac) at the start of b and returns
// the value (scale frac) and the number of bytes read. Short input or a word
// out of range gives ErrBadNumber.
func FromBin(b []byte, prec, frac int) (Decimal, int, error) {
	if err := checkPrecFrac(prec, frac); err != nil {
		return Decimal{}, 0, err
	}
	size := BinSize(prec, frac)
	if len(b) < size {
		return Decimal{}, 0, fmt.Errorf("decimal(%d,%d) bin needs %d bytes, have %d: %w", prec, frac, size, len(b), ErrBadNumber)
	}
	var mask byte
	if b[0]&0x80 == 0 {
		mask = 0xff
	}
	intg := prec - frac
	var digs [maxDigits]byte
	n := 0
	pos := 0
	first := true
	var bad bool
	group := func(nd int) {
		bytes := 4
		if nd < digitsPerWord {
			bytes = dig2bytes[nd]
		}
		var v uint32
		for i := 0; i < bytes; i++ {
			c := b[pos+i]
			if first {
				c ^= 0x80
				first = false
			}
			v = v<<8 | uint32(c^mask)
		}
		pos += bytes
		if v >= pow10[nd] {
			bad = true
			return
		}
		for i := nd - 1; i >= 0; i-- {
			digs[n+i] = byte(v % 10)
			v /= 10
		}
		n += nd
	}
	if lead := intg % digitsPerWord; lead > 0 {
		group(lead)
	}
	for k := intg % digitsPerWord; k < intg && !bad; k += digitsPerWord {
		group(digitsPerWord)
	}
	for k := 0; k+digitsPerWord <= frac && !bad; k += digitsPerWord {
		group(digitsPerWord)
	}
	if trail := frac % digitsPerWord; trail > 0 && !bad {
		group(trail)
	}
	if bad {
		return Decimal{}, size, fmt.Errorf("decimal(%d,%d) bin % x: digit word out of range: %w", prec, frac, b[:size], ErrBadNumber)
	}
	d, _ := build(mask != 0, digs[:n], intg, false)
	return d, size, nil
}

// BinToString decodes a decimal2bin of (prec, frac) and returns MySQL's text
// with exactly frac decimals, what SELECT prints for the column.
func BinToString(bin []byte, prec, frac int) (string, error) {
	d, _, err := FromBin(bin, prec, frac)
	if err != nil {
		return "", err
	}
	return d.String(), nil
}
