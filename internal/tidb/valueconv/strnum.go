package valueconv

import (
	"bytes"
	"errors"
	"math"
	"strconv"
	"strings"
)

// This file holds TiDB's rules for reading a string as a number when it is
// stored into a numeric column (pkg/types/convert.go StrToInt, StrToUint,
// StrToFloat with isFuncCast false, the path table.CastValue takes). The
// value kept is the longest valid number prefix; anything after it is a
// truncation (an error in strict mode, a warning otherwise).

// validFloatPrefix is TiDB's getValidFloatPrefix: the longest prefix of s
// (already space-trimmed) that reads as [sign] digits [. digits]
// [e [sign] digits], or "0" when there is none. A NUL byte ends the string
// without a truncation. truncated reports that the prefix is not all of s.
func validFloatPrefix(s []byte) (valid []byte, truncated bool) {
	var sawDot, sawDigit bool
	validLen, eIdx := 0, -1
loop:
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '+' || c == '-':
			if i != 0 && i != eIdx+1 { // "1e+1" is valid
				break loop
			}
		case c == '.':
			if sawDot || eIdx > 0 { // "1.1." or "1e1.1"
				break loop
			}
			sawDot = true
			if sawDigit { // "123." is valid
				validLen = i + 1
			}
		case c == 'e' || c == 'E':
			if !sawDigit || eIdx != -1 { // "+.e", "1e5e"
				break loop
			}
			eIdx = i
		case c == 0:
			s = s[:validLen]
			break loop
		case c < '0' || c > '9':
			break loop
		default:
			sawDigit = true
			validLen = i + 1
		}
	}
	valid = s[:validLen]
	if validLen == 0 {
		valid = []byte("0")
	}
	return valid, validLen == 0 || validLen != len(s)
}

// roundIntStr is TiDB's roundIntStr: intStr (digits, maybe signed) rounded
// half up by the digit after the dot.
func roundIntStr(next byte, intStr string) string {
	if next < '5' {
		return intStr
	}
	r := []byte(intStr)
	i := len(r) - 1
	for ; i >= 1; i-- {
		if r[i] != '9' {
			r[i]++
			break
		}
		r[i] = '0'
	}
	if i == 0 {
		switch {
		case intStr[0] == '9':
			r[0] = '1'
			r = append(r, '0')
		case intStr[0] >= '0' && intStr[0] <= '9':
			r[0]++
		default: // a sign followed by nines: "-99" -> "-100"
			r[1] = '1'
			r = append(r, '0')
		}
	}
	return string(r)
}

const (
	maxUintText = "18446744073709551615"
	minIntText  = "-9223372036854775808"
)

