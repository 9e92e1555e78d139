package mytime

import (
	"strconv"
	"time"

	"github.com/lightstream-io/lightstream/internal/tidb/sqlmode"
)

// ParseTime parses a quoted DATE/DATETIME/TIMESTAMP literal the way TiDB
// casts a string to the column (types.ParseTime, then table.CastValue's
// zero-date handling) with the session time zone UTC. See ParseTimeIn.
func ParseTime(s []byte, tp Type, fsp int, mode sqlmode.Mode) (Time, error) {
	return ParseTimeIn(s, tp, fsp, mode, time.UTC)
}

// ParseTimeIn parses a quoted DATE/DATETIME/TIMESTAMP literal in session
// zone loc. Accepted forms are TiDB's (pkg/types/time_parse.go
// parseDatetime): 'YYYY-MM-DD HH:MM:SS[.frac]' with any punctuation as
// delimiters, 'T' or whitespace between date and time, 1-6 part forms,
// two-digit years (00-69 -> 20xx, 70-99 -> 19xx), compact 'YYYYMMDDHHMMSS',
// 'YYMMDDHHMMSS', 'YYYYMMDD', 'YYMMDD' and shorter, and a trailing zone
// ('Z', '+08', '+0800', '+08:00') which converts the value into loc.
//
// A fraction longer than fsp is rounded half up on the digit after fsp,
// carrying into the seconds and beyond. DATE keeps the (rounded) date and
// drops the time of day. The result of a TIMESTAMP is still in loc: use
// ToUTC to store it.
//
// Validity follows the SQL mode as Lightning's session sets it up
// (pkg/lightning/backend/kv/session.go): zero dates are rejected only with
// NO_ZERO_DATE, zero month/day only with NO_ZERO_IN_DATE, impossible days
// (2021-02-30) unless ALLOW_INVALID_DATES, and TIMESTAMP outside
// 1970-01-01 00:00:01 .. 2038-01-19 03:14:07.999999 UTC.
func ParseTimeIn(s []byte, tp Type, fsp int, mode sqlmode.Mode, loc *time.Location) (Time, error) {
	loc = orUTC(loc)
	fsp, err := checkFsp(fsp)
	if err != nil {
		return Time{}, err
	}
	if tp == Date {
		// A DATE column has decimal 0: the fraction rounds at 0 digits
		// before the time of day is dropped.
		fsp = 0
	}
	t, why := parseDatetime(string(s), fsp, false, loc)
	if why != "" {
		return finishCast(Time{}, tp, mode, loc, s, why)
	}
	return finishCast(t, tp, mode, loc, s, "")
}

// finishCast applies types.Time.Check for the column type, DATE
// truncation and table.handleZeroDatetime. parseErr is non-empty when the
// text itself was not a valid value.
func finishCast(t Time, tp Type, mode sqlmode.Mode, loc *time.Location, s []byte, parseErr string) (Time, error) {
	why := parseErr
	if why == "" {
		why = checkType(t, tp, mode, loc)
	}
	if tp == Date {
		t = t.Date()
	}
	invalid := why != ""
	if invalid {
		t = Time{}
	}
	switch {
	case tp == Timestamp && t.IsZero():
		// MySQL 8: a zero TIMESTAMP is fine unless NO_ZERO_DATE; an
		// invalid one becomes zero with an error (a warning when not
		// strict).
		if invalid || mode.Has(sqlmode.NoZeroDate) {
			if !invalid {
				why = "zero date with NO_ZERO_DATE"
			}
			return Time{}, invalidTime(tp, s, why)
		}
		return Time{}, nil
	case t.IsZero():
		if !invalid && !mode.Has(sqlmode.NoZeroDate) {
			return Time{}, nil
		}
		if !invalid {
			why = "zero date with NO_ZERO_DATE"
		}
		return Time{}, invalidTime(tp, s, why)
	case t.HasZeroInDate():
		if !mode.Has(sqlmode.NoZeroInDate) {
			return t, nil
		}
		return Time{}, invalidTime(tp, s, "zero month or day with NO_ZERO_IN_DATE")
	}
	return t, nil
}

// checkType is types.Time.Check with the type flags Lightning derives from
// the SQL mode.
func checkType(t Time, tp Type, mode sqlmode.Mode, loc *time.Location) string {
	if tp == Timestamp {
		if t.IsZero() {
			return ""
		}
		if _, err := ToUTC(t, loc); err != nil {
			return err.Error()
		}
		return ""
	}
	allowInvalid := mode.Has(sqlmode.AllowInvalidDates)
	allowZeroInDate := !mode.Strict() || allowInvalid ||
		!mode.Has(sqlmode.NoZeroInDate) || !mode.Has(sqlmode.NoZeroDate)
	return checkDatetime(t, allowZeroInDate, allowInvalid)
}

