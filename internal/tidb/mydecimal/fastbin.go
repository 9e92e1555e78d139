package mydecimal

// AppendBinFast is ConvertToColumn's fast path alone: ok is false for every
// text it does not take (white space included), and the caller then runs
// the general conversion. When ok, the bytes appended to dst are exactly
// what ConvertToColumn appends.
func AppendBinFast(s []byte, prec, frac int, unsigned bool, dst []byte) (out []byte, ok bool) {
	return fastToBin(s, prec, frac, unsigned, dst)
}

// fastToBin is ConvertToColumn for the plain texts that dumps hold almost
// always: an optional '-', at most 18 integer digits, an optional fraction
// no longer than the column's scale, nothing else. Such a value needs no
// rounding and cannot overflow a column whose integer part has room for its
// digits, so its bin is written straight from two integers, without the
// digit-by-digit Decimal. ok is false for every other text, which then
// takes the general path; both give the same bytes (TestFastBinMatches,
// FuzzFastBin).
func fastToBin(s []byte, prec, frac int, unsigned bool, dst []byte) (out []byte, ok bool) {
	if prec < 1 || prec > maxDigits || frac < 0 || frac > MaxScale || frac > prec || frac > 18 {
		return dst, false
	}
	i, neg := 0, false
	if len(s) > 0 && s[0] == '-' {
		if unsigned {
			return dst, false
		}
		neg, i = true, 1
	}
	for i < len(s) && s[i] == '0' {
		i++ // leading zeros
	}
	var intVal uint64
	nint := 0
	for ; i < len(s) && isDigit(s[i]); i++ {
		intVal = intVal*10 + uint64(s[i]-'0')
		if nint++; nint > 18 {
			return dst, false
		}
	}
	digits := nint > 0 || (i > 0 && s[i-1] == '0')
	var fracVal uint64
	nfrac := 0
	if i < len(s) && s[i] == '.' {
		for i++; i < len(s) && isDigit(s[i]); i++ {
			fracVal = fracVal*10 + uint64(s[i]-'0')
			if nfrac++; nfrac > frac {
				return dst, false // needs rounding (or a truncation note)
			}
			digits = true
		}
	}
	intg := prec - frac
	if i != len(s) || !digits || nint > intg {
		return dst, false
	}
	if neg && intVal == 0 && fracVal == 0 {
		return dst, false
	}
	fracVal *= pow10u64[frac-nfrac] // pad the fraction to the column's scale
	var mask uint32
	if neg {
		mask = 0xffffffff
	}
	start := len(dst)
	// Integer words, most significant first: the partial word of intg%9
	// digits, then whole words of 9 (intVal has at most two non-zero ones).
	words := (intg + digitsPerWord - 1) / digitsPerWord
	size := 4
	if lead := intg % digitsPerWord; lead != 0 {
		size = dig2bytes[lead]
	}
	for w := words - 1; w >= 0; w-- {
		var v uint32
		switch w {
		case 0:
			v = uint32(intVal % 1e9)
		case 1:
			v = uint32(intVal / 1e9 % 1e9)
		case 2:
			v = uint32(intVal / 1e18)
		}
		dst = appendWord(dst, v^mask, size)
		size = 4
	}
	// Fraction words, most significant first: whole words of 9 digits,
	// then the partial word of frac%9.
	for k := 0; k+digitsPerWord <= frac; k += digitsPerWord {
		dst = appendWord(dst, uint32(fracVal/pow10u64[frac-k-digitsPerWord]%1e9)^mask, 4)
	}
	if rest := frac % digitsPerWord; rest > 0 {
		v := fracVal // below 10^frac: the word itself when frac < 9
		if frac > digitsPerWord {
			v %= pow10u64[rest]
		}
		dst = appendWord(dst, uint32(v)^mask, dig2bytes[rest])
	}
	dst[start] ^= 0x80
	return dst, true
}

// appendWord appends the size low bytes of v, big-endian.
func appendWord(dst []byte, v uint32, size int) []byte {
	switch size {
	case 1:
		return append(dst, byte(v))
	case 2:
		return append(dst, byte(v>>8), byte(v))
	case 3:
		return append(dst, byte(v>>16), byte(v>>8), byte(v))
	}
	return append(dst, byte(v>>24), byte(v>>16), byte(v>>8), byte(v))
}

// pow10u64 are the powers of ten that fit a uint64.
var pow10u64 = [...]uint64{1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13,
	1e14, 1e15, 1e16, 1e17, 1e18, 1e19}
