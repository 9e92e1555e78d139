package mytime

import (
	"bytes"
	"fmt"
	"strconv"
	"time"
	"unicode"

	"github.com/lightstream-io/lightstream/internal/tidb/sqlmode"
)

const (
	// MaxDuration is TIME's largest value, 838:59:59, in nanoseconds.
	MaxDuration = int64(838*time.Hour + 59*time.Minute + 59*time.Second)
	// MinDuration is TIME's smallest value, -838:59:59, in nanoseconds.
	MinDuration       = -MaxDuration
	maxDurationNumber = 838*10000 + 59*100 + 59
)

func invalidDuration(s []byte, why string) error {
	return fmt.Errorf("%w: %q: %s", ErrInvalidDuration, s, why)
}

// ParseDuration parses a quoted TIME literal to nanoseconds, as TiDB casts a
// string to a TIME(fsp) column (types.ParseDuration): '[-][D ]HH:MM[:SS]
// [.frac]' (D days add 24 h each), compact 'HHMMSS', 'MMSS', 'SS' with an
// optional fraction, and, failing those, a full datetime whose time of day
// is taken ('2020-01-02 10:11:12'). The fraction is rounded half up to fsp
// digits. Values beyond ±838:59:59 are clamped and reported.
func ParseDuration(s []byte, fsp int) (int64, error) {
	fsp, err := checkFsp(fsp)
	if err != nil {
		return 0, err
	}
	rest := string(bytes.TrimFunc(s, unicode.IsSpace))
	d, why := matchDuration(rest, fsp)
	if why == "" {
		return d, nil
	}
	if !canFallbackToDatetime(rest) {
		return d, invalidDuration(s, why)
	}
	t, err := ParseTime([]byte(rest), Datetime, stringFsp(rest), sqlmode.Mode(0))
	if err != nil || !t.fitsCoreTime() {
		return 0, invalidDuration(s, "not a time")
	}
	ns := int64(t.Hour)*int64(time.Hour) + int64(t.Minute)*int64(time.Minute) +
		int64(t.Second)*int64(time.Second) + int64(t.Microsecond)*1000
	return roundDuration(ns, fsp), nil
}

// ParseDurationFromNumber casts an unquoted number (its text, e.g. 101112,
// -5, 123456.5) to TIME the way TiDB converts numeric datums
// (types.Datum.convertToMysqlDuration): integers above 8385959 and below
// 10^10 clamp to 838:59:59, below -8385959 are errors, others parse as text.
func ParseDurationFromNumber(s []byte, fsp int) (int64, error) {
	s = bytes.TrimSpace(s)
	intPart := s
	if i := bytes.IndexAny(s, ".eE"); i >= 0 {
		intPart = s[:i]
	}
	if n, err := strconv.ParseInt(string(intPart), 10, 64); err == nil {
		if n > maxDurationNumber && n < 10000000000 {
			return MaxDuration, invalidDuration(s, "out of range")
		}
		if n < -maxDurationNumber {
			return 0, invalidDuration(s, "out of range")
		}
	}
	return ParseDuration(s, fsp)
}

// stringFsp is types.GetFsp: the number of fraction digits, at most 6.
func stringFsp(s string) int {
	i := fracIndex(s)
	if i < 0 {
		return 0
	}
	return min(len(s)-i-1, MaxFsp)
}

// roundDuration rounds ns half up to fsp digits (Duration.RoundFrac).
func roundDuration(ns int64, fsp int) int64 {
	unit := int64(1)
	for i := fsp; i < 9; i++ {
		unit *= 10
	}
	r := ns % unit
	ns -= r
	if r < 0 {
		r += unit
		ns -= unit
	}
	if r*2 >= unit {
		ns += unit
	}
	return ns
}

func isUnicodeSpace(c byte) bool { return unicode.IsSpace(rune(c)) }

func skipSpace(s string) string {
	for len(s) > 0 && isUnicodeSpace(s[0]) {
		s = s[1:]
	}
	return s
}

// number reads one or more digits as an int (pkg/util/parser.Number).
func number(s string) (int, string, bool) {
	i := 0
	for i < len(s) && isDigit(s[i]) {
		i++
	}
	if i == 0 {
		return 0, s, false
	}
	v, err := strconv.Atoi(s[:i])
	if err != nil {
		return 0, s, false
	}
	return v, s[i:], true
}

// hhmmssDelimited reads 'H[:M[:S]]' with optional spaces around the colons;
// requireColon demands at least 'H:M'.
func hhmmssDelimited(s string, requireColon bool) ([3]int, string, bool) {
	var hms [3]int
	h, rest, ok := number(s)
	if !ok {
		return hms, s, false
	}
	hms[0] = h
	for i := 1; i < 3; i++ {
		r := skipSpace(rest)
		if len(r) == 0 || r[0] != ':' {
			if i == 1 && requireColon {
				return [3]int{}, s, false
			}
			break
		}
		v, r2, ok := number(skipSpace(r[1:]))
		if !ok {
			return [3]int{}, s, false
		}
		hms[i] = v
		rest = r2
	}
	return hms, rest, true
}