// floatToIntText is TiDB's floatStrToIntStr: a valid float prefix as
// integer text, rounded half away from zero, exponent applied without
// going through a float (so 18446744073709551615 stays exact). overflow
// reports an exponent too large for 64 bits (the text is then the
// largest or smallest 64-bit value).
func floatToIntText(validFloat string) (intStr string, overflow bool) {
	dotIdx, eIdx := -1, -1
	for i := 0; i < len(validFloat); i++ {
		switch validFloat[i] {
		case '.':
			dotIdx = i
		case 'e', 'E':
			eIdx = i
		}
	}
	if eIdx == -1 {
		if dotIdx == -1 {
			return validFloat, false
		}
		digits := validFloat
		if validFloat[0] == '-' || validFloat[0] == '+' {
			dotIdx--
			digits = validFloat[1:]
		}
		if dotIdx == 0 {
			intStr = "0"
		} else {
			intStr = digits[:dotIdx]
		}
		if len(digits) > dotIdx+1 {
			intStr = roundIntStr(digits[dotIdx+1], intStr)
		}
		if (len(intStr) > 1 || intStr[0] != '0') && validFloat[0] == '-' {
			intStr = "-" + intStr
		}
		return intStr, false
	}
	// intCnt and digits include the sign, if any.
	var intCnt int
	var digits []byte
	if dotIdx == -1 {
		digits = append(digits, validFloat[:eIdx]...)
		intCnt = len(digits)
	} else {
		digits = append(digits, validFloat[:dotIdx]...)
		intCnt = len(digits)
		digits = append(digits, validFloat[dotIdx+1:eIdx]...)
	}
	exp, err := strconv.Atoi(validFloat[eIdx+1:])
	if err != nil {
		if digits[0] == '-' {
			return minIntText, true
		}
		return maxUintText, true
	}
	intCnt += exp
	if exp >= 0 && (intCnt > 21 || intCnt < 0) {
		if digits[0] == '-' {
			return minIntText, true
		}
		return maxUintText, true
	}
	if intCnt <= 0 {
		intStr = "0"
		if intCnt == 0 && len(digits) > 0 && digits[0] >= '0' && digits[0] <= '9' {
			intStr = roundIntStr(digits[0], intStr)
		}
		return intStr, false
	}
	if intCnt == 1 && (digits[0] == '-' || digits[0] == '+') {
		intStr = "0"
		if len(digits) > 1 {
			intStr = roundIntStr(digits[1], intStr)
		}
		if intStr[0] == '1' {
			intStr = string(digits[:1]) + intStr
		}
		return intStr, false
	}
	if intCnt <= len(digits) {
		intStr = string(digits[:intCnt])
		if intCnt < len(digits) {
			intStr = roundIntStr(digits[intCnt], intStr)
		}
		return intStr, false
	}
	return string(digits) + strings.Repeat("0", intCnt-len(digits)), false
}

// trimNumberSpace trims what strings.TrimSpace trims, as StrToInt,
// StrToUint and StrToFloat do first (Unicode white space included).
func trimNumberSpace(b []byte) []byte { return bytes.TrimSpace(b) }

// strToInt is TiDB's StrToInt(str, isFuncCast=false) for the signed
// integer column path: the value before the column's range is applied,
// whether text was dropped, and whether the number passed 64 bits (the
// value is then math.MaxInt64 or math.MinInt64).
func strToInt(b []byte) (v int64, truncated, overflow bool) {
	prefix, truncated := validFloatPrefix(trimNumberSpace(b))
	intStr, overflow := floatToIntText(string(prefix))
	v, err := strconv.ParseInt(intStr, 10, 64)
	if err != nil {
		// strconv gives the bound on a range error, as TiDB keeps it.
		return v, truncated, true
	}
	return v, truncated, overflow
}

// strToUint is TiDB's StrToUint(str, false): a negative number other than
// zero is an overflow that stores 0; past 64 bits is math.MaxUint64.
func strToUint(b []byte) (v uint64, truncated, overflow bool) {
	prefix, truncated := validFloatPrefix(trimNumberSpace(b))
	intStr, overflow := floatToIntText(string(prefix))
	if intStr[0] == '-' {
		if strings.Trim(intStr[1:], "0") != "" {
			return 0, truncated, true
		}
		return 0, truncated, overflow
	}
	intStr = strings.TrimPrefix(intStr, "+")
	v, err := strconv.ParseUint(intStr, 10, 64)
	if err != nil {
		return v, truncated, true
	}
	return v, truncated, overflow
}

// strToFloat is TiDB's StrToFloat(str, false): the number prefix as a
// float64; out of the float64 range is ±math.MaxFloat64 with outOfRange
// set (a truncation to TiDB too).
func strToFloat(b []byte) (v float64, truncated, outOfRange bool) {
	prefix, truncated := validFloatPrefix(trimNumberSpace(b))
	v, err := parseFloatText(prefix)
	if err != nil {
		if errors.Is(err, strconv.ErrRange) {
			if math.IsInf(v, 1) {
				v = math.MaxFloat64
			} else if math.IsInf(v, -1) {
				v = -math.MaxFloat64
			}
			return v, truncated, true
		}
		// The prefix always parses; keep 0 for safety.
		return 0, true, false
	}
	return v, truncated, false
}