// isPunct is TiDB's isPunctuation: printable ASCII that is neither a
// letter, a digit nor a space.
func isPunct(c byte) bool {
	return (c >= 0x21 && c <= 0x2F) || (c >= 0x3A && c <= 0x40) || (c >= 0x5B && c <= 0x60) || (c >= 0x7B && c <= 0x7E)
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// adjustYear maps a two-digit year: 0-69 -> 2000-2069, 70-99 -> 1970-1999.
func adjustYear(y int) int {
	switch {
	case y >= 0 && y <= 69:
		return 2000 + y
	case y >= 70 && y <= 99:
		return 1900 + y
	}
	return y
}

// tzInfo is a zone suffix found by getTimezone.
type tzInfo struct {
	idx                     int // start of the suffix, -1 when none
	sign, hour, sep, minute string
}

// getTimezone finds a trailing zone suffix: 'Z', '+HH', '+HHMM' or
// '+HH:MM' (types.GetTimezone).
func getTimezone(lit string) tzInfo {
	none := tzInfo{idx: -1}
	zidx, sidx, spidx := -1, -1, -1
	l := len(lit)
	for i := l - 1; i >= 0; i-- {
		if lit[i] == 'Z' {
			zidx = i
			break
		}
		if sidx == -1 && (lit[i] == '-' || lit[i] == '+') {
			sidx = i
		}
		if spidx == -1 && lit[i] == ':' {
			spidx = i
		}
	}
	k := 0
	if l-zidx == 1 {
		k += 100
	}
	if d := l - sidx; d == 3 || d == 5 || d == 6 {
		k += d * 10
	}
	if l-spidx == 3 {
		k += 3
	}
	var h, m int
	switch k {
	case 100:
		h, m = 0, 0
	case 30:
		h, m = 2, 0
	case 50:
		h, m = 4, 2
	case 63:
		h, m = 5, 2
	default:
		return none
	}
	tz := tzInfo{idx: -1}
	two := func(v string) bool { return isDigit(v[0]) && isDigit(v[1]) }
	if sidx != -1 {
		tz.sign = lit[sidx : sidx+1]
		tz.idx = sidx
	}
	if zidx != -1 {
		tz.idx = zidx
	}
	if l-spidx == 3 {
		tz.sep = lit[spidx : spidx+1]
	}
	if h != 0 {
		tz.hour = lit[l-h : l-h+2]
		if !two(tz.hour) {
			return none
		}
	}
	if m != 0 {
		tz.minute = lit[l-m : l-m+2]
		if !two(tz.minute) {
			return none
		}
	}
	return tz
}

// fracIndex finds the '.' that starts the fraction: the last punctuation
// before any zone suffix, ignoring '+' and '-' (types.GetFracIndex).
func fracIndex(s string) int {
	end := len(s) - 1
	if tz := getTimezone(s); tz.idx != -1 {
		end = tz.idx - 1
	}
	for i := end; i >= 0; i-- {
		if s[i] != '+' && s[i] != '-' && isPunct(s[i]) {
			if s[i] == '.' {
				return i
			}
			return -1
		}
	}
	return -1
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'
}

func trimSpace(s string) string {
	for len(s) > 0 && (isSpace(s[0]) || s[0] == 0x85 || s[0] == 0xA0) {
		s = s[1:]
	}
	for len(s) > 0 && (isSpace(s[len(s)-1]) || s[len(s)-1] == 0x85 || s[len(s)-1] == 0xA0) {
		s = s[:len(s)-1]
	}
	return s
}

// validSeparator: punctuation separates anywhere, 'T' and whitespace only
// between the date and the time, anything non-digit after the fifth part
// (types.isValidSeparator).
func validSeparator(c byte, prevParts int) bool {
	if isPunct(c) {
		return true
	}
	if prevParts == 2 && (c == 'T' || isSpace(c)) {
		return true
	}
	return prevParts > 4 && !isDigit(c)
}

// splitParts splits the date/time text on separators (types.ParseDateFormat);
// nil means the text is not a date.
func splitParts(format string, seps []string) []string {
	format = trimSpace(format)
	if len(format) == 0 || !isDigit(format[0]) {
		return nil
	}
	start := 0
	for i := 1; i < len(format)-1; i++ {
		if validSeparator(format[i], len(seps)) {
			prev := len(seps)
			seps = append(seps, format[start:i])
			start = i + 1
			for j := i + 1; j < len(format); j++ {
				if !validSeparator(format[j], prev) {
					break
				}
				start++
				i++
			}
			continue
		}
		if !isDigit(format[i]) {
			return nil
		}
	}
	return append(seps, format[start:])
}

// scanFixed reads consecutive fixed-width decimal fields from s the way
// fmt.Sscanf("%4d%2d...") does on digit text: each field takes up to its
// width in digits and needs at least one.
func scanFixed(s string, widths []int, dst []*int) bool {
	p := 0
	for i, w := range widths {
		n, v := 0, 0
		for n < w && p < len(s) && isDigit(s[p]) {
			v = v*10 + int(s[p]-'0')
			p++
			n++
		}
		if n == 0 {
			return false
		}
		*dst[i] = v
	}
	return true
}

// parseFrac rounds the fraction digits s to fsp digits, half up on the
// digit after fsp (types.ParseFrac), and returns microseconds; overflow
// means the rounding carried into the seconds.
func parseFrac(s string, fsp int) (micro int, overflow bool) {
	if len(s) == 0 {
		return 0, false
	}
	if fsp >= len(s) {
		v := 0
		for i := 0; i < len(s); i++ {
			v = v*10 + int(s[i]-'0')
		}
		for i := len(s); i < MaxFsp; i++ {
			v *= 10
		}
		return v, false
	}
	v := 0
	for i := 0; i <= fsp; i++ {
		v = v*10 + int(s[i]-'0')
	}
	v = (v + 5) / 10
	limit := 1
	for i := 0; i < fsp; i++ {
		limit *= 10
	}
	if v >= limit {
		return 0, true
	}
	for i := fsp; i < MaxFsp; i++ {
		v *= 10
	}
	return v, false
}

// parseDatetime is types.parseDatetime. It returns the parsed fields (not
// yet checked against the calendar beyond the CoreTime bit widths) or a
// reason the text is not a datetime. isFloat is set for numbers with a
// fraction (types.ParseTimeFromFloatString).
func parseDatetime(str string, fsp int, isFloat bool, loc *time.Location) (Time, string) {
	var t Time
	var sepsBuf [8]string
	tz := getTimezone(str)
	format := str
	hasTZ := false
	if tz.idx > 0 {
		hasTZ = true
		idx := tz.idx
		for idx > 0 && isPunct(format[idx-1]) {
			idx--
		}
		format = format[:idx]
	}
	var fracStr string
	if fi := fracIndex(format); fi > 0 {
		end := fi + 1
		for end < len(format) && isDigit(format[end]) {
			end++
		}
		fracStr = format[fi+1 : end]
		for fi > 0 && isPunct(format[fi-1]) {
			fi--
		}
		format = format[:fi]
	}
	seps := splitParts(format, sepsBuf[:0])

	noAbsorb := len(seps) > 5 || (len(seps) == 1 && len(seps[0]) > 4)
	if fracStr != "" && !isFloat && !noAbsorb {
		seps = append(seps, fracStr)
		fracStr = ""
	}
	if hasTZ && tz.sign != "" {
		// A '-HH' or '-HH:MM' tail of a short date is more parts, not a
		// zone; it can be absorbed only when hour and minute are
		// separated.
		if !noAbsorb && !(tz.minute != "" && tz.sep == "") {
			if tz.hour != "" {
				seps = append(seps, tz.hour)
			}
			if tz.minute != "" {
				seps = append(seps, tz.minute)
			}
			hasTZ = false
		}
	}

	hhmmss := false
	switch len(seps) {
	case 0:
		return t, "not a date"
	case 1:
		s := seps[0]
		l := len(s)
		if isFloat {
			n, err := strconv.ParseInt(s, 10, 64)
			if err != nil {
				return t, "not a number"
			}
			nt, why := timeFromNumber(n)
			if why != "" {
				return t, why
			}
			t = nt
			if s == "0" || (l >= 9 && l <= 14) {
				hhmmss = true
			}
			break
		}
		ok := true
		y, mo, d, h, mi, se := &t.Year, &t.Month, &t.Day, &t.Hour, &t.Minute, &t.Second
		switch l {
		case 14:
			ok = scanFixed(s, []int{4, 2, 2, 2, 2, 2}, []*int{y, mo, d, h, mi, se})
			hhmmss = true
		case 12:
			ok = scanFixed(s, []int{2, 2, 2, 2, 2, 2}, []*int{y, mo, d, h, mi, se})
			t.Year = adjustYear(t.Year)
			hhmmss = true
		case 11:
			ok = scanFixed(s, []int{2, 2, 2, 2, 2, 1}, []*int{y, mo, d, h, mi, se})
			t.Year = adjustYear(t.Year)
			hhmmss = true
		case 10:
			ok = scanFixed(s, []int{2, 2, 2, 2, 2}, []*int{y, mo, d, h, mi})
			t.Year = adjustYear(t.Year)
		case 9:
			ok = scanFixed(s, []int{2, 2, 2, 2, 1}, []*int{y, mo, d, h, mi})
			t.Year = adjustYear(t.Year)
		case 8:
			ok = scanFixed(s, []int{4, 2, 2}, []*int{y, mo, d})
		case 7:
			ok = scanFixed(s, []int{2, 2, 2, 1}, []*int{y, mo, d, h})
			t.Year = adjustYear(t.Year)
		case 6, 5:
			ok = scanFixed(s, []int{2, 2, 2}, []*int{y, mo, d})
			t.Year = adjustYear(t.Year)
		default:
			return t, "not a date"
		}
		if !ok {
			return t, "not a date"
		}
		// '20170118.123423' reads the fraction as HHMMSS; a truncated
		// one only warns in TiDB.
		if (l == 5 || l == 6 || l == 8) && fracStr != "" {
			f := fracStr
			switch {
			case len(f) <= 2:
				scanFixed(f, []int{2}, []*int{h})
			case len(f) <= 4:
				scanFixed(f, []int{2, 2}, []*int{h, mi})
			default:
				scanFixed(f, []int{2, 2, 2}, []*int{h, mi, se})
			}
		}
		if l == 9 || l == 10 {
			t.Second = 0
			if fracStr != "" {
				scanFixed(fracStr, []int{2}, []*int{se})
			}
		}
	case 2:
		return t, "not a date"
	default:
		// Seven or more parts: the extra ones are dropped with a warning.
		if len(seps) > 6 {
			seps = seps[:6]
		}
		dst := []*int{&t.Year, &t.Month, &t.Day, &t.Hour, &t.Minute, &t.Second}
		for i, p := range seps {
			v, err := strconv.Atoi(p)
			if err != nil {
				return Time{}, "not a date"
			}
			*dst[i] = v
		}
		hhmmss = len(seps) == 6
	}

	if len(seps[0]) <= 2 && !isFloat {
		if !(t.IsZero() && fracStr == "") {
			t.Year = adjustYear(t.Year)
		}
	}
	overflow := false
	if hhmmss {
		t.Microsecond, overflow = parseFrac(fracStr, fsp)
	}
	if !t.fitsCoreTime() {
		return Time{}, "field out of range"
	}
	if overflow {
		// Rounding carried into the seconds: add one second through the
		// calendar, which needs a real date (CoreTime.GoTime fails on
		// month/day 0 or day 31 of a 30-day month).
		if !validCalendarDate(t) {
			return Time{}, "invalid date"
		}
		t = fromGo(toGo(t, time.UTC).Add(time.Second))
	}
	if hasTZ {
		if !hhmmss {
			return Time{}, "zone without a time"
		}
		dh, dm := 0, 0
		if tz.hour != "" {
			dh = int(tz.hour[0]-'0')*10 + int(tz.hour[1]-'0')
		}
		if tz.minute != "" {
			dm = int(tz.minute[0]-'0')*10 + int(tz.minute[1]-'0')
		}
		if dh > 14 || dm > 59 || (dh == 14 && dm != 0) || (tz.sign == "-" && dh == 0 && dm == 0) {
			return Time{}, "zone offset out of range"
		}
		off := dh*3600 + dm*60
		if tz.sign == "-" {
			off = -off
		}
		if !validCalendarDate(t) {
			return Time{}, "invalid date"
		}
		gt := toGo(t, time.FixedZone("", off)).In(loc)
		t = fromGo(gt)
	}
	return t, ""
}

// orUTC treats a nil session zone as UTC.
func orUTC(loc *time.Location) *time.Location {
	if loc == nil {
		return time.UTC
	}
	return loc
}

// toGo builds a Go time from t's fields in loc (Go normalizes impossible
// dates; callers check validity first when it matters).
func toGo(t Time, loc *time.Location) time.Time {
	return time.Date(t.Year, time.Month(t.Month), t.Day, t.Hour, t.Minute, t.Second, t.Microsecond*1000, loc)
}

// fromGo takes the fields of g, truncating below the microsecond.
func fromGo(g time.Time) Time {
	y, mo, d := g.Date()
	h, mi, s := g.Clock()
	return Time{Year: y, Month: int(mo), Day: d, Hour: h, Minute: mi, Second: s, Microsecond: g.Nanosecond() / 1000}
}
