package dumpgen

import (
	"math/rand/v2"
	"strconv"
	"unicode/utf8"
)

// Helpers that append values in MySQL's text form, the form dumpling reads
// back from the server and writes into the dump.

// appendPadded appends v in decimal with at least width digits.
func appendPadded(dst []byte, v uint64, width int) []byte {
	var tmp [20]byte
	i := len(tmp)
	// Two digits per division: this is the generator's hottest loop.
	for v >= 100 {
		q := v / 100
		d := (v - q*100) * 2
		i -= 2
		tmp[i], tmp[i+1] = digitPairs[d], digitPairs[d+1]
		v = q
	}
	if v >= 10 {
		i -= 2
		tmp[i], tmp[i+1] = digitPairs[v*2], digitPairs[v*2+1]
	} else {
		i--
		tmp[i] = byte('0' + v)
	}
	for len(tmp)-i < width {
		i--
		tmp[i] = '0'
	}
	return append(dst, tmp[i:]...)
}

const digitPairs = "00010203040506070809101112131415161718192021222324252627282930313233343536373839" +
	"40414243444546474849505152535455565758596061626364656667686970717273747576777879" +
	"8081828384858687888990919293949596979899"

// civil converts days since 1970-01-01 to a proleptic Gregorian date
// (Howard Hinnant's days-to-civil algorithm).
func civil(days int64) (y int64, m, d int) {
	z := days + 719468
	era := z / 146097
	if z < 0 && z%146097 != 0 {
		era = (z - 146096) / 146097
	}
	doe := z - era*146097
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	y = yoe + era*400
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	d = int(doy - (153*mp+2)/5 + 1)
	if mp < 10 {
		m = int(mp + 3)
	} else {
		m = int(mp - 9)
	}
	if m <= 2 {
		y++
	}
	return y, m, d
}

// appendDate appends days since 1970-01-01 as YYYY-MM-DD.
func appendDate(dst []byte, days int64) []byte {
	y, m, d := civil(days)
	dst = appendPadded(dst, uint64(y), 4)
	dst = append(dst, '-')
	dst = appendPadded(dst, uint64(m), 2)
	dst = append(dst, '-')
	return appendPadded(dst, uint64(d), 2)
}

// appendDateTime appends seconds since 1970-01-01 00:00:00 as
// YYYY-MM-DD hh:mm:ss, then fsp fraction digits of micro (microseconds).
func appendDateTime(dst []byte, secs int64, micro uint64, fsp int) []byte {
	// Floor division: secs before 1970 are negative.
	days := secs / 86400
	if secs%86400 < 0 {
		days--
	}
	rem := uint64(secs - days*86400)
	dst = appendDate(dst, days)
	dst = append(dst, ' ')
	dst = appendClock(dst, rem/3600, rem/60%60, rem%60)
	return appendFraction(dst, micro, fsp)
}

func appendClock(dst []byte, h, m, s uint64) []byte {
	dst = appendPadded(dst, h, 2)
	dst = append(dst, ':')
	dst = appendPadded(dst, m, 2)
	dst = append(dst, ':')
	return appendPadded(dst, s, 2)
}

// appendFraction appends the first fsp digits of a 6-digit microsecond
// value; MySQL prints exactly fsp digits for a column of that precision.
func appendFraction(dst []byte, micro uint64, fsp int) []byte {
	if fsp == 0 {
		return dst
	}
	for i := fsp; i < 6; i++ {
		micro /= 10
	}
	dst = append(dst, '.')
	return appendPadded(dst, micro, fsp)
}

// appendDecimal appends a random DECIMAL(prec, scale) value with every
// scale digit printed, as MySQL prints a DECIMAL column.
func appendDecimal(dst []byte, rng *rand.Rand, prec, scale int, signed bool) []byte {
	intDigits := prec - scale
	// A random number of integer digits spreads the values over magnitudes.
	n := rng.IntN(intDigits + 1)
	var ip uint64
	if n > 0 {
		ip = rng.Uint64N(pow10[n])
	}
	fp := rng.Uint64N(pow10[scale])
	if signed && rng.IntN(2) == 0 && (ip != 0 || fp != 0) {
		dst = append(dst, '-')
	}
	dst = strconv.AppendUint(dst, ip, 10)
	if scale > 0 {
		dst = append(dst, '.')
		dst = appendPadded(dst, fp, scale)
	}
	return dst
}

var pow10 = func() [20]uint64 {
	var p [20]uint64
	p[0] = 1
	for i := 1; i < len(p); i++ {
		p[i] = p[i-1] * 10
	}
	return p
}()

const alnum = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"

// appendAlnum appends n random letters and digits.
func appendAlnum(dst []byte, rng *rand.Rand, n int) []byte {
	for n > 0 {
		// One 64-bit draw gives ten 6-bit picks.
		u := rng.Uint64()
		for k := 0; k < 10 && n > 0; k++ {
			dst = append(dst, alnum[int(u&63)%len(alnum)])
			u >>= 6
			n--
		}
	}
	return dst
}

// appendRandomBytes appends n random bytes of any value.
func appendRandomBytes(dst []byte, rng *rand.Rand, n int) []byte {
	for n > 0 {
		u := rng.Uint64()
		for k := 0; k < 8 && n > 0; k++ {
			dst = append(dst, byte(u))
			u >>= 8
			n--
		}
	}
	return dst
}

// appendWords appends words picked from vocab, separated by sep, while the
// text stays within maxChars characters and maxBytes bytes; it stops at the
// first word that would not fit or after target characters.
func appendWords(dst []byte, rng *rand.Rand, vocab []string, sep string, target, maxChars, maxBytes int) []byte {
	start := len(dst)
	chars := 0
	for chars < target {
		w := vocab[rng.IntN(len(vocab))]
		add := utf8.RuneCountInString(w)
		extra := 0
		if len(dst) > start {
			add += utf8.RuneCountInString(sep)
			extra = len(sep)
		}
		if chars+add > maxChars || len(dst)-start+len(w)+extra > maxBytes {
			break
		}
		if extra > 0 {
			dst = append(dst, sep...)
		}
		dst = append(dst, w...)
		chars += add
	}
	return dst
}
