package genexpr

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/encoding/simplifiedchinese"
)

// CONV, CHAR, QUOTE and SOUNDEX (pkg/expression/builtin_math.go,
// builtin_string.go).
func init() {
	register(map[string]funcDef{
		"conv":      {3, 3, fnConv},
		"char_func": {1, -1, fnChar},
		"quote":     {1, 1, fnQuote},
		"soundex":   {1, 1, fnSoundex},
	})
}

// validPrefix is the longest prefix of s made of digits of base (and a
// leading sign), TiDB's getValidPrefix.
func validPrefix(s string, base int64) string {
	upper := rune('A' + base - 10)
	if base <= 9 {
		upper = rune('0' + base)
	}
	n := 0
loop:
	for i := 0; i < len(s); i++ {
		c := rune(s[i])
		switch {
		case unicode.IsDigit(c) || unicode.IsLower(c) || unicode.IsUpper(c):
			if unicode.ToUpper(c) < upper {
				n = i + 1
			} else {
				break loop
			}
		case c == '+' || c == '-':
			if i != 0 {
				break loop
			}
		default:
			break loop
		}
	}
	if n > 1 && s[0] == '+' {
		return s[1:n]
	}
	return s[:n]
}

// conv is TiDB's builtinConvSig.conv: a negative from_base reads a signed
// number (clamped to the BIGINT range), a negative to_base writes a signed
// one; bases outside 2..36 give NULL; a number past 64 bits is an
// overflow error.
func conv(s string, from, to int64) (string, bool, error) {
	signed := from < 0
	from = max(from, -from)
	ignoreSign := to < 0
	to = max(to, -to)
	if from > 36 || from < 2 || to > 36 || to < 2 {
		return "", false, nil
	}
	s = validPrefix(strings.TrimSpace(s), from)
	if s == "" {
		return "0", true, nil
	}
	negative := false
	if s[0] == '-' {
		negative = true
		s = s[1:]
	}
	val, err := strconv.ParseUint(s, int(from), 64)
	if err != nil {
		return "", false, fmt.Errorf("%w: BIGINT UNSIGNED value is out of range in '%s'", ErrOverflow, s)
	}
	if signed {
		if negative && val > -math.MinInt64 {
			val = -math.MinInt64
		}
		if !negative && val > math.MaxInt64 {
			val = math.MaxInt64
		}
	}
	if negative {
		val = -val
	}
	negative = int64(val) < 0
	if ignoreSign && negative {
		val = -val
	}
	out := strconv.FormatUint(val, int(to))
	if ignoreSign && negative {
		out = "-" + out
	}
	return strings.ToUpper(out), true, nil
}

// bitString is a BIT value or bit/hex literal as binary digits without
// leading zeros (BinaryLiteral.ToBitLiteralString(true) without b”).
func bitString(b []byte) string {
	var sb strings.Builder
	for _, c := range b {
		fmt.Fprintf(&sb, "%08b", c)
	}
	s := strings.TrimLeft(sb.String(), "0")
	if s == "" {
		s = "0"
	}
	return s
}

// fnConv is CONV(N, from_base, to_base): N is read as text in from_base;
// a BIT value or bit/hex literal is its bits (TiDB first converts them
// from base 2 to from_base).
func fnConv(_ *evalCtx, a []Value) (Value, error) {
	if anyNull(a) {
		return Null, nil
	}
	from, to := toInt64(a[1]), toInt64(a[2])
	s := string(toText(a[0]))
	if a[0].Kind == KindString && a[0].HasNum && a[0].Binary {
		r, ok, err := conv(bitString(a[0].S), 2, from)
		if err != nil || !ok {
			return Null, err
		}
		s = r
	}
	r, ok, err := conv(s, from, to)
	if err != nil || !ok {
		return Null, err
	}
	return StringValue(r), nil
}

