package genexpr

import (
	"math"
	"strconv"

	"github.com/lightstream-io/lightstream/internal/tidb/jsonbin"
	"github.com/lightstream-io/lightstream/internal/tidb/mydecimal"
	"github.com/lightstream-io/lightstream/internal/tidb/mytime"
)

// Implicit conversions inside expressions follow MySQL's warning semantics
// (pkg/types/convert.go): a string that is not entirely a number gives its
// longest numeric prefix, and an unusable value gives 0 or NULL. The final
// cast to the column type (Converter) is where strict mode applies.

// floatPrefix returns the longest prefix of s (after leading spaces) that
// is a valid floating-point number (types.getValidFloatPrefix).
func floatPrefix(s []byte) []byte {
	i := 0
	for i < len(s) && isSpace(s[i]) {
		i++
	}
	start := i
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		i++
	}
	digits := false
	for i < len(s) && isDigit(s[i]) {
		i++
		digits = true
	}
	if i < len(s) && s[i] == '.' {
		i++
		for i < len(s) && isDigit(s[i]) {
			i++
			digits = true
		}
	}
	if !digits {
		return nil
	}
	end := i
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		j := i + 1
		if j < len(s) && (s[j] == '+' || s[j] == '-') {
			j++
		}
		k := j
		for k < len(s) && isDigit(s[k]) {
			k++
		}
		if k > j {
			end = k
		}
	}
	return s[start:end]
}

// intPrefix returns the longest prefix of s that is an integer.
func intPrefix(s []byte) []byte {
	i := 0
	for i < len(s) && isSpace(s[i]) {
		i++
	}
	start := i
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		i++
	}
	d := i
	for i < len(s) && isDigit(s[i]) {
		i++
	}
	if i == d {
		return nil
	}
	return s[start:i]
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }
func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

func strToFloat(s []byte) float64 {
	p := floatPrefix(s)
	if p == nil {
		return 0
	}
	f, err := strconv.ParseFloat(string(p), 64)
	if err != nil && math.IsInf(f, 0) {
		return f
	}
	return f
}

// toFloat is a value in a REAL context (EvalReal).
func toFloat(v Value) float64 {
	switch v.Kind {
	case KindInt:
		return float64(v.I)
	case KindUint:
		return float64(v.U)
	case KindFloat:
		return v.F
	case KindDecimal:
		return v.D.ToFloat64()
	case KindString:
		if v.HasNum {
			return float64(v.U)
		}
		return strToFloat(v.S)
	case KindTime, KindDuration:
		f, _ := strconv.ParseFloat(string(appendNumberText(nil, v)), 64)
		return f
	case KindJSON:
		return jsonToFloat(v.S)
	}
	return 0
}

func jsonToFloat(bin []byte) float64 {
	if len(bin) == 0 {
		return 0
	}
	switch bin[0] {
	case jsonbin.TypeInt64, jsonbin.TypeUint64, jsonbin.TypeFloat64:
		text, _ := jsonbin.ToText(bin, nil)
		f, _ := strconv.ParseFloat(string(text), 64)
		return f
	case jsonbin.TypeLiteral:
		if len(bin) > 1 && bin[1] == jsonbin.LiteralTrue {
			return 1
		}
		return 0
	case jsonbin.TypeString:
		s, _ := jsonbin.Unquote(bin)
		return strToFloat([]byte(s))
	}
	return 0
}

// toDecimal is a value in a DECIMAL context (EvalDecimal).
func toDecimal(v Value) mydecimal.Decimal {
	switch v.Kind {
	case KindInt:
		return mydecimal.FromInt(v.I)
	case KindUint:
		return mydecimal.FromUint(v.U)
	case KindFloat:
		d, err := mydecimal.FromFloat64(v.F)
		if err != nil {
			return mydecimal.Decimal{}
		}
		return d
	case KindDecimal:
		return v.D
	case KindString:
		if v.HasNum {
			return mydecimal.FromUint(v.U)
		}
		p := floatPrefix(v.S)
		if p == nil {
			return mydecimal.Decimal{}
		}
		d, _ := mydecimal.Parse(p)
		return d
	case KindTime, KindDuration:
		d, _ := mydecimal.Parse(appendNumberText(nil, v))
		return d
	case KindJSON:
		d, _ := mydecimal.FromFloat64(jsonToFloat(v.S))
		return d
	}
	return mydecimal.Decimal{}
}

// toInt is a value in an INT context (EvalInt): floats and decimals round
// half away from zero, strings give their integer prefix (types.StrToInt).
// unsigned reports that the value is an unsigned integer held in u.
func toInt(v Value) (i int64, u uint64, unsigned bool) {
	switch v.Kind {
	case KindInt:
		return v.I, 0, false
	case KindUint:
		return 0, v.U, true
	case KindFloat:
		return floatToInt(v.F), 0, false
	case KindDecimal:
		n, _ := v.D.ToInt64()
		return n, 0, false
	case KindString:
		if v.HasNum {
			return 0, v.U, true
		}
		p := intPrefix(v.S)
		if p == nil {
			return 0, 0, false
		}
		n, err := strconv.ParseInt(string(p), 10, 64)
		if err != nil {
			if p[0] != '-' {
				if un, err := strconv.ParseUint(string(trimPlus(p)), 10, 64); err == nil {
					return 0, un, true
				}
			}
			return n, 0, false
		}
		return n, 0, false
	case KindTime, KindDuration:
		d := toDecimal(v)
		n, _ := d.ToInt64()
		return n, 0, false
	case KindJSON:
		return floatToInt(jsonToFloat(v.S)), 0, false
	}
	return 0, 0, false
}