// matchDuration is types.matchDuration; on failure it returns the value
// TiDB keeps (clamped or truncated) and the reason.
func matchDuration(str string, fsp int) (int64, string) {
	if len(str) == 0 {
		return 0, "empty"
	}
	neg := false
	rest := str
	if rest[0] == '-' {
		neg = true
		rest = rest[1:]
	}
	rest = skipSpace(rest)
	charsLen := len(rest)

	var hms [3]int
	matched := false
	// 'D HH:MM:SS': days, at least one space, then H[:M[:S]].
	if day, r, ok := number(rest); ok {
		r2 := r
		for len(r2) > 0 && isUnicodeSpace(r2[0]) {
			r2 = r2[1:]
		}
		if len(r2) < len(r) {
			if h, r3, ok := hhmmssDelimited(r2, false); ok {
				h[0] += 24 * day
				hms, rest, matched = h, r3, true
			}
		}
	}
	if !matched {
		if h, r, ok := hhmmssDelimited(rest, true); ok {
			hms, rest, matched = h, r, true
		}
	}
	if !matched {
		n, r, ok := number(rest)
		if !ok {
			return 0, "not a time"
		}
		hms, rest = [3]int{n / 10000, n / 100 % 100, n % 100}, r
	}

	rest = skipSpace(rest)
	frac, overflow := 0, false
	if len(rest) > 0 && rest[0] == '.' {
		i := 1
		for i < len(rest) && isDigit(rest[i]) {
			i++
		}
		frac, overflow = parseFrac(rest[1:i], fsp)
		rest = rest[i:]
	}
	if len(rest) > 0 && charsLen >= 12 {
		return 0, "not a time"
	}
	if overflow {
		// Carry the rounded-up second into minutes and hours.
		frac = 0
		for i, mod := 2, 60; i >= 0; i-- {
			hms[i]++
			if i > 0 && hms[i] == mod {
				hms[i] = 0
				continue
			}
			break
		}
	}
	if hms[1] >= 60 || hms[2] >= 60 {
		return 0, "minute or second out of range"
	}
	if hms[0] > 838 {
		if neg {
			return MinDuration, "out of range"
		}
		return MaxDuration, "out of range"
	}
	d := (int64(hms[0])*3600+int64(hms[1])*60+int64(hms[2]))*int64(time.Second) + int64(frac)*1000
	if neg {
		d = -d
	}
	switch {
	case d > MaxDuration:
		return MaxDuration, "out of range"
	case d < MinDuration:
		return MinDuration, "out of range"
	case len(rest) > 0:
		return d, "trailing characters"
	}
	return d, ""
}

// canFallbackToDatetime is types.canFallbackToDateTime: 12 or 14 leading
// digits, or 'D<p>D<p>D' followed by a space or 'T'.
func canFallbackToDatetime(s string) bool {
	digits := func(s string) (int, string) {
		i := 0
		for i < len(s) && isDigit(s[i]) {
			i++
		}
		return i, s[i:]
	}
	punct := func(s string) (string, bool) {
		if len(s) == 0 || !unicode.IsPunct(rune(s[0])) {
			return s, false
		}
		return s[1:], true
	}
	n, rest := digits(s)
	if n == 0 {
		return false
	}
	if n == 12 || n == 14 {
		return true
	}
	for i := 0; i < 2; i++ {
		var ok bool
		if rest, ok = punct(rest); !ok {
			return false
		}
		if n, rest = digits(rest); n == 0 {
			return false
		}
	}
	return len(rest) > 0 && (rest[0] == ' ' || rest[0] == 'T')
}

// FormatDuration returns MySQL's text for a TIME(fsp) value:
// '[-]HH:MM:SS[.ffffff]' with at least two hour digits and exactly fsp
// fraction digits (types.Duration.String).
func FormatDuration(ns int64, fsp int) string {
	var buf [24]byte
	return string(AppendDuration(buf[:0], ns, fsp))
}

// AppendDuration appends FormatDuration(ns, fsp) to dst.
func AppendDuration(dst []byte, ns int64, fsp int) []byte {
	u := uint64(ns)
	if ns < 0 {
		dst = append(dst, '-')
		u = uint64(-ns)
	}
	h := u / uint64(time.Hour)
	u -= h * uint64(time.Hour)
	m := u / uint64(time.Minute)
	u -= m * uint64(time.Minute)
	s := u / uint64(time.Second)
	u -= s * uint64(time.Second)
	dst = appendInt(dst, int(h), 2)
	dst = append(dst, ':')
	dst = appendInt(dst, int(m), 2)
	dst = append(dst, ':')
	dst = appendInt(dst, int(s), 2)
	return appendFrac(dst, int(u/1000), fsp)
}