// fnChar is CHAR(N, ... [USING charset]), which the parser passes as
// char_func with the charset (or NULL) last: each non-NULL N gives its
// big-endian bytes (at most 4, no leading zero bytes). Without USING the
// result is a binary string; with it the bytes are decoded from that
// charset: invalid ones make the result NULL in a strict SQL mode, '?'
// otherwise (TiDB's Transform with a warning).
func fnChar(c *evalCtx, a []Value) (Value, error) {
	var out []byte
	for _, v := range a[:len(a)-1] {
		if v.IsNull() {
			continue
		}
		// TiDB's convertToBytes: low byte first, at most 4, stopping once
		// the arithmetic shift leaves 0 (a negative N gives 4 bytes).
		n := toInt64(v)
		var tmp [4]byte
		i := 4
		for count := 0; count < 4; count++ {
			i--
			tmp[i] = byte(n)
			if n >>= 8; n == 0 {
				break
			}
		}
		out = append(out, tmp[i:]...)
	}
	if out == nil {
		out = []byte{}
	}
	csv := a[len(a)-1]
	if csv.IsNull() {
		return BytesValue(out), nil
	}
	cs := strings.ToLower(string(toText(csv)))
	switch cs {
	case "binary":
		return BytesValue(out), nil
	case "utf8", "utf8mb3", "utf8mb4":
		var fixed []byte
		bad := false
		for i := 0; i < len(out); {
			r, n := utf8.DecodeRune(out[i:])
			if (r == utf8.RuneError && n == 1) || (cs != "utf8mb4" && r > 0xFFFF) {
				bad = true
				fixed = append(fixed, '?')
			} else {
				fixed = append(fixed, out[i:i+n]...)
			}
			i += n
		}
		if bad && c.strict {
			return Null, nil
		}
		out = fixed
	case "ascii":
		bad := false
		for i, ch := range out {
			if ch >= 0x80 {
				bad = true
				out[i] = '?'
			}
		}
		if bad && c.strict {
			return Null, nil
		}
	case "gbk", "gb18030":
		dec := simplifiedchinese.GBK.NewDecoder()
		if cs == "gb18030" {
			dec = simplifiedchinese.GB18030.NewDecoder()
		}
		u, err := dec.Bytes(out)
		if err != nil {
			return Null, nil
		}
		if strings.ContainsRune(string(u), utf8.RuneError) {
			if c.strict {
				return Null, nil
			}
			u = []byte(strings.ReplaceAll(string(u), string(utf8.RuneError), "?"))
		}
		out = u
	default:
		return Null, fmt.Errorf("%w: CHAR(... USING %s) is not supported by lightstream", ErrEval, cs)
	}
	return Value{Kind: KindString, S: out, Coll: defaultCollation(cs)}, nil
}

// fnQuote is QUOTE(str): the string in single quotes with \, ', NUL and
// ^Z escaped; NULL gives the word NULL (TiDB's Quote works on the
// string's runes).
func fnQuote(_ *evalCtx, a []Value) (Value, error) {
	if a[0].IsNull() {
		return StringValue("NULL"), nil
	}
	var b strings.Builder
	b.WriteByte('\'')
	for _, r := range string(toText(a[0])) {
		switch r {
		case '\\', '\'':
			b.WriteByte('\\')
			b.WriteRune(r)
		case 0:
			b.WriteString(`\0`)
		case '\032':
			b.WriteString(`\Z`)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('\'')
	return strResult([]byte(b.String()), a[0]), nil
}

// soundexCodes maps A..Z to their Soundex digit; '0' letters (vowels, H,
// W, Y) are not written.
const soundexCodes = "01230120022455012623010202"

// fnSoundex is SOUNDEX(str) as MySQL computes it (item_strfunc.cc):
// non-letters are skipped, the first letter is kept upper-cased, each
// following letter adds its digit unless it is 0 or equals the last digit
// written (vowels do not separate equal digits), and the result is padded
// with 0 to four characters but not cut. TiDB has no SOUNDEX (its
// function table lacks it, so TiDB itself refuses such a column); a dump
// from MySQL is imported with MySQL's values.
func fnSoundex(_ *evalCtx, a []Value) (Value, error) {
	if a[0].IsNull() {
		return Null, nil
	}
	code := func(r rune) byte {
		r = unicode.ToUpper(r)
		if r >= 'A' && r <= 'Z' {
			return soundexCodes[r-'A']
		}
		return '0'
	}
	var out []byte
	var last byte
	for _, r := range string(toText(a[0])) {
		if !unicode.IsLetter(r) {
			continue
		}
		if out == nil {
			out = utf8.AppendRune(nil, unicode.ToUpper(r))
			last = code(r)
			continue
		}
		if c := code(r); c != '0' && c != last {
			out = append(out, c)
			last = c
		}
	}
	if out == nil {
		return strResult([]byte{}, a[0]), nil
	}
	for utf8.RuneCount(out) < 4 {
		out = append(out, '0')
	}
	return strResult(out, a[0]), nil
}
