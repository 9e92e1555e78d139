package mytime

import (
	"bytes"
	"fmt"
	"strconv"
	"unicode"
)

// MinYear and MaxYear bound a non-zero YEAR.
const (
	MinYear = 1901
	MaxYear = 2155
)

// ParseYear casts a dump value to YEAR as TiDB does
// (types.Datum.ConvertToMysqlYear, types.AdjustYear). isNumber is set for
// unquoted numbers. Two-digit values map 1..69 -> 2001..2069 and
// 70..99 -> 1970..1999; a zero maps to 2000 only for a string of one to
// three zeros ('0', '00', '000'), while '0000' and the number 0 are the zero
// year 0. Out-of-range values are errors with the value clamped to
// 1901/2155.
func ParseYear(s []byte, isNumber bool) (int64, error) {
	trimmed := bytes.TrimFunc(s, unicode.IsSpace)
	y, rest, err := intPrefix(trimmed, isNumber)
	if err != nil {
		return 0, fmt.Errorf("%w: %q: %v", ErrInvalidYear, s, err)
	}
	adjustZero := !isNumber && len(s) != 4 && y == 0 && len(trimmed) > 0 && trimmed[0] == '0'
	v, err := adjustYearValue(y, adjustZero)
	if err != nil {
		return v, fmt.Errorf("%w: %q: %v", ErrInvalidYear, s, err)
	}
	if len(rest) > 0 {
		return v, fmt.Errorf("%w: %q: trailing characters", ErrInvalidYear, s)
	}
	return v, nil
}

// intPrefix reads a signed integer. Numbers with a fraction or exponent
// are rounded half away from zero, as TiDB converts a number to int; a
// string keeps only its leading integer and reports the rest.
func intPrefix(s []byte, isNumber bool) (int64, []byte, error) {
	if isNumber {
		if n, err := strconv.ParseInt(string(s), 10, 64); err == nil {
			return n, nil, nil
		}
		f, err := strconv.ParseFloat(string(s), 64)
		if err != nil {
			return 0, nil, fmt.Errorf("not a number")
		}
		if f >= 1<<62 || f <= -(1<<62) {
			return 0, nil, fmt.Errorf("out of range")
		}
		if f < 0 {
			return -int64(-f + 0.5), nil, nil
		}
		return int64(f + 0.5), nil, nil
	}
	i := 0
	if i < len(s) && (s[i] == '-' || s[i] == '+') {
		i++
	}
	start := i
	for i < len(s) && isDigit(s[i]) {
		i++
	}
	if i == start {
		return 0, s, fmt.Errorf("not a number")
	}
	n, err := strconv.ParseInt(string(s[:i]), 10, 64)
	if err != nil {
		return 0, s, fmt.Errorf("out of range")
	}
	return n, s[i:], nil
}

// adjustYearValue is types.AdjustYear.
func adjustYearValue(y int64, adjustZero bool) (int64, error) {
	if y == 0 && !adjustZero {
		return 0, nil
	}
	if y >= 0 && y <= 99 {
		y = int64(adjustYear(int(y)))
	}
	switch {
	case y < 0:
		return 0, fmt.Errorf("out of range")
	case y < MinYear:
		return MinYear, fmt.Errorf("out of range")
	case y > MaxYear:
		return MaxYear, fmt.Errorf("out of range")
	}
	return y, nil
}