func trimPlus(p []byte) []byte {
	if len(p) > 0 && p[0] == '+' {
		return p[1:]
	}
	return p
}

// toInt64 is toInt folded into int64 (unsigned values above MaxInt64 wrap
// as MySQL's integer functions see them).
func toInt64(v Value) int64 {
	i, u, uns := toInt(v)
	if uns {
		return int64(u)
	}
	return i
}

// floatToInt rounds half to even like types.ConvertFloatToInt
// (types.RoundFloat), clamping to the int64 range.
func floatToInt(f float64) int64 {
	r := math.RoundToEven(f)
	if r >= math.MaxInt64 {
		return math.MaxInt64
	}
	if r <= math.MinInt64 {
		return math.MinInt64
	}
	return int64(r)
}

// toText is a value in a string context (EvalString).
func toText(v Value) []byte {
	if v.Kind == KindString {
		return v.S
	}
	return v.AppendText(nil)
}

// exprMode is the SQL mode temporal parsing uses inside expressions: zero
// dates allowed, impossible dates (2021-02-30) give NULL.
const exprMode = 0

// fracDigits counts the digits after the last '.' of a temporal string,
// capped at 6: the fsp TiDB infers for a string argument (types.GetFsp).
func fracDigits(s []byte) int {
	for i := len(s) - 1; i >= 0; i-- {
		if s[i] == '.' {
			n := 0
			for j := i + 1; j < len(s) && isDigit(s[j]); j++ {
				n++
			}
			if n > 6 {
				n = 6
			}
			return n
		}
		if !isDigit(s[i]) {
			return 0
		}
	}
	return 0
}

// toTime is a value in a DATETIME context; ok is false when it is not a
// valid date (MySQL returns NULL with a warning).
func toTime(c *evalCtx, v Value) (Value, bool) {
	switch v.Kind {
	case KindTime:
		return v, true
	case KindString:
		s := v.S
		fsp := fracDigits(s)
		t, err := mytime.ParseTimeIn(s, mytime.Datetime, fsp, exprMode, c.loc)
		if err != nil {
			return Null, false
		}
		tp := mytime.Datetime
		if isDateOnly(s) {
			tp = mytime.Date
		}
		return TimeValue(t, tp, fsp), true
	case KindInt, KindUint:
		n := toInt64(v)
		t, err := mytime.ParseTimeFromNumberIn(n, mytime.Datetime, 0, exprMode, c.loc)
		if err != nil {
			return Null, false
		}
		tp := mytime.Datetime
		if n < 100000000 {
			tp = mytime.Date
		}
		return TimeValue(t, tp, 0), true
	case KindFloat, KindDecimal:
		text := v.AppendText(nil)
		fsp := fracDigits(text)
		t, err := mytime.ParseTimeFromNumeric(text, mytime.Datetime, fsp, exprMode, c.loc)
		if err != nil {
			return Null, false
		}
		return TimeValue(t, mytime.Datetime, fsp), true
	case KindJSON:
		s, err := jsonbin.Unquote(v.S)
		if err != nil {
			return Null, false
		}
		return toTime(c, StringValue(s))
	}
	return Null, false
}

// isDateOnly reports whether a date string has no time part
// (types.IsDateFormat: the value parses from at most the date fields).
func isDateOnly(s []byte) bool {
	i := 0
	for i < len(s) && isSpace(s[i]) {
		i++
	}
	s = s[i:]
	for len(s) > 0 && isSpace(s[len(s)-1]) {
		s = s[:len(s)-1]
	}
	parts, digits := 0, 0
	inNum := false
	for _, ch := range s {
		if isDigit(ch) {
			digits++
			if !inNum {
				parts++
				inNum = true
			}
			continue
		}
		inNum = false
		if ch == ' ' || ch == 'T' || ch == ':' {
			return false
		}
	}
	if parts == 1 {
		// Compact forms: YYYYMMDD / YYMMDD are dates, longer ones datetimes.
		return digits <= 8
	}
	return parts <= 3
}

// toDuration is a value in a TIME context; ok is false when it is not a
// valid TIME.
func toDuration(v Value) (ns int64, fsp int, ok bool) {
	switch v.Kind {
	case KindDuration:
		return v.I, v.Fsp, true
	case KindTime:
		t := v.T
		ns = (int64(t.Hour)*3600+int64(t.Minute)*60+int64(t.Second))*1e9 + int64(t.Microsecond)*1000
		return ns, v.Fsp, true
	case KindString:
		fsp = fracDigits(v.S)
		d, err := mytime.ParseDuration(v.S, fsp)
		return d, fsp, err == nil
	case KindInt, KindUint, KindFloat, KindDecimal:
		text := v.AppendText(nil)
		fsp = fracDigits(text)
		d, err := mytime.ParseDurationFromNumber(text, fsp)
		return d, fsp, err == nil
	case KindJSON:
		s, err := jsonbin.Unquote(v.S)
		if err != nil {
			return 0, 0, false
		}
		return toDuration(StringValue(s))
	}
	return 0, 0, false
}

// truth is a value in a boolean context: null reports NULL.
func truth(_ *evalCtx, v Value) (t, null bool) {
	switch v.Kind {
	case KindNull:
		return false, true
	case KindInt:
		return v.I != 0, false
	case KindUint:
		return v.U != 0, false
	case KindDecimal:
		return !v.D.IsZero(), false
	case KindTime:
		return !v.T.IsZero(), false
	case KindDuration:
		return v.I != 0, false
	case KindJSON:
		if len(v.S) > 1 && v.S[0] == jsonbin.TypeLiteral {
			return v.S[1] == jsonbin.LiteralTrue, false
		}
		return jsonToFloat(v.S) != 0, false
	}
	return toFloat(v) != 0, false
}
